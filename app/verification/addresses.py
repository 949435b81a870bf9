"""Which addresses a fetch may reach: public ones, and those the operator allow-listed
(`LEARNPROOF_FETCH_ALLOW_HOSTS`, by host name or CIDR). IPv4 embedded in IPv6 (mapped, 6to4,
Teredo, NAT64) is judged as the IPv4 address it carries.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Final

from app.verification.did_documents import ResolutionError

HostResolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (no connection is made)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ResolutionError(f"the host {host} cannot be found ({error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


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
        ip = parse_ip(address)
        return ip is not None and any(ip in network for network in self.networks)


def parse_ip(text: str) -> IPAddress | None:
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


def is_public(ip: IPAddress) -> bool:
    """Globally reachable, and so is every IPv4 address tunnelled inside it."""
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64:
        # DNS64 networks reach every IPv4-only site this way: judge the IPv4 address
        # (Python calls the prefix reserved, as it lies in ::/8).
        return _public_one(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return _public_one(ip) and all(_public_one(inner) for inner in _embedded_ipv4(ip))
