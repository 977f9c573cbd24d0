"""Exact HTTP on media: ranges, HEAD, validators and conditional requests (RFC 9110), on both media routes."""

from __future__ import annotations

import time
from uuid import UUID

import pytest

from mathreel_shared import keys
from mathreel_shared.storage import media_signing_secret, sign_media_token


async def _completed(gateway) -> UUID:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    return job_id


def _media_url(gateway, key: str) -> str:
    return f"/api/v1/media/{sign_media_token(media_signing_secret(gateway.settings), key, int(time.time()) + 60)}"


@pytest.fixture
async def urls(gateway) -> dict[str, tuple[str, dict[str, str]]]:
    job_id = await _completed(gateway)
    return {
        "stream": (f"/api/v1/videos/jobs/{job_id}/stream", gateway.auth()),
        "media": (_media_url(gateway, keys.video_key("user_alice", job_id)), {}),
    }


@pytest.mark.parametrize("route", ["stream", "media"])
@pytest.mark.parametrize(
    "value", ["bytes=" + "9" * 4301 + "-", "bytes=0-" + "9" * 4301, "bytes=-" + "9" * 5000, "bytes=0-1-2", "bytes=x"]
)
async def test_oversized_or_malformed_ranges_are_416(gateway, urls, route: str, value: str) -> None:
    url, headers = urls[route]
    response = await gateway.client.get(url, headers={**headers, "Range": value})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(gateway.video_bytes)}"
    assert response.json() == {"detail": "Requested range not satisfiable"}


@pytest.mark.parametrize("route", ["stream", "media"])
async def test_head_answers_the_get_headers_without_a_body(gateway, urls, route: str) -> None:
    url, headers = urls[route]
    got = await gateway.client.get(url, headers=headers)
    head = await gateway.client.head(url, headers=headers)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-length", "content-type", "etag", "last-modified", "accept-ranges"):
        assert head.headers[name] == got.headers[name], name
    ranged = await gateway.client.head(url, headers={**headers, "Range": "bytes=0-9"})
    assert (ranged.status_code, ranged.headers["content-length"], ranged.content) == (206, "10", b"")


async def test_head_works_on_every_get_route(gateway) -> None:
    job_id = await _completed(gateway)
    auth = gateway.auth()
    for path in (
        "/health",
        "/api/v1/videos/jobs",
        f"/api/v1/videos/jobs/{job_id}/status",
        f"/api/v1/videos/jobs/{job_id}/video-url",
        f"/api/v1/videos/jobs/{job_id}/thumbnail",
        f"/api/v1/videos/jobs/{job_id}/metadata",
        f"/api/v1/videos/jobs/{job_id}/captions",
    ):
        response = await gateway.client.head(path, headers=auth)
        assert response.status_code == 200, path
        assert response.content == b"", path


@pytest.mark.parametrize("route", ["stream", "media"])
async def test_validators_and_if_none_match(gateway, urls, route: str) -> None:
    url, headers = urls[route]
    first = await gateway.client.get(url, headers=headers)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    for conditional in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'}, {"If-None-Match": "*"}):
        again = await gateway.client.get(url, headers={**headers, **conditional})
        assert again.status_code == 304, conditional
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert (await gateway.client.get(url, headers={**headers, "If-None-Match": '"stale"'})).status_code == 200
    since = await gateway.client.get(url, headers={**headers, "If-Modified-Since": last_modified})
    assert since.status_code == 304


@pytest.mark.parametrize("route", ["stream", "media"])
async def test_if_range_follows_rfc_9110(gateway, urls, route: str) -> None:
    url, headers = urls[route]
    first = await gateway.client.get(url, headers=headers)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    for current in (etag, last_modified):
        response = await gateway.client.get(url, headers={**headers, "Range": "bytes=0-9", "If-Range": current})
        assert response.status_code == 206, current
        assert response.content == gateway.video_bytes[:10]
    # A stale validator, a weak tag (never a strong match) or another date: the whole file, 200.
    for stale in ('"stale"', f"W/{etag}", "Thu, 01 Jan 1970 00:00:00 GMT", "not a date"):
        response = await gateway.client.get(url, headers={**headers, "Range": "bytes=0-9", "If-Range": stale})
        assert response.status_code == 200, stale
        assert response.content == gateway.video_bytes
        assert "content-range" not in response.headers


async def test_the_thumbnail_has_validators_too(gateway) -> None:
    job_id = await _completed(gateway)
    url = f"/api/v1/videos/jobs/{job_id}/thumbnail"
    first = await gateway.client.get(url, headers=gateway.auth())
    assert first.status_code == 200
    again = await gateway.client.get(url, headers={**gateway.auth(), "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("token", ["x", "a.b.c", "....", "%00", "a" * 5000, "YQ.YQ"])
async def test_malformed_media_tokens_are_403(gateway, token: str) -> None:
    response = await gateway.client.get(f"/api/v1/media/{token}")
    assert response.status_code == 403
    assert response.json() == {"detail": "Media link is invalid or has expired"}


async def test_a_correctly_signed_token_with_a_foreign_payload_is_403(gateway) -> None:
    import base64
    import hashlib
    import hmac

    secret = media_signing_secret(gateway.settings)
    for payload in (b"garbage", b"1:2", b"soon:0:users/a/jobs/b/videos/output.mp4"):
        signature = hmac.new(secret, payload, hashlib.sha256).digest()
        token = ".".join(base64.urlsafe_b64encode(part).rstrip(b"=").decode() for part in (payload, signature))
        assert (await gateway.client.get(f"/api/v1/media/{token}")).status_code == 403, payload


async def test_a_link_signed_with_the_old_public_constant_is_refused(gateway) -> None:
    job_id = await _completed(gateway)
    forged = sign_media_token(b"development-only-secret", keys.video_key("user_alice", job_id), 2_000_000_000)
    assert (await gateway.client.get(f"/api/v1/media/{forged}")).status_code == 403


@pytest.mark.parametrize("status", ["cancelled", "failed", "completed"])
async def test_intermediates_are_never_served_through_media_links(gateway, status: str) -> None:
    job_id = await gateway.create_job()
    store = gateway.resources.store
    intermediates = [
        keys.storyboard_key("user_alice", job_id),
        keys.scene_audio_key("user_alice", job_id, 0),
        keys.scene_clip_key("user_alice", job_id, 0),
    ]
    for key in intermediates:
        await store.put_bytes(key, b"intermediate", "application/octet-stream")
    await gateway.set_job(job_id, status=status)
    for key in intermediates:
        response = await gateway.client.get(_media_url(gateway, key))
        assert response.status_code == 404, key
