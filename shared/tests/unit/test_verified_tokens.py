"""The verifier remembers tokens it has verified, and refuses them at the same moment a fresh check would."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mathreel_shared import auth
from mathreel_shared.auth import AuthError, DevSigningKey, JwksCache, TokenVerifier

ISSUER = "mathreel-dev"


class Jwks:
    """A JWKS document that a test can change, served through an httpx transport."""

    def __init__(self, key: DevSigningKey) -> None:
        self.document: dict[str, Any] = key.jwks()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(lambda _request: httpx.Response(200, json=self.document))


@pytest.fixture(scope="module")
def signing_key() -> DevSigningKey:
    return DevSigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def verifier(jwks: Jwks, *, ttl_seconds: float = 300.0, leeway_seconds: int = 0) -> TokenVerifier:
    cache = JwksCache(
        "http://jwks.test/keys", ttl_seconds=ttl_seconds, min_refetch_interval=0.0, transport=jwks.transport()
    )
    return TokenVerifier(cache, issuer=ISSUER, leeway_seconds=leeway_seconds)


def count_signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(auth.jwt, "decode", counting_decode)
    return calls


async def test_a_repeated_token_is_verified_once(signing_key: DevSigningKey, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = count_signature_checks(monkeypatch)
    tokens = verifier(Jwks(signing_key))
    token = signing_key.mint("user_cached", issuer=ISSUER)

    principals = [await tokens.verify(token) for _ in range(5)]

    assert {p.user_id for p in principals} == {"user_cached"}
    assert len(checks) == 1


async def test_a_remembered_token_is_refused_once_it_expires(
    signing_key: DevSigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = verifier(Jwks(signing_key), leeway_seconds=5)
    token = signing_key.mint("user_expiring", issuer=ISSUER, ttl_seconds=60)
    assert (await tokens.verify(token)).user_id == "user_expiring"

    exp = jwt.decode(token, options={"verify_signature": False})["exp"]
    # Within the leeway it is still good, from memory as it would be by a fresh check...
    monkeypatch.setattr(auth.time, "time", lambda: exp + 4.0)
    assert (await tokens.verify(token)).user_id == "user_expiring"
    # ...and past it, refused as expired, not served from memory.
    monkeypatch.setattr(auth.time, "time", lambda: exp + 6.0)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _frozen_datetime(exp + 6.0))
    with pytest.raises(AuthError, match="expired"):
        await tokens.verify(token)


async def test_a_remembered_token_is_refused_once_its_key_leaves_the_jwks(signing_key: DevSigningKey) -> None:
    jwks = Jwks(signing_key)
    tokens = verifier(jwks, ttl_seconds=0.2)
    token = signing_key.mint("user_rotated", issuer=ISSUER)
    assert (await tokens.verify(token)).user_id == "user_rotated"

    jwks.document = {"keys": []}  # the key is withdrawn; the next fetch no longer has it
    time.sleep(0.3)  # the fetched keys go stale, so the remembered verification is not trusted any more

    with pytest.raises(AuthError, match="unknown key"):
        await tokens.verify(token)


async def test_a_refused_token_is_not_remembered(signing_key: DevSigningKey, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = count_signature_checks(monkeypatch)
    tokens = verifier(Jwks(signing_key))
    token = signing_key.mint("user_wrong_issuer", issuer="someone-else")

    for _ in range(3):
        with pytest.raises(AuthError, match="issuer"):
            await tokens.verify(token)

    assert len(checks) == 3


def _frozen_datetime(moment: float) -> Any:
    """PyJWT reads the clock through ``datetime.now``; a stand-in that answers ``moment``."""
    import datetime as real

    class Frozen(real.datetime):
        @classmethod
        def now(cls, tz: real.tzinfo | None = None) -> Frozen:  # type: ignore[override]
            return cls.fromtimestamp(moment, tz)

    return Frozen
