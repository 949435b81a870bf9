"""Fetching other people's documents without becoming an SSRF proxy.

Every URL a credential names (DID documents, status lists, issuer metadata) is attacker
chosen. Before connecting we resolve the host and refuse private, loopback, link-local,
multicast and reserved addresses unless the operator allow-listed the host or a CIDR
(`LEARNPROOF_FETCH_ALLOW_HOSTS`). The request then goes to the very address we checked (the
host travels in `Host` and TLS SNI), so a DNS answer that changes between check and connect
(rebinding) cannot redirect it. Redirects are never followed, bodies are streamed and cut
at `max_bytes`, and answers are cached per Cache-Control max-age, failures briefly.

Each fetch has ONE deadline (`timeout_seconds`) for all of it: see `deadline.py`. Which
addresses are public or allow-listed is decided in `addresses.py`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import httpx

from app.core import budget as work_budget
from app.core.cache import PerEntryTtlCache
from app.verification.addresses import (
    AllowList,
    HostResolver,
    IPAddress,
    is_public,
    parse_ip,
    system_resolver,
)
from app.verification.deadline import FETCH_DEADLINE
from app.verification.did_documents import ResolutionError

DEFAULT_TTL_SECONDS: Final = 300.0
MAX_TTL_SECONDS: Final = 3600.0
NEGATIVE_TTL_SECONDS: Final = 30.0
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    body: bytes
    content_type: str


def _cache_seconds(cache_control: str) -> float:
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return 0.0
    match = _MAX_AGE.search(cache_control)
    return min(float(match.group(1)), MAX_TTL_SECONDS) if match else DEFAULT_TTL_SECONDS


class Fetcher:
    """GET with SSRF refusal, address pinning, size and time caps, and a small cache."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_hosts: Sequence[str],
        max_bytes: int,
        timeout_seconds: float,
        resolve_host: HostResolver = system_resolver,
        monotonic: Callable[[], float] = time.monotonic,
        max_entries: int = 1024,
    ) -> None:
        self.client = client
        self.allow = AllowList(allow_hosts)
        self.max_bytes = max_bytes
        self.timeout = timeout_seconds
        self.resolve_host = resolve_host
        self.monotonic = monotonic
        self.max_entries = max_entries
        # A failure is cached as its message, briefly (NEGATIVE_TTL_SECONDS).
        self._cache: PerEntryTtlCache[str, Fetched | str] = PerEntryTtlCache(
            max_entries=max_entries, timer=lambda: self.monotonic()
        )

    def allows_http(self, host: str) -> bool:
        """Plain http is only for hosts the operator allow-listed (tests, intranets)."""
        return self.allow.names_host(urlsplit(f"//{host}").hostname or host)

    def get(self, url: str, *, accept: str = "application/json") -> Fetched:
        """The body at `url`, or ResolutionError saying in words why not."""
        found, cached = self._cache.get(url)
        if found:
            if isinstance(cached, str):
                raise ResolutionError(cached)
            assert cached is not None
            return cached
        work_budget.about_to_wait(f"fetching {url}")
        try:
            fetched, ttl = self._fetch(url, accept)
        except ResolutionError as error:
            self._cache.put(url, str(error), NEGATIVE_TTL_SECONDS)
            raise
        self._cache.put(url, fetched, ttl)
        return fetched

    def _address(self, host: str, port: int) -> IPAddress:
        """The checked address to connect to; refuses without ever connecting."""
        literal = parse_ip(host)
        addresses = [host] if literal is not None else self.resolve_host(host, port)
        if not addresses:
            raise ResolutionError(f"the host {host} has no address")
        named = self.allow.names_host(host)
        checked: list[IPAddress] = []
        for text in addresses:
            ip = parse_ip(text)
            if ip is None:
                raise ResolutionError(f"the host {host} resolved to an invalid address")
            if not (is_public(ip) or named or self.allow.covers(str(ip))):
                raise ResolutionError(
                    f"refused to contact {host}: it resolves to the non-public address {ip} "
                    "(allow it with LEARNPROOF_FETCH_ALLOW_HOSTS if this is intended)"
                )
            checked.append(ip)
        return checked[0]

    def _fetch(self, url: str, accept: str) -> tuple[Fetched, float]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.username or parts.password or not host:
            raise ResolutionError(f"{url!r} is not a URL we can fetch")
        if parts.scheme not in ("https", "http"):
            raise ResolutionError(f"{url!r} is not an https URL")
        if parts.scheme == "http" and not self.allow.names_host(host):
            raise ResolutionError(f"refused to fetch {url} over plain http (https is required)")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ResolutionError(f"{url!r} has an invalid port") from None
        ip = self._address(host, port)
        netloc = f"[{ip}]" if ip.version == 6 else str(ip)
        pinned = parts._replace(netloc=f"{netloc}:{port}", fragment="").geturl()
        headers = {
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "Accept": accept,
            # A pooled connection opened for another name on this address would carry that
            # name's TLS session; closing after each response keeps the pin honest.
            "Connection": "close",
        }
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        try:
            return self._read(url, pinned, headers, extensions)
        except httpx.TimeoutException:
            raise ResolutionError(
                f"fetching {url} timed out: no complete answer within {self.timeout:g} s "
                "(LEARNPROOF_FETCH_TIMEOUT_SECONDS)"
            ) from None
        except httpx.HTTPError as error:
            kind = "failed"
            raise ResolutionError(
                f"fetching {url} {kind}: {error or type(error).__name__}"
            ) from None

    def _read(
        self, url: str, pinned: str, headers: dict[str, str], extensions: dict[str, str]
    ) -> tuple[Fetched, float]:
        deadline = time.monotonic() + self.timeout
        budget = work_budget.current()
        if budget is not None:
            budget.check_now()  # no fetch for a request that is already over
            deadline = min(deadline, budget.deadline)
        token = FETCH_DEADLINE.set(deadline)
        try:
            return self._stream(url, pinned, headers, extensions, deadline)
        except (httpx.TimeoutException, ResolutionError):
            # Cut short by this request's own deadline, not by the server: say so, and keep
            # it out of the negative cache (it says nothing about the URL for other requests).
            if budget is not None and budget.wall_remaining() <= 0:
                budget.check_now()
            raise
        finally:
            FETCH_DEADLINE.reset(token)

    def _stream(
        self,
        url: str,
        pinned: str,
        headers: dict[str, str],
        extensions: dict[str, str],
        deadline: float,
    ) -> tuple[Fetched, float]:
        with self.client.stream(
            "GET",
            pinned,
            headers=headers,
            extensions=extensions,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
        ) as response:
            if response.is_redirect:
                target = response.headers.get("location", "?")
                raise ResolutionError(f"{url} redirects to {target}; redirects are not followed")
            if response.status_code != 200:
                raise ResolutionError(f"{url} answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise ResolutionError(f"{url} is larger than {self.max_bytes} bytes")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise ResolutionError(f"{url} is larger than {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise ResolutionError(
                        f"{url} took longer than {self.timeout:g} s to download "
                        "(LEARNPROOF_FETCH_TIMEOUT_SECONDS)"
                    )
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            ttl = _cache_seconds(response.headers.get("cache-control", ""))
        return Fetched(url=url, body=bytes(body), content_type=content_type.lower()), ttl
