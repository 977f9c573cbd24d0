"""Where a webhook may be sent: public addresses only, so a user cannot make the server call into its own network.

A URL is checked when it is registered and again before every delivery, and the delivery connects to the address
that was checked (``resolve_webhook_target``): a name that resolved to a public address at the check cannot be
switched to an internal one between the check and the connection (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The metadata service of the clouds (AWS, GCP, Azure, OpenStack): link-local too, named on its own for the message.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
RESOLVE_TIMEOUT_SECONDS = 5.0


class UnsafeWebhookUrl(ValueError):
    """The URL cannot receive webhooks; the message says why, for the API's 422 and the delivery log."""


def address_refusal(address: IpAddress) -> str | None:
    """Why ``address`` may not receive webhooks, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_refusal(address.ipv4_mapped)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "an address that is not publicly routable"
    return None


@dataclass(frozen=True)
class WebhookTarget:
    """A checked URL: its parts and the address to connect to."""

    url: SplitResult
    host: str
    port: int
    address: IpAddress

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the host name (the request's Host header and the TLS
        server name keep the name)."""
        literal = f"[{self.address}]" if isinstance(self.address, ipaddress.IPv6Address) else str(self.address)
        path = self.url.path or "/"
        query = f"?{self.url.query}" if self.url.query else ""
        return f"{self.url.scheme}://{literal}:{self.port}{path}{query}"

    @property
    def host_header(self) -> str:
        default = 443 if self.url.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def parse_webhook_url(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port; ``UnsafeWebhookUrl`` unless it is an absolute http(s) URL without
    credentials."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeWebhookUrl(f"the URL is malformed: {exc}") from exc
    if parts.scheme not in {"http", "https"}:
        raise UnsafeWebhookUrl("only http and https URLs can receive webhooks")
    if not parts.hostname:
        raise UnsafeWebhookUrl("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookUrl("the URL must not carry credentials")
    if parts.fragment:
        raise UnsafeWebhookUrl("the URL must not have a fragment")
    return parts, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve_webhook_target(url: str, *, allow_private: bool) -> WebhookTarget:
    """Resolve ``url``'s host and return the address to deliver to.

    Every address the name resolves to is checked, not only the one used, so a name that mixes public and internal
    addresses is refused. ``allow_private`` (development and tests) accepts any address.
    """
    parts, host, port = parse_webhook_url(url)
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: list[IpAddress] = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=RESOLVE_TIMEOUT_SECONDS
            )
        except (OSError, TimeoutError) as exc:
            raise UnsafeWebhookUrl(f"the host {host!r} does not resolve") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        if not addresses:
            raise UnsafeWebhookUrl(f"the host {host!r} does not resolve")
    if not allow_private:
        for address in addresses:
            reason = address_refusal(address)
            if reason is not None:
                raise UnsafeWebhookUrl(
                    f"the host {host!r} resolves to {address}, {reason}; webhooks go to public addresses only"
                )
    return WebhookTarget(parts, host, port, addresses[0])
