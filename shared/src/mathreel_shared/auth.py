"""Clerk session JWT verification, and the development key that lets standalone mode run the same code.

Tokens are RS256, verified against a JWKS fetched over HTTP: keys are cached, fetched without blocking the event
loop, and an unknown ``kid`` triggers one refetch (rate-limited) so key rotation works. ``iss``, ``exp``, ``nbf``
(with a small leeway) and, when configured, ``azp`` are checked; ``sub`` is the user id. The numeric claims must be
JSON numbers (PyJWT would read ``"exp": "1796357738"`` as a number), and a token may not live longer than the
configured maximum (``exp - iat``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
from cachetools import LRUCache
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from mathreel_shared.domain import validate_user_id

MAX_TOKEN_BYTES = 8192
# The claims RFC 7519 defines as NumericDate: a JSON number, never a string or a boolean.
_NUMERIC_CLAIMS = ("exp", "iat", "nbf")
DEFAULT_MAX_LIFETIME_SECONDS = 24 * 3600
# Verified tokens remembered, so a client polling with the same session token is not RSA-verified on every request.
VERIFIED_CACHE_SIZE = 10_000
_MIN_REFETCH_INTERVAL = 10.0


class AuthError(Exception):
    """The token is not acceptable (answered 401)."""


class JwksUnavailable(Exception):
    """The JWKS endpoint cannot be reached and no fresh cached key fits (answered 503)."""


@dataclass(frozen=True)
class Principal:
    user_id: str
    session_id: str | None
    claims: dict[str, Any]


class JwksCache:
    """The signing keys of one JWKS URL, refreshed when stale or when a token names an unknown key."""

    def __init__(
        self,
        url: str,
        *,
        ttl_seconds: float = 300.0,
        timeout: float = 5.0,
        min_refetch_interval: float = _MIN_REFETCH_INTERVAL,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self._ttl = ttl_seconds
        self._timeout = timeout
        self._min_refetch_interval = min_refetch_interval
        self._transport = transport
        self._keys: dict[str, Any] = {}
        # None until the first fetch (attempt): a monotonic clock may start near 0 on a freshly booted host, so no
        # number stands for "never" (0.0 looked like a fetch made at boot, fresh while the uptime was under the TTL).
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def _fetch(self) -> None:
        self._last_attempt = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JwksUnavailable(f"cannot fetch signing keys: {type(exc).__name__}") from exc
        keys: dict[str, Any] = {}
        for jwk in document.get("keys", []):
            if jwk.get("kty") == "RSA" and jwk.get("kid") and jwk.get("use", "sig") == "sig":
                keys[jwk["kid"]] = RSAAlgorithm.from_jwk(json.dumps(jwk))
        self.fetch_count += 1
        self._keys = keys
        self._fetched_at = time.monotonic()

    def _fetched_within(self, seconds: float, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < seconds

    async def key_for(self, kid: str) -> Any:
        if kid in self._keys and self._fetched_within(self._ttl, time.monotonic()):
            return self._keys[kid]
        async with self._lock:
            now = time.monotonic()
            fresh = self._fetched_within(self._ttl, now)
            if kid in self._keys and fresh:
                return self._keys[kid]
            # Unknown kid (rotation) or stale cache: refetch, but not more often than the minimum interval.
            retry_due = self._last_attempt is None or now - self._last_attempt >= self._min_refetch_interval
            if not fresh or retry_due or not self._keys:
                try:
                    await self._fetch()
                except JwksUnavailable:
                    if kid in self._keys and self._fetched_within(2 * self._ttl, now):
                        return self._keys[kid]  # grace: keep serving a recently fetched key
                    raise
        if kid not in self._keys:
            raise AuthError("token signed with an unknown key")
        return self._keys[kid]

    def has_fresh_key(self, kid: str) -> bool:
        """Whether ``kid`` is among the keys of the last fetch and that fetch is within its time to live."""
        return kid in self._keys and self._fetched_within(self._ttl, time.monotonic())

    async def ready(self) -> bool:
        """Whether the keys were fetched within their time to live, fetching them if not (never fetched included)."""
        try:
            if not self._fetched_within(self._ttl, time.monotonic()):
                async with self._lock:
                    await self._fetch()
        except JwksUnavailable:
            return False
        return True


@dataclass(frozen=True)
class _Verified:
    principal: Principal
    kid: str
    expires_at: float


class TokenVerifier:
    """Verifies tokens; remembers the verified ones until they expire.

    A token is a string the server has already proven authentic: asking again whether the same string is valid has
    the same answer until its ``exp`` (plus the leeway) passes, or until its key leaves the JWKS. Both are checked on
    every cache hit, so a cached token is refused at the same moment a fresh verification would refuse it.
    """

    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str | None,
        authorized_parties: list[str] | None = None,
        leeway_seconds: int = 30,
        max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME_SECONDS,
    ) -> None:
        self.jwks = jwks
        self._max_lifetime = max_lifetime_seconds
        self._issuer = issuer
        self._parties = set(authorized_parties or [])
        self._leeway = leeway_seconds
        self._verified: LRUCache[str, _Verified] = LRUCache(maxsize=VERIFIED_CACHE_SIZE)

    async def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError("token too large")
        known = self._verified.get(token)
        if known is not None:
            if time.time() < known.expires_at and self.jwks.has_fresh_key(known.kid):
                return known.principal
            self._verified.pop(token, None)
        principal, kid = await self._verify_signed(token)
        exp = principal.claims.get("exp")
        if isinstance(exp, int | float):
            self._verified[token] = _Verified(principal, kid, float(exp) + self._leeway)
        return principal

    async def _verify_signed(self, token: str) -> tuple[Principal, str]:
        """Check the signature and the claims of ``token``; its principal and the id of the key that signed it."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("malformed token") from exc
        if header.get("alg") != "RS256":
            raise AuthError("token must be signed with RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token has no key id")
        key = await self.jwks.key_for(kid)
        options: Any = {"require": ["exp", "iat", "sub"], "verify_aud": False}
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                issuer=self._issuer,
                leeway=self._leeway,
                options=options,
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthError("token not valid yet") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError("token issuer not accepted") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        for name in _NUMERIC_CLAIMS:
            # PyJWT converts a string such as "1796357738" to check it, and accepts it: RFC 7519 says a number.
            value = claims.get(name)
            if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise AuthError(f"claim {name} must be a number")
        if claims["exp"] - claims["iat"] > self._max_lifetime:
            raise AuthError(f"token lifetime exceeds {self._max_lifetime} seconds")
        if self._parties:
            azp = claims.get("azp")
            if azp not in self._parties:
                raise AuthError("token authorized party not accepted")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise AuthError("token has no subject")
        try:
            validate_user_id(subject)
        except ValueError as exc:
            raise AuthError("token subject is not a valid user id") from exc
        session_id = claims.get("sid")
        return Principal(subject, session_id if isinstance(session_id, str) else None, claims), kid


class DevSigningKey:
    """An RSA key kept on disk, used in development and standalone mode in place of Clerk's."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._key = private_key
        public_numbers = private_key.public_key().public_numbers()
        self.kid = f"dev-{public_numbers.n % (1 << 64):016x}"

    @classmethod
    def load_or_create(cls, path: Path) -> DevSigningKey:
        if path.is_file():
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise ValueError(f"{path} is not an RSA private key")
            return cls(loaded)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        # Two processes may race to create the key: linking is atomic, the loser loads the winner's key.
        with contextlib.suppress(FileExistsError):
            path.hardlink_to(tmp)
        tmp.unlink(missing_ok=True)
        return cls.load_or_create(path)

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def mint(
        self,
        user_id: str,
        *,
        issuer: str | None = "mathreel-dev",
        ttl_seconds: int = 3600,
        azp: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": user_id,
            "iat": now,
            "nbf": now - 5,
            "exp": now + ttl_seconds,
            "sid": f"sess_{uuid.uuid4().hex[:16]}",
        }
        if issuer:
            claims["iss"] = issuer
        if azp:
            claims["azp"] = azp
        claims.update(extra or {})
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})
