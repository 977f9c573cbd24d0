"""No secret of Mathreel is public: no known constant is accepted, and standalone mode generates its own."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from mathreel_shared.settings import Mode, Settings
from mathreel_shared.storage import LocalStore, media_signing_secret, sign_media_token, verify_media_token


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        media_dir=tmp_path / "media",
        dev_signing_key_path=tmp_path / "keys" / "dev-signing-key.pem",
        **values,
    )


@pytest.mark.parametrize("environment", ["development", "test", "production"])
@pytest.mark.parametrize("value", ["development-only-secret", "mathreel-dev-secret", "changeme", "short"])
def test_a_public_or_short_media_secret_is_refused_in_every_environment(
    tmp_path: Path, environment: str, value: str
) -> None:
    with pytest.raises(ValidationError, match="media_signing_secret"):
        _settings(tmp_path, environment=environment, media_signing_secret=SecretStr(value), jwks_url="https://x")


def test_an_empty_media_secret_means_unset(tmp_path: Path) -> None:
    assert _settings(tmp_path, media_signing_secret="").media_signing_secret is None


def test_the_s3_secret_has_no_default_and_distributed_mode_needs_one(tmp_path: Path) -> None:
    assert _settings(tmp_path).s3_secret_access_key is None
    with pytest.raises(ValidationError, match="s3_secret_access_key"):
        _settings(tmp_path, mode=Mode.DISTRIBUTED)
    assert _settings(tmp_path, mode=Mode.DISTRIBUTED, s3_secret_access_key="a-real-one").s3_secret_access_key


def test_standalone_generates_a_private_secret_beside_the_development_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    secret = media_signing_secret(settings)
    path = tmp_path / "keys" / "media-signing-secret"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret) >= 32
    # Kept: a restart signs and verifies with the same secret, so links handed out stay valid.
    assert media_signing_secret(settings) == secret
    # Another installation gets another secret.
    assert media_signing_secret(_settings(tmp_path / "other")) != secret
    assert not list(path.parent.glob("*.tmp"))


async def test_links_signed_with_the_old_constant_are_refused(tmp_path: Path) -> None:
    store = LocalStore(_settings(tmp_path))
    key = "users/user_alice/jobs/00000000-0000-0000-0000-000000000001/videos/output.mp4"
    forged = sign_media_token(b"development-only-secret", key, 2_000_000_000)
    with pytest.raises(Exception, match="signature"):
        store.verify_token(forged)
    url = await store.presigned_url(key, 60)
    assert store.verify_token(url.rsplit("/", 1)[-1]) == (key, False)


@pytest.mark.parametrize("payload", [b"", b"abc", b"1:2", b"x:0:key", b"99:7:key", b"1" * 5000 + b":0:key", b"9:0:"])
def test_a_signed_token_with_a_malformed_payload_is_invalid_not_a_crash(payload: bytes) -> None:
    import base64
    import hashlib
    import hmac

    from mathreel_shared.storage import InvalidMediaToken

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    token = f"{b64(payload)}.{b64(hmac.new(b's' * 32, payload, hashlib.sha256).digest())}"
    with pytest.raises(InvalidMediaToken, match="malformed"):
        verify_media_token(b"s" * 32, token)
