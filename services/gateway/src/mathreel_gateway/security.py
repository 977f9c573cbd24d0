"""Building the token verifier: Clerk's JWKS over HTTP, or the gateway's own development key served in process.

Both cases verify with the same ``TokenVerifier.verify``; only where the JWKS document comes from differs. The
development JWKS is read in process rather than over HTTP so the gateway never calls itself (which would deadlock a
single-worker server and depends on ``public_base_url`` being reachable from inside).
"""

from __future__ import annotations

import httpx

from mathreel_shared.auth import DevSigningKey, JwksCache, TokenVerifier
from mathreel_shared.settings import Settings


def dev_jwks_transport(signing_key: DevSigningKey) -> httpx.MockTransport:
    """An HTTP transport answering every request with the development key's JWKS, so the gateway verifies its own
    tokens through exactly the same ``JwksCache`` code as Clerk's, without calling itself over the network."""

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=signing_key.jwks())

    return httpx.MockTransport(answer)


def build_verifier(settings: Settings, dev_key: DevSigningKey | None = None) -> TokenVerifier:
    """The verifier for ``settings``: remote JWKS when ``jwks_url`` is set, else ``dev_key``'s JWKS in process."""
    jwks: JwksCache
    if settings.jwks_url:
        jwks = JwksCache(
            settings.jwks_url,
            ttl_seconds=settings.jwks_cache_seconds,
            min_refetch_interval=settings.jwks_min_refetch_seconds,
        )
    else:
        if dev_key is None:
            raise ValueError("a development signing key is required when no jwks_url is configured")
        jwks = JwksCache(
            "http://in-process/.well-known/jwks.json",
            ttl_seconds=settings.jwks_cache_seconds,
            transport=dev_jwks_transport(dev_key),
        )
    return TokenVerifier(
        jwks,
        issuer=settings.jwt_issuer,
        authorized_parties=settings.authorized_parties,
        leeway_seconds=settings.jwt_leeway_seconds,
        max_lifetime_seconds=settings.max_token_lifetime_seconds,
    )
