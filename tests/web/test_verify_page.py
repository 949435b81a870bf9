"""The verify page: paste or upload any form of a credential, get every check in words."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.web.rendering import PAGE_CSP
from tests.credentials.factories import World


@pytest.fixture
def issued(world: World) -> dict[str, Any]:
    body: dict[str, Any] = world.issue(
        recipient={"name": "Zoë Ångström", "email": "zoe@example.org"}, credits_earned=5
    )
    return body


def _post(client: TestClient, **kwargs: Any) -> Any:
    # Browsers send both fields; an unused file input arrives as an empty, unnamed file.
    files = kwargs.pop("files", {"file": ("", b"", "application/octet-stream")})
    data = kwargs.pop("data", {"credential": ""})
    response = client.post("/verify", data=data, files=files, **kwargs)
    assert response.headers["content-security-policy"] == PAGE_CSP
    return response


def test_the_form_works_without_javascript(client: TestClient) -> None:
    response = client.get("/verify")
    assert response.status_code == 200
    page = response.text
    assert (
        '<form class="verify" method="post" action="/verify" enctype="multipart/form-data">' in page
    )
    assert '<label for="file">' in page
    assert 'id="file" name="file" type="file"' in page
    assert '<label for="credential">' in page
    assert '<textarea id="credential"' in page
    assert "<script" not in page


@pytest.mark.parametrize("form", ["pdf", "png", "svg", "json", "jwt"])
def test_every_download_verifies_when_uploaded(
    client: TestClient, issued: dict[str, Any], form: str
) -> None:
    content = client.get(issued["links"][form]).content
    response = _post(
        client, files={"file": (f"credential.{form}", content, "application/octet-stream")}
    )
    assert response.status_code == 200
    page = response.text
    assert '<h2 id="result-title">Verified</h2>' in page
    assert f"We checked the file credential.{form}." in page
    for expected in [
        "Université d&#39;Exemple</strong> (registered with this service)",
        "Zoë Ångström",
        "Introduction to Python Programming",
        "level 5",
        "5 earned",
        "Issuer&#39;s digital signature",
        "Not revoked or suspended",
    ]:
        assert expected in page, expected
    assert "zoe@example.org" not in page


@pytest.mark.parametrize("field", ["credential", "jwt"])
def test_a_pasted_credential_or_jwt_verifies(
    client: TestClient, issued: dict[str, Any], field: str
) -> None:
    text = json.dumps(issued[field]) if field == "credential" else issued["jwt"]
    response = _post(client, data={"credential": text})
    assert response.status_code == 200
    assert '<h2 id="result-title">Verified</h2>' in response.text
    assert "the pasted credential" in response.text


def test_a_tampered_credential_fails_and_says_which_check(
    client: TestClient, issued: dict[str, Any]
) -> None:
    forged = copy.deepcopy(issued["credential"])
    forged["credentialSubject"]["achievement"]["creditsAvailable"] = 60
    response = _post(client, data={"credential": json.dumps(forged)})
    page = response.text
    assert '<h2 id="result-title">Not verified</h2>' in page
    failed = re.findall(
        r'check-failed">\s*<span class="outcome">Failed</span>\s*<span class="label">([^<]+)<',
        page,
    )
    assert "Issuer&#39;s digital signature" in failed


@pytest.mark.parametrize(
    ("files", "data", "status", "message"),
    [
        (None, None, 400, "Paste a credential or choose a file"),
        ({"file": ("x.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")}, None, 422, "truncated"),
        (
            {"file": ("cv.docx", b"PK\x03\x04\x00\xff", "application/zip")},
            None,
            422,
            "not a credential",
        ),
        (None, {"credential": "hello"}, 422, "neither a JSON credential nor a JWT"),
    ],
)
def test_unreadable_input_gets_a_plain_answer(
    client: TestClient, files: Any, data: Any, status: int, message: str
) -> None:
    kwargs = {k: v for k, v in (("files", files), ("data", data)) if v is not None}
    response = _post(client, **kwargs)
    assert response.status_code == status
    assert message in response.text
    assert 'role="alert"' in response.text


FOREIGN: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "name": "<b>Evil</b> U",
        "url": "javascript:alert(1)",
    },
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {
        "name": "<script>alert('learner')</script>",
        "achievement": {
            "name": "Hacking 101",
            "criteria": {"id": "data:text/html,<script>alert(1)</script>", "narrative": "x"},
            "image": {"id": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="},
            "alignment": [
                {
                    "targetName": "Level <i>9</i>",
                    "targetUrl": "vbscript:x",
                    "targetType": "ext:QualificationFrameworkLevel",
                }
            ],
        },
    },
}


def test_a_hostile_foreign_credential_is_shown_inert(client: TestClient) -> None:
    response = _post(client, data={"credential": json.dumps(FOREIGN)})
    page = response.text
    assert '<h2 id="result-title">Not verified</h2>' in page
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', page)
    assert not [h for h in hrefs if not h.startswith(("/", "#", "https://", "http://"))], hrefs
    assert "<script>alert" not in page
    assert "<b>Evil" not in page
    assert "<i>9" not in page
    assert "&lt;script&gt;alert(&#39;learner&#39;)&lt;/script&gt;" in page
    assert "Level &lt;i&gt;9&lt;/i&gt;" in page


def test_a_self_named_did_key_issuer_never_looks_registered(client: TestClient) -> None:
    """A did:key credential naming itself "Issuer uni-a" read "Verified … Issuer: Issuer uni-a"."""
    from datetime import UTC, datetime

    from app.crypto.data_integrity import add_proof
    from app.crypto.keys import generate_private_key
    from app.crypto.multikey import did_key_for
    from app.crypto.signer import LocalSigner
    from bench.issue import _credential

    key = generate_private_key("Ed25519")
    did = did_key_for(key.public_key())
    document = _credential(1, did)
    document.pop("credentialStatus")
    document["issuer"]["name"] = "Issuer uni-a"
    signed = add_proof(
        document,
        LocalSigner(key, f"{did}#{did.removeprefix('did:key:')}"),
        created=datetime(2026, 1, 1, tzinfo=UTC),
    )

    page = _post(client, data={"credential": json.dumps(signed)}).text
    headline = page[page.index('id="result-title"') : page.index("What it certifies")]

    assert ">Verified<" in headline
    assert 'Issuer: <strong dir="auto">Issuer uni-a' not in headline
    assert f'Issuer: <strong class="issuer-id">{did}</strong>, not registered' in headline
    assert "a name claimed by the issuer, not checked here" in headline
    assert "(registered with this service)" not in headline
