"""Fetching other people's documents without becoming an SSRF proxy.

Every URL a credential names (DID documents, status lists, issuer metadata) is attacker
chosen. Before connecting we resolve the host and refuse private, loopback, link-local,
multicast and reserved addresses unless the operator allow-listed the host or a CIDR
(`LEARNPROOF_FETCH_ALLOW_HOSTS`). The request then goes to the very address we checked (the
host travels in `Host` and TLS SNI), so a DNS answer that changes between check and connect
(rebinding) cannot redirect it. Redirects are never followed, bodies are streamed and cut
at `max_bytes`, and answers are cached per Cache-Control max-age, failures briefly.

Each fetch has ONE deadline (`timeout_seconds`) for connecting, sending, reading the headers
and the body: httpx's timeouts apply per socket operation, so a server trickling its headers
a byte at a time would otherwise hold a verification for as long as it likes. The client
from `make_http_client` gives every socket operation only the time left before that deadline
(and never more than the request's own work budget allows).
"""

from __future__ import annotations

import contextvars
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import httpcore
import httpx

from app.core import budget as work_budget
from app.core.cache import PerEntryTtlCache
from app.verification.controllers import ResolutionError

HostResolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_TTL_SECONDS: Final = 300.0
MAX_TTL_SECONDS: Final = 3600.0
NEGATIVE_TTL_SECONDS: Final = 30.0
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "learnproof_fetch_deadline", default=None
)


def _time_left(timeout: float | None) -> float | None:
    """`timeout` cut to what is left of the current fetch's deadline (if one is set)."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the fetch's overall deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _time_left(timeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, each socket operation bounded by the fetch's deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _time_left(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the verifier does not use unix sockets")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """An HTTPTransport whose connections honour the overall deadline of each fetch."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # httpx offers no way to pass a network backend; this is the pool it would build.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_DeadlineBackend(),
        )


def make_http_client(timeout_seconds: float) -> httpx.Client:
    """The client the verifier fetches with (shared by all threads; httpx.Client is safe)."""
    return httpx.Client(
        transport=DeadlineTransport(),
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": "LearnProof-verifier"},
    )


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (no connection is made)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ResolutionError(f"the host {host} cannot be found ({error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    body: bytes
    content_type: str


class AllowList:
    """Hosts (by name) and networks the operator lets us reach although they are private."""

    def __init__(self, entries: Sequence[str]) -> None:
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in entries:
            try:
                self.networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self.names.add(entry.lower())

    def names_host(self, host: str) -> bool:
        return host.lower() in self.names or self.covers(host)

    def covers(self, address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.networks)


def _ip(text: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback, whatever its spelling
    return ip


# IANA special-purpose blocks that are not globally reachable, listed here as well because
# `is_global` depends on the Python release (3.11 still calls most of 192.0.0.0/24 global).
# 192.0.0.0/24 is refused whole, although two of its /32s are anycast services.
_NOT_PUBLIC: Final = tuple(
    ipaddress.ip_network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",  # the deprecated 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "::ffff:0:0/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries and that a packet to it may reach.

    6to4 (2002::/16, e.g. 2002:7f00:1:: is 127.0.0.1), Teredo (server and client),
    IPv4-mapped and -compatible (::a.b.c.d), and the NAT64 well-known prefix.
    """
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64 or int(ip) >> 32 == 0:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _public_one(ip: IPAddress) -> bool:
    # is_global alone lets multicast through (224.0.0.0/4 is not in the private registry).
    special = ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_link_local
    if not ip.is_global or special or ip.is_loopback:
        return False
    return not any(ip.version == block.version and ip in block for block in _NOT_PUBLIC)


def _public(ip: IPAddress) -> bool:
    """Globally reachable, and so is every IPv4 address tunnelled inside it."""
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64:
        # DNS64 networks reach every IPv4-only site this way: judge the IPv4 address
        # (Python calls the prefix reserved, as it lies in ::/8).
        return _public_one(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return _public_one(ip) and all(_public_one(inner) for inner in _embedded_ipv4(ip))


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
        try:
            fetched, ttl = self._fetch(url, accept)
        except ResolutionError as error:
            self._cache.put(url, str(error), NEGATIVE_TTL_SECONDS)
            raise
        self._cache.put(url, fetched, ttl)
        return fetched

    def _address(self, host: str, port: int) -> IPAddress:
        """The checked address to connect to; refuses without ever connecting."""
        literal = _ip(host)
        addresses = [host] if literal is not None else self.resolve_host(host, port)
        if not addresses:
            raise ResolutionError(f"the host {host} has no address")
        named = self.allow.names_host(host)
        checked: list[IPAddress] = []
        for text in addresses:
            ip = _ip(text)
            if ip is None:
                raise ResolutionError(f"the host {host} resolved to an invalid address")
            if not (_public(ip) or named or self.allow.covers(str(ip))):
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
        token = _DEADLINE.set(deadline)
        try:
            return self._stream(url, pinned, headers, extensions, deadline)
        except (httpx.TimeoutException, ResolutionError):
            # Cut short by this request's own deadline, not by the server: say so, and keep
            # it out of the negative cache (it says nothing about the URL for other requests).
            if budget is not None and budget.wall_remaining() <= 0:
                budget.check_now()
            raise
        finally:
            _DEADLINE.reset(token)

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
