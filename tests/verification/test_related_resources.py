"""relatedResource (VC DM 2.0 §5.3): digests checked on verify; malformed ones never signed."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from app.crypto.jsonld import CONTEXT_FILES, CONTEXTS_DIR
from tests.credentials.factories import World
from tests.verification.conftest import FakeWeb

pytestmark = pytest.mark.usefixtures("verification_state")

V2 = "https://www.w3.org/ns/credentials/v2"
PICTURE = b"\x89PNG\r\n\x1a\n a picture of the learner"


def _sri(body: bytes, algorithm: str = "sha384") -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, body).digest()).decode()


def _multibase(body: bytes) -> str:
    multihash = bytes([0x12, 0x20]) + hashlib.sha256(body).digest()
    return "u" + base64.urlsafe_b64encode(multihash).decode().rstrip("=")


def _issue(world: World, related: list[dict[str, Any]]) -> Any:
    credential = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": world.issuer["did"],
        "credentialSubject": {"id": "did:example:learner"},
        "relatedResource": related,
    }
    return world.client.post(
        "/credentials/issue", json={"credential": credential}, headers=world.issue_headers
    )


def _related(world: World, vc: dict[str, Any]) -> tuple[bool, list[dict[str, Any]]]:
    body = world.client.post("/credentials/verify", json={"verifiableCredential": vc}).json()
    return body["verified"], [c for c in body["checks"] if c["check"] == "related_resource"]


def test_matching_digests_pass_for_vendored_contexts_and_fetched_resources(
    world: World, fake_web: FakeWeb
) -> None:
    fake_web.add("media.example", "/learner.png", PICTURE, {"content-type": "image/png"})
    context = (CONTEXTS_DIR / CONTEXT_FILES[V2]).read_bytes()
    issued = _issue(
        world,
        [
            {"id": V2, "digestSRI": _sri(context)},
            {"id": "https://media.example/learner.png", "digestMultibase": _multibase(PICTURE),
             "digestSRI": _sri(PICTURE, "sha256") + " " + _sri(PICTURE, "sha512")},
        ],
    )  # fmt: skip
    assert issued.status_code == 201, issued.text
    verified, checks = _related(world, issued.json()["verifiableCredential"])
    assert verified is True
    assert [c["outcome"] for c in checks] == ["passed", "passed"]


def test_a_changed_resource_fails_naming_it(world: World, fake_web: FakeWeb) -> None:
    fake_web.add("media.example", "/learner.png", PICTURE + b"!", {"content-type": "image/png"})
    vc = _issue(
        world, [{"id": "https://media.example/learner.png", "digestSRI": _sri(PICTURE)}]
    ).json()["verifiableCredential"]
    verified, [check] = _related(world, vc)
    assert verified is False
    assert check["outcome"] == "failed"
    assert "https://media.example/learner.png" in check["reason"]


def test_a_wrong_digest_of_a_vendored_context_fails(world: World) -> None:
    vc = _issue(world, [{"id": V2, "digestSRI": _sri(b"not the context")}]).json()
    verified, [check] = _related(world, vc["verifiableCredential"])
    assert verified is False
    assert V2 in check["reason"]


def test_an_unobtainable_resource_is_a_warning(world: World, fake_web: FakeWeb) -> None:
    vc = _issue(
        world,
        [
            {"id": "https://media.example/missing.png", "digestSRI": _sri(PICTURE)},
            {"id": "urn:example:offline", "digestMultibase": _multibase(PICTURE)},
        ],
    ).json()["verifiableCredential"]
    verified, checks = _related(world, vc)
    assert verified is True
    assert [c["outcome"] for c in checks] == ["warning", "warning"]
    assert "could not be obtained" in checks[0]["reason"]


def test_a_private_address_is_never_fetched(world: World, fake_web: FakeWeb) -> None:
    vc = _issue(
        world, [{"id": "https://intranet.example/secret", "digestSRI": _sri(PICTURE)}]
    ).json()["verifiableCredential"]
    verified, [check] = _related(world, vc)
    assert check["outcome"] == "warning"
    assert not any(r.url.host == "intranet.example" for r in fake_web.requests)


@pytest.mark.parametrize(
    "related",
    [
        [{"id": "https://media.example/a.png"}],
        [{"digestSRI": "sha256-" + "A" * 43 + "="}],
        [{"id": "not a url", "digestSRI": "sha256-" + "A" * 43 + "="}],
        [{"id": "https://a.example/1", "digestSRI": "md5-AAAA"}],
        [{"id": "https://a.example/1", "digestMultibase": "xABC"}],
        [],
        ["https://a.example/1"],
    ],
)
def test_malformed_related_resources_are_not_signed(
    world: World, related: list[dict[str, Any]]
) -> None:
    response = _issue(world, related)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].startswith("credential.relatedResource")
