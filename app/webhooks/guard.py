"""Webhook URLs obey the verifier's SSRF rules, at registration and at every delivery.

The rule is the verifier's own (``app.verification.fetch``): resolve the host, refuse
private, loopback, link-local, multicast and reserved addresses unless allow-listed
(``LEARNPROOF_FETCH_ALLOW_HOSTS``), and connect to the very address that was checked, so a
DNS answer that changes after the check (rebinding) cannot redirect a delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from app.verification.addresses import HostResolver, system_resolver
from app.verification.did_documents import ResolutionError
from app.verification.fetch import Fetcher

MAX_URL_LENGTH = 2000


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message says why in words."""


@dataclass(frozen=True)
class Target:
    """Where to connect (the checked address) and what to send as Host / TLS SNI."""

    url: str
    pinned_url: str
    host_header: str
    sni_hostname: str | None


class UrlGuard:
    def __init__(
        self, *, allow_hosts: Sequence[str], resolve_host: HostResolver = system_resolver
    ) -> None:
        # The Fetcher holds the allow-list and the address rule; it never fetches here.
        self._rule = Fetcher(
            httpx.Client(transport=httpx.MockTransport(_never)),
            allow_hosts=allow_hosts,
            max_bytes=1,
            timeout_seconds=1,
            resolve_host=resolve_host,
        )

    def check_syntax(self, url: str) -> None:
        """What can be judged without DNS: scheme, host, credentials, port, length."""
        if len(url) > MAX_URL_LENGTH:
            raise UnsafeUrl(f"the URL is longer than {MAX_URL_LENGTH} characters")
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("https", "http") or not host:
            raise UnsafeUrl(f"{url!r} is not an absolute https URL")
        if parts.username or parts.password:
            raise UnsafeUrl("the URL must not carry a user name or password")
        if parts.fragment:
            raise UnsafeUrl("the URL must not carry a fragment")
        if parts.scheme == "http" and not self._rule.allows_http(host):
            raise UnsafeUrl(f"{url} uses plain http; webhooks need https")
        try:
            _ = parts.port
        except ValueError:
            raise UnsafeUrl(f"{url!r} has an invalid port") from None

    def target(self, url: str) -> Target:
        """Check the URL and resolve it to a pinned address; UnsafeUrl when refused."""
        self.check_syntax(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            ip = self._rule._address(host, port)
        except ResolutionError as error:
            raise UnsafeUrl(str(error)) from None
        netloc = f"[{ip}]" if ip.version == 6 else str(ip)
        pinned = parts._replace(netloc=f"{netloc}:{port}", fragment="").geturl()
        return Target(
            url=url,
            pinned_url=pinned,
            host_header=parts.netloc,
            sni_hostname=host if parts.scheme == "https" else None,
        )


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the URL guard never sends requests")
