"""The JWT catalogue against the real gateway, whose verifier fetches its keys from a JWKS served over HTTP.

Every forged, broken or misplaced token is answered 401 with a JSON ``detail`` and a ``WWW-Authenticate: Bearer``
challenge; a JWKS that cannot be reached is a 503 with a clear body, while a key fetched earlier and still fresh
keeps working.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mathreel_shared.auth import DevSigningKey
from mathreel_shared.settings import Settings
from tests.security.conftest import ALLOWED_ORIGIN, GatewayOpener, RunningGateway, new_user
from tests.support.jwks import JwksServer

LIST = "/api/v1/videos/jobs"
ISSUER = "mathreel-dev"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _private_key(server: JwksServer) -> rsa.RSAPrivateKey:
    # JwksServer keeps each generation's key in its key folder; the newest is the one serving.
    pem = sorted(server._key_dir.glob("signing-key-*.pem"))[-1].read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": new_user(), "iss": ISSUER, "iat": now, "nbf": now - 5, "exp": now + 600}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _rs256(key: rsa.RSAPrivateKey, claims: dict[str, Any], kid: str) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _catalogue(server: JwksServer) -> dict[str, str]:
    """Every token the gateway must refuse, by what is wrong with it."""
    key = _private_key(server)
    kid = server.key.kid
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    valid = _rs256(key, _claims(), kid)
    header, payload, signature = valid.split(".")
    tampered_payload = _segment({**json.loads(base64.urlsafe_b64decode(payload + "==")), "sub": "user_victim"})
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs_header = _segment({"alg": "HS256", "typ": "JWT", "kid": kid})
    hs_payload = _segment(_claims())
    hs_signature = _b64(hmac.new(public_pem, f"{hs_header}.{hs_payload}".encode(), hashlib.sha256).digest())
    return {
        "alg none": f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_segment(_claims())}.",
        "alg none, signature kept": f"{_segment({'alg': 'none', 'kid': kid})}.{_segment(_claims())}.{signature}",
        "HS256 keyed with the RSA public key": f"{hs_header}.{hs_payload}.{hs_signature}",
        "wrong key, right kid": _rs256(other_key, _claims(), kid),
        "unknown kid": _rs256(other_key, _claims(), "kid-nobody-published"),
        "no kid": jwt.encode(_claims(), key, algorithm="RS256"),
        "expired": _rs256(key, _claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), kid),
        "nbf in the future (beyond leeway)": _rs256(key, _claims(nbf=int(time.time()) + 3600), kid),
        "wrong issuer": _rs256(key, _claims(iss="https://evil.example"), kid),
        "no issuer": _rs256(key, _claims(iss=None), kid),
        "tampered payload (sub changed)": f"{header}.{tampered_payload}.{signature}",
        "signature of another token": f"{header}.{_segment(_claims())}.{signature}",
        "missing sub": _rs256(key, _claims(sub=None), kid),
        "empty sub": _rs256(key, _claims(sub=""), kid),
        "sub with path characters": _rs256(key, _claims(sub="../../etc"), kid),
        "missing exp": _rs256(key, _claims(exp=None), kid),
        "oversized (> 8 KB)": _rs256(key, _claims(padding="x" * 9000), kid),
        "malformed base64": f"{header}.@@@not-base64@@@.{signature}",
        "two segments": f"{header}.{payload}",
        "garbage": "not-a-jwt",
        "header is not JSON": f"{_b64(b'{not json')}.{payload}.{signature}",
        "RS512 instead of RS256": jwt.encode(_claims(), key, algorithm="RS512", headers={"kid": kid}),
    }


def _assert_401(response: Any, case: str) -> None:
    assert response.status_code == 401, (case, response.status_code, response.text[:200])
    assert response.headers["content-type"].startswith("application/json"), case
    assert isinstance(response.json()["detail"], str), case
    assert response.headers["www-authenticate"].startswith("Bearer"), case


async def test_every_token_in_the_catalogue_is_401(gateway: RunningGateway, jwks_server: JwksServer) -> None:
    good = await gateway.client.get(LIST, headers={"Authorization": f"Bearer {jwks_server.key.mint(new_user())}"})
    assert good.status_code == 200  # the control: the same gateway accepts a well-made token
    catalogue = _catalogue(jwks_server)
    for case, token in catalogue.items():
        response = await gateway.client.get(LIST, headers={"Authorization": f"Bearer {token}"})
        _assert_401(response, case)
    assert len(catalogue) >= 20


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer  ", "bearer", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a b c"],
)
async def test_missing_empty_or_foreign_schemes_are_401(
    gateway: RunningGateway, jwks_server: JwksServer, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    _assert_401(await gateway.client.get(LIST, headers=headers), repr(authorization))


async def test_a_valid_token_under_the_wrong_scheme_is_401(gateway: RunningGateway, jwks_server: JwksServer) -> None:
    token = jwks_server.key.mint(new_user())
    for scheme in ("Basic", "Token", "JWT", "Digest"):
        _assert_401(await gateway.client.get(LIST, headers={"Authorization": f"{scheme} {token}"}), scheme)


async def test_wrong_authorized_party_is_401_when_parties_are_configured(
    gateway_settings: Settings, gateway_opener: GatewayOpener, jwks_server: JwksServer
) -> None:
    settings = gateway_settings.model_copy(update={"authorized_parties": [ALLOWED_ORIGIN]})
    async with gateway_opener(settings) as gateway:
        user = new_user()
        right = await gateway.client.get(
            LIST, headers={"Authorization": f"Bearer {jwks_server.key.mint(user, azp=ALLOWED_ORIGIN)}"}
        )
        assert right.status_code == 200
        for azp in ("https://evil.example", None):
            token = jwks_server.key.mint(user, azp=azp)
            _assert_401(await gateway.client.get(LIST, headers={"Authorization": f"Bearer {token}"}), f"azp={azp}")


async def test_jwks_unreachable_is_503_but_a_fresh_cached_key_keeps_working(
    gateway_settings: Settings, gateway_opener: GatewayOpener, tmp_path: Path
) -> None:
    server = JwksServer(tmp_path / "keys").start()
    try:
        # Refetch on every unknown kid, so the test does not wait out the anti-flood interval.
        settings = gateway_settings.model_copy(update={"jwks_url": server.url, "jwks_min_refetch_seconds": 0.0})
        async with gateway_opener(settings) as gateway:
            token = server.key.mint(new_user())
            headers = {"Authorization": f"Bearer {token}"}
            assert (await gateway.client.get(LIST, headers=headers)).status_code == 200
            server.stop()

            # The key fetched a moment ago is fresh: the JWKS being down changes nothing for its tokens.
            for _ in range(5):
                assert (await gateway.client.get(LIST, headers=headers)).status_code == 200

            # A token naming a key the gateway has not seen needs the JWKS: 503, with a body saying why.
            unknown = DevSigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
            response = await gateway.client.get(LIST, headers={"Authorization": f"Bearer {unknown.mint(new_user())}"})
            assert response.status_code == 503
            assert response.headers["content-type"].startswith("application/json")
            assert "signing keys" in response.json()["detail"]
            assert response.headers["retry-after"]
    finally:
        server.stop()


async def test_a_remembered_token_is_refused_once_its_key_is_withdrawn(
    gateway_settings: Settings, gateway_opener: GatewayOpener, tmp_path: Path
) -> None:
    """The gateway remembers verified tokens; when the JWKS over HTTP stops publishing their key (a rotation that
    drops the old key), they are refused as soon as the fetched keys go stale, as a fresh check would refuse them."""
    server = JwksServer(tmp_path / "keys").start()
    try:
        settings = gateway_settings.model_copy(
            update={"jwks_url": server.url, "jwks_cache_seconds": 1, "jwks_min_refetch_seconds": 0.0}
        )
        async with gateway_opener(settings) as gateway:
            headers = {"Authorization": f"Bearer {server.key.mint(new_user())}"}
            for _ in range(3):
                assert (await gateway.client.get(LIST, headers=headers)).status_code == 200

            server.rotate()  # the old key is no longer published
            await asyncio.sleep(1.2)

            refused = await gateway.client.get(LIST, headers=headers)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
            fresh = {"Authorization": f"Bearer {server.key.mint(new_user())}"}
            assert (await gateway.client.get(LIST, headers=fresh)).status_code == 200
    finally:
        server.stop()


async def test_jwks_unreachable_from_the_start_is_503_not_500(
    gateway_settings: Settings, gateway_opener: GatewayOpener, jwks_server: JwksServer
) -> None:
    # A port nothing listens on: connection refused, as when the JWKS host is down.
    settings = gateway_settings.model_copy(update={"jwks_url": "http://127.0.0.1:9/.well-known/jwks.json"})
    async with gateway_opener(settings) as gateway:
        response = await gateway.client.get(LIST, headers={"Authorization": f"Bearer {jwks_server.key.mint('u_1')}"})
        assert response.status_code == 503
        assert response.json()["detail"].startswith("Authentication is temporarily unavailable")
