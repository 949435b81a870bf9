"""The pages tell the truth first: the reason of a failure leads, claims are not facts."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.credentials.factories import World


@pytest.fixture
def issued(world: World) -> dict[str, Any]:
    body: dict[str, Any] = world.issue(
        recipient={"name": "Zoë Ångström", "email": "zoe@example.org"}
    )
    return body


def _post(client: TestClient, text: str) -> str:
    response = client.post(
        "/verify",
        data={"credential": text},
        files={"file": ("", b"", "application/octet-stream")},
    )
    return response.text


def _outcomes(page: str) -> dict[str, str]:
    found = re.findall(
        r'<span class="outcome">([^<]+)</span>\s*<span class="label">([^<]+)</span>', page
    )
    return {label: outcome for outcome, label in found}


def test_a_tampered_credential_leads_with_the_reason(
    client: TestClient, issued: dict[str, Any]
) -> None:
    forged = copy.deepcopy(issued["credential"])
    forged["credentialSubject"]["achievement"]["creditsAvailable"] = 60
    page = _post(client, json.dumps(forged))
    headline = re.search(r'<p class="headline"><strong>([^<]+)</strong>', page)
    assert headline is not None
    assert headline.group(1) == (
        "The signature does not match: the content was changed after signing."
    )
    # The headline comes before the list of checks.
    assert page.index('class="headline"') < page.index('class="checks"')


def test_claims_are_not_passed_when_the_signature_failed(
    client: TestClient, issued: dict[str, Any]
) -> None:
    forged = copy.deepcopy(issued["credential"])
    forged["credentialSubject"]["achievement"]["name"] = "Doctor of Medicine"
    page = _post(client, json.dumps(forged))
    outcomes = _outcomes(page)
    assert outcomes["Issuer&#39;s digital signature"] == "Failed"
    for claim in ("Issuer", "What it certifies"):
        assert outcomes[claim] == "Claimed, not verified", claim
    assert "(registered with this service)" not in page
    assert "Issuer (claimed, not verified):" in page
    # The genuine credential still shows them as passed.
    genuine = _outcomes(_post(client, json.dumps(issued["credential"])))
    assert genuine["Issuer"] == "Passed"
    assert genuine["Issuer&#39;s digital signature"] == "Passed"


@pytest.mark.parametrize(
    "document",
    [{"hello": "world"}, {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "Thing"}],
)
def test_json_that_is_not_a_credential_says_so(client: TestClient, document: Any) -> None:
    page = _post(client, json.dumps(document))
    assert "Not verified" in page
    assert "This is JSON, but not a credential" in page
    assert "Passed" not in _outcomes(page).get("Readable credential", "")
    assert "a JSON-LD credential" not in page


def test_an_upload_above_the_body_limit_gets_the_html_page(client: TestClient) -> None:
    big = b"{" + b" " * 20_000_000 + b"}"
    response = client.post(
        "/verify",
        files={"file": ("huge.json", big, "application/json")},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "The file is too large to verify here" in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in response.headers
    # API clients still get problem+json.
    api = client.post(
        "/credentials/verify", content=big, headers={"Content-Type": "application/json"}
    )
    assert api.status_code == 413
    assert api.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_a_withdrawn_credential_offers_no_linkedin_or_wallet(
    world: World, client: TestClient, action: str
) -> None:
    world.achievement = world.create_achievement(suspendable=True)
    issued = world.issue()
    before = client.get(f"/credentials/{issued['id']}").text
    assert "Add to LinkedIn profile" in before
    assert "Add to wallet" in before
    changed = client.post(
        f"/v1/credentials/{issued['id']}/{action}",
        json={"reason": "checking"},
        headers=world.revoke_headers,
    )
    assert changed.status_code == 200, changed.text
    page = client.get(f"/credentials/{issued['id']}").text
    assert "Add to LinkedIn profile" not in page
    assert "Add to wallet" not in page
    assert "linkedin.com" not in page


def test_the_credential_page_states_what_it_certifies_with_the_framework(
    world: World, client: TestClient
) -> None:
    issued = world.issue()
    page = client.get(f"/credentials/{issued['id']}").text
    meaning = re.search(r'<p class="meaning">What it certifies: <span dir="auto">([^<]+)<', page)
    assert meaning is not None
    assert "EQF level 5" in meaning.group(1)


def _multipart_chunks(size: int, boundary: str) -> Iterator[bytes]:
    """A file upload of `size` bytes sent in pieces, with no Content-Length (chunked)."""
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="huge.json"\r\nContent-Type: application/json\r\n\r\n'
    ).encode()
    piece = b" " * 1_000_000
    for _ in range(size // len(piece)):
        yield piece
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.parametrize("through", ["test client", "live server"])
def test_a_chunked_upload_above_the_limit_gets_the_same_answers(
    client: TestClient, request: pytest.FixtureRequest, through: str
) -> None:
    """Without Content-Length the limit is found while reading: same page, same problem."""
    boundary = "learnproof-boundary"
    html = {
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    http: Any = client
    if through == "live server":
        http = httpx.Client(base_url=request.getfixturevalue("live").url, timeout=60)
    try:
        page = http.post(
            "/verify?lang=zh-CN", content=_multipart_chunks(20_000_000, boundary), headers=html
        )
        assert page.request.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in page.request.headers
        assert page.status_code == 413
        assert page.headers["content-type"].startswith("text/html")
        assert "文件过大，无法在此验证" in page.text
        assert page.headers["x-frame-options"] == "DENY"
        api = http.post(
            "/credentials/verify",
            content=(b" " * 1_000_000 for _ in range(20)),
            headers={"Content-Type": "application/json"},
        )
        assert api.request.headers.get("transfer-encoding") == "chunked"
        assert api.status_code == 413
        assert api.headers["content-type"] == "application/problem+json"
        assert api.json()["status"] == 413
    finally:
        if http is not client:
            http.close()
