"""One user can never reach another's jobs or media: not through the API, not by forging or replaying media links.

Job routes answer another user's job id exactly like an unknown one (404). Standalone mode's signed
``/api/v1/media/{token}`` links refuse any change to key, expiry or signature, and expire (403). S3 presigned URLs,
checked against a real SeaweedFS, refuse tampering and expire too.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from mathreel_shared import keys
from mathreel_shared.settings import Settings
from mathreel_shared.storage import sign_media_token
from tests.security.conftest import (
    VIDEO_BYTES,
    GatewayOpener,
    RunningGateway,
    new_user,
    stage_completed_job,
)
from tests.support.jwks import JwksServer

JOBS = "/api/v1/videos/jobs"
MEDIA_ROUTES = ["status", "video-url", "stream", "thumbnail", "metadata", "captions", "captions?format=srt"]


def _auth(jwks_server: JwksServer, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}


async def test_every_job_route_answers_another_users_job_with_404(
    gateway: RunningGateway, jwks_server: JwksServer
) -> None:
    alice, mallory = new_user(), new_user()
    completed = await stage_completed_job(gateway.settings, alice)
    created = await gateway.client.post(
        "/api/v1/videos/generate",
        json={"configuration": {"topic": "Limits", "context": "Explain."}},
        headers=_auth(jwks_server, alice),
    )
    assert created.status_code == 201
    queued = uuid.UUID(created.json()["job_id"])
    as_alice, as_mallory = _auth(jwks_server, alice), _auth(jwks_server, mallory)

    for route in MEDIA_ROUTES:
        own = await gateway.client.get(f"{JOBS}/{completed}/{route}", headers=as_alice)
        assert own.status_code == 200, (route, own.text[:200])  # the control: the owner gets the resource
        other = await gateway.client.get(f"{JOBS}/{completed}/{route}", headers=as_mallory)
        unknown = await gateway.client.get(f"{JOBS}/{uuid.uuid4()}/{route}", headers=as_mallory)
        assert other.status_code == unknown.status_code == 404, route
        assert other.json() == unknown.json()  # nothing tells an existing job of someone else from no job at all
    assert VIDEO_BYTES not in (await gateway.client.get(f"{JOBS}/{completed}/stream", headers=as_mallory)).content

    refused = await gateway.client.post(f"{JOBS}/{queued}/cancel", headers=as_mallory)
    assert refused.status_code == 404
    still_queued = await gateway.client.get(f"{JOBS}/{queued}/status", headers=as_alice)
    assert still_queued.json()["status"] == "queued"

    listed = await gateway.client.get(JOBS, headers=as_mallory)
    assert listed.status_code == 200
    assert listed.json()["total"] == 0
    assert {item["job_id"] for item in (await gateway.client.get(JOBS, headers=as_alice)).json()["items"]} == {
        str(completed),
        str(queued),
    }


async def test_signed_media_links_cannot_be_forged_or_reused_after_expiry(
    standalone_media_settings: Settings, gateway_opener: GatewayOpener, jwks_server: JwksServer
) -> None:
    settings = standalone_media_settings.model_copy(update={"media_url_ttl_seconds": 2})
    alice, mallory = new_user(), new_user()
    job = await stage_completed_job(settings, alice)
    other_job = await stage_completed_job(settings, mallory)
    async with gateway_opener(settings) as gateway:
        body = (await gateway.client.get(f"{JOBS}/{job}/video-url", headers=_auth(jwks_server, alice))).json()
        path = urlsplit(body["video_url"]).path
        token = path.rsplit("/", 1)[-1]
        fetched = await gateway.client.get(path)
        assert fetched.status_code == 200
        assert fetched.content == VIDEO_BYTES

        secret = settings.media_signing_secret.get_secret_value().encode()
        payload, signature = token.split(".")
        expires_at = int(time.time()) + 3600
        other_key = keys.video_key(mallory, other_job)
        forged_payload = sign_media_token(secret, other_key, expires_at).split(".")[0]
        later_payload = sign_media_token(secret, keys.video_key(alice, job), expires_at).split(".")[0]
        forgeries = {
            "key changed, signature kept": f"{forged_payload}.{signature}",
            "expiry extended, signature kept": f"{later_payload}.{signature}",
            "signed with another secret": sign_media_token(b"guessed-secret", keys.video_key(alice, job), expires_at),
            "signature truncated": f"{payload}.{signature[:-4]}",
            "signature removed": f"{payload}.",
            "no separator": payload,
            "garbage": "x.y",
            "expired (right secret)": sign_media_token(secret, keys.video_key(alice, job), int(time.time()) - 1),
        }
        for case, forged in forgeries.items():
            response = await gateway.client.get(f"/api/v1/media/{forged}")
            assert response.status_code == 403, (case, response.status_code, response.text[:200])
            assert response.json()["detail"]

        # Even a correctly signed link cannot step outside the media folder (defence in depth for a leaked secret).
        escaping = sign_media_token(secret, "../../../etc/passwd", expires_at)
        response = await gateway.client.get(f"/api/v1/media/{escaping}")
        assert response.status_code == 404, response.text[:200]

        await asyncio.sleep(3.1)
        assert (await gateway.client.get(path)).status_code == 403  # the genuine link, replayed past its expiry


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_s3_presigned_urls_refuse_tampering_and_expire(
    gateway_settings: Settings, gateway_opener: GatewayOpener, jwks_server: JwksServer
) -> None:
    settings = gateway_settings.model_copy(update={"media_url_ttl_seconds": 2})
    alice, mallory = new_user(), new_user()
    job = await stage_completed_job(settings, alice)
    other_job = await stage_completed_job(settings, mallory)
    async with gateway_opener(settings) as gateway, httpx.AsyncClient(timeout=10) as s3:
        body = (await gateway.client.get(f"{JOBS}/{job}/video-url", headers=_auth(jwks_server, alice))).json()
        url = body["video_url"]
        assert "X-Amz-Signature=" in url
        first = await s3.get(url)
        assert first.status_code == 200
        assert first.content == VIDEO_BYTES

        signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
        flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        parts = urlsplit(url)
        other_path = parts.path.replace(str(job), str(other_job)).replace(alice, mallory)
        tampered = {
            "signature changed": _with_query(url, **{"X-Amz-Signature": flipped}),
            "expiry extended": _with_query(url, **{"X-Amz-Expires": "604800"}),
            "other object, same signature": urlunsplit(parts._replace(path=other_path)),
            "signature removed": url.split("&X-Amz-Signature=")[0],
        }
        for case, forged in tampered.items():
            response = await s3.get(forged)
            # 403 SignatureDoesNotMatch / AccessDenied; an unsigned request is 400 MissingFields.
            assert response.status_code in (400, 403), (case, response.status_code, response.text[:300])
            assert VIDEO_BYTES not in response.content

        await asyncio.sleep(3.5)
        expired = await s3.get(url)
        assert expired.status_code == 403, expired.text[:300]
