import time

from mathreel_shared import keys
from mathreel_shared.storage import media_signing_secret, sign_media_token


async def test_media_token_serves_ranges_without_a_bearer_token(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    secret = media_signing_secret(gateway.settings)
    token = sign_media_token(secret, keys.video_key("user_alice", job_id), int(time.time()) + 60)
    response = await gateway.client.get(f"/api/v1/media/{token}", headers={"Range": "bytes=-16"})
    assert response.status_code == 206
    assert response.headers["content-type"] == "video/mp4"
    assert response.content == gateway.video_bytes[-16:]
    assert "x-ratelimit-limit" not in response.headers


async def test_bad_or_expired_media_tokens_are_403(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    secret = media_signing_secret(gateway.settings)
    key = keys.video_key("user_alice", job_id)
    expired = sign_media_token(secret, key, int(time.time()) - 1)
    forged = sign_media_token(b"another secret", key, int(time.time()) + 60)
    for token in (expired, forged, "garbage", "a.b"):
        response = await gateway.client.get(f"/api/v1/media/{token}")
        assert response.status_code == 403, token
        assert response.json() == {"detail": "Media link is invalid or has expired"}


async def test_media_token_for_a_missing_file_is_404(gateway) -> None:
    secret = media_signing_secret(gateway.settings)
    token = sign_media_token(secret, "users/u/jobs/x/videos/output.mp4", int(time.time()) + 60)
    assert (await gateway.client.get(f"/api/v1/media/{token}")).status_code == 404
