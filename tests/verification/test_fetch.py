"""The fetcher: SSRF refusal before any connection, pinning, limits, redirects, caching."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import public_key_to_multikey
from app.crypto.signer import LocalSigner
from app.verification.did_documents import ResolutionError
from app.verification.fetch import Fetcher
from app.verification.resolver import Resolver
from app.verification.service import Verifier
from tests.verification.conftest import PUBLIC_ADDRESS, FakeDns, FakeWeb

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _fetcher(client: httpx.Client, dns: FakeDns, **kwargs: Any) -> Fetcher:
    options: dict[str, Any] = {"allow_hosts": [], "max_bytes": 1000, "timeout_seconds": 1}
    options.update(kwargs)
    return Fetcher(client, resolve_host=dns, **options)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/did.json",
        "https://10.0.0.7/x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        # Issue 11: tunnelled and special-purpose addresses.
        "https://[2002:7f00:1::]/x",  # 6to4 of 127.0.0.1
        "https://[2002:a00:7::1]/x",  # 6to4 of 10.0.0.7
        "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",  # Teredo, client 127.0.0.1
        "https://[64:ff9b::7f00:1]/x",  # NAT64 of 127.0.0.1
        "https://[64:ff9b:1::a00:7]/x",  # local-use NAT64
        "https://[::7f00:1]/x",  # IPv4-compatible 127.0.0.1
        "https://[::ffff:7f00:1]/x",
        "https://192.0.0.1/x",
        "https://192.0.0.9/x",
        "https://192.0.0.171/x",
        "https://192.88.99.1/x",
        "https://100.64.0.1/x",
        "https://[5f00::1]/x",
        "https://[3fff::1]/x",
        "https://0.0.0.0/x",
        "https://224.0.0.1/x",
        "https://intranet.example/x",
        "https://metadata.example/latest/meta-data",
        "https://rebind.example/x",
        "http://public.example/x",
        "ftp://public.example/x",
        "https://user:pw@public.example/x",
    ],
)
def test_refused_without_connecting(url: str, fetcher: Fetcher, fake_web: FakeWeb) -> None:
    with pytest.raises(ResolutionError):
        fetcher.get(url)

    assert fake_web.requests == []


@pytest.mark.parametrize(
    "did",
    [
        "did:web:127.0.0.1",
        "did:web:10.0.0.7:issuers:x",
        "did:web:localhost%3A8000",
        "did:web:intranet.example",
    ],
)
def test_did_web_on_private_hosts_is_refused(did: str, fetcher: Fetcher, fake_web: FakeWeb) -> None:
    with pytest.raises(ResolutionError, match="refused"):
        Resolver(fetcher).verification_method(f"{did}#key-1")

    assert fake_web.requests == []


def test_a_credential_naming_a_private_did_web_fails_without_a_request(
    fetcher: Fetcher, fake_web: FakeWeb
) -> None:
    signer = LocalSigner(generate_private_key(), key_id="did:web:10.0.0.7#key-1")
    credential = add_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:web:10.0.0.7",
            "credentialSubject": {"id": "did:example:1"},
        },
        signer,
        created=NOW,
    )

    report = Verifier(resolver=Resolver(fetcher), now=NOW).credential(credential)

    assert not report.verified
    [proof] = [c for c in report.checks if c.check == "proof"]
    assert "refused to contact 10.0.0.7" in proof.reason
    assert fake_web.requests == []


def test_allow_listed_cidr_is_fetched_pinned_to_the_checked_address(
    http_client: httpx.Client, fake_dns: FakeDns, fake_web: FakeWeb
) -> None:
    fake_web.add_json("intranet.example", "/doc", {"ok": True})
    fetcher = _fetcher(http_client, fake_dns, allow_hosts=["10.0.0.0/8"])

    fetched = fetcher.get("https://intranet.example/doc")

    assert json.loads(fetched.body) == {"ok": True}
    [request] = fake_web.requests
    assert request.url.host == "10.1.2.3"
    assert request.headers["host"] == "intranet.example"
    assert request.extensions["sni_hostname"] == "intranet.example"


def test_http_only_for_allow_listed_hosts(
    http_client: httpx.Client, fake_dns: FakeDns, fake_web: FakeWeb
) -> None:
    fake_web.add_json("intranet.example", "/doc", {"ok": 1})
    fetcher = _fetcher(http_client, fake_dns, allow_hosts=["intranet.example"])

    assert fetcher.allows_http("intranet.example:8080")
    assert not fetcher.allows_http("public.example")
    assert fetcher.get("http://intranet.example/doc").body == b'{"ok": 1}'


def test_redirects_are_not_followed(fetcher: Fetcher, fake_web: FakeWeb) -> None:
    fake_web.handlers[("public.example", "/moved")] = lambda request: httpx.Response(
        302, headers={"location": "http://127.0.0.1/secret"}
    )

    with pytest.raises(ResolutionError, match="redirects are not followed"):
        fetcher.get("https://public.example/moved")

    assert len(fake_web.requests) == 1


@pytest.mark.parametrize("declare_length", [True, False])
def test_bodies_are_capped(
    declare_length: bool, http_client: httpx.Client, fake_dns: FakeDns, fake_web: FakeWeb
) -> None:
    fetcher = _fetcher(http_client, fake_dns)

    def big(request: httpx.Request) -> httpx.Response:
        chunks = (b"x" * 400 for _ in range(10))
        headers = {"content-length": "4000"} if declare_length else {}
        return httpx.Response(200, content=chunks, headers=headers)

    fake_web.handlers[("public.example", "/big")] = big

    with pytest.raises(ResolutionError, match="larger than 1000 bytes"):
        fetcher.get("https://public.example/big")


def test_timeouts_are_reported(fetcher: Fetcher, fake_web: FakeWeb) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    fake_web.handlers[("public.example", "/slow")] = slow

    with pytest.raises(ResolutionError, match="timed out"):
        fetcher.get("https://public.example/slow")


class _Clock:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_cache_honours_max_age(
    http_client: httpx.Client, fake_dns: FakeDns, fake_web: FakeWeb
) -> None:
    clock = _Clock()
    fetcher = _fetcher(http_client, fake_dns, monotonic=clock)
    fake_web.add_json("public.example", "/list", {"v": 1}, **{"cache-control": "max-age=60"})

    fetcher.get("https://public.example/list")
    clock.value += 59
    fetcher.get("https://public.example/list")
    assert len(fake_web.requests) == 1

    clock.value += 2
    fetcher.get("https://public.example/list")
    assert len(fake_web.requests) == 2


def test_no_store_is_not_cached(
    http_client: httpx.Client, fake_dns: FakeDns, fake_web: FakeWeb
) -> None:
    fetcher = _fetcher(http_client, fake_dns)
    fake_web.add_json("public.example", "/live", {"v": 1}, **{"cache-control": "no-store"})

    fetcher.get("https://public.example/live")
    fetcher.get("https://public.example/live")

    assert len(fake_web.requests) == 2


def test_failures_are_cached_briefly(
    http_client: httpx.Client, fake_dns: FakeDns, fake_web: FakeWeb
) -> None:
    clock = _Clock()
    fetcher = _fetcher(http_client, fake_dns, monotonic=clock)

    for _ in range(3):
        with pytest.raises(ResolutionError, match="404"):
            fetcher.get("https://public.example/missing")
    assert len(fake_web.requests) == 1

    clock.value += 31
    with pytest.raises(ResolutionError):
        fetcher.get("https://public.example/missing")
    assert len(fake_web.requests) == 2


def test_did_document_must_name_itself(fetcher: Fetcher, fake_web: FakeWeb) -> None:
    fake_web.add_json("issuer.example", "/.well-known/did.json", {"id": "did:web:other.example"})

    with pytest.raises(ResolutionError, match="names itself"):
        Resolver(fetcher).verification_method("did:web:issuer.example#key-1")


def test_public_address_is_used(fetcher: Fetcher, fake_web: FakeWeb) -> None:
    fake_web.add_json("public.example", "/a", {})

    fetcher.get("https://public.example/a")

    assert fake_web.requests[0].url.host == PUBLIC_ADDRESS


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        type(self).requests.append(self.path)


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A real static file server on 127.0.0.1 (never another interface)."""
    handler = type("Handler", (_Quiet,), {"requests": []})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()


def _did_web_credential(host: str, tmp_path: Path) -> dict[str, Any]:
    did = "did:web:" + host.replace(":", "%3A") + ":issuer"
    private_key = generate_private_key()
    signer = LocalSigner(private_key, key_id=f"{did}#key-1")
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_to_multikey(private_key.public_key()),
            }
        ],
        "assertionMethod": ["#key-1"],
    }
    (tmp_path / "issuer").mkdir()
    (tmp_path / "issuer" / "did.json").write_text(json.dumps(document))
    return add_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": did,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:1"},
        },
        signer,
        created=NOW,
    )


def test_did_web_over_real_loopback_when_allow_listed(
    loopback_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    host, requests = loopback_server
    credential = _did_web_credential(host, tmp_path)
    with httpx.Client(timeout=2) as client:
        fetcher = Fetcher(client, allow_hosts=["127.0.0.1"], max_bytes=100_000, timeout_seconds=2)

        report = Verifier(resolver=Resolver(fetcher), now=NOW).credential(credential)

    assert report.verified, report.checks
    assert requests == ["/issuer/did.json"]


def test_real_loopback_is_never_contacted_when_not_allow_listed(
    loopback_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    host, requests = loopback_server
    credential = _did_web_credential(host, tmp_path)
    with httpx.Client(timeout=2) as client:
        fetcher = Fetcher(client, allow_hosts=[], max_bytes=100_000, timeout_seconds=2)

        report = Verifier(resolver=Resolver(fetcher), now=NOW).credential(credential)

    assert not report.verified
    assert requests == []


@pytest.mark.parametrize("address", ["2002:808:808::1", "64:ff9b::808:808", "8.8.8.8"])
def test_tunnels_to_public_addresses_are_public(address: str) -> None:
    from app.verification.addresses import is_public, parse_ip

    ip = parse_ip(address)
    assert ip is not None
    assert is_public(ip)


def test_a_name_resolving_to_6to4_loopback_is_refused(
    fetcher: Fetcher, fake_dns: FakeDns, fake_web: FakeWeb
) -> None:
    fake_dns.names["sixtofour.example"] = ["2002:7f00:1::"]

    with pytest.raises(ResolutionError, match="non-public address 2002:7f00:1::"):
        fetcher.get("https://sixtofour.example/status/1")
    assert fake_web.requests == []
