"""Building the token verifier: Clerk's JWKS over HTTP, or the gateway's own development key served in process.

Both cases verify with the same ``TokenVerifier.verify``; only where the JWKS document comes from differs. The
development JWKS is read in process rather than over HTTP so the gateway never calls itself (which would deadlock a
single-worker server and depends on ``public_base_url`` being reachable from inside).
"""

from __future__ import annotations

import json
import time
from typing import Any

from jwt.algorithms import RSAAlgorithm

from mathreel_shared.auth import DevSigningKey, JwksCache, TokenVerifier
from mathreel_shared.settings import Settings


class InProcessJwksCache(JwksCache):
    """A ``JwksCache`` whose document is the development key's JWKS instead of an HTTP response."""

    def __init__(self, signing_key: DevSigningKey, *, ttl_seconds: float = 300.0) -> None:
        super().__init__("in-process:dev-signing-key", ttl_seconds=ttl_seconds)
        self._signing_key = signing_key

    async def _fetch(self) -> None:
        self._last_attempt = time.monotonic()
        keys: dict[str, Any] = {}
        for jwk in self._signing_key.jwks()["keys"]:
            keys[jwk["kid"]] = RSAAlgorithm.from_jwk(json.dumps(jwk))
        self.fetch_count += 1
        self._keys = keys
        self._fetched_at = time.monotonic()


def build_verifier(settings: Settings, dev_key: DevSigningKey | None = None) -> TokenVerifier:
    """The verifier for ``settings``: remote JWKS when ``jwks_url`` is set, else ``dev_key``'s JWKS in process."""
    jwks: JwksCache
    if settings.jwks_url:
        jwks = JwksCache(settings.jwks_url, ttl_seconds=settings.jwks_cache_seconds)
    else:
        if dev_key is None:
            raise ValueError("a development signing key is required when no jwks_url is configured")
        jwks = InProcessJwksCache(dev_key, ttl_seconds=settings.jwks_cache_seconds)
    return TokenVerifier(
        jwks,
        issuer=settings.jwt_issuer,
        authorized_parties=settings.authorized_parties,
        leeway_seconds=settings.jwt_leeway_seconds,
    )
