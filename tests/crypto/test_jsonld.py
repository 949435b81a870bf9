"""Vendored contexts, the offline loader, safe-mode checks and control characters."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from app.crypto.control_characters import find_control_characters
from app.crypto.errors import ContextNotAllowed, JsonLdProcessingError, UnsafeJsonLd
from app.crypto.jsonld import (
    CONTEXT_FILES,
    CONTEXTS_DIR,
    canonize,
    document_loader,
    load_context,
    undefined_terms,
)

VECTORS = Path(__file__).parents[1] / "vectors"

# sha256 of each vendored file; the first five are the digests the W3C RECs publish
# (VCDM 2.0 appendix, DI §2.4, BSL §5.2). Any edit to a context must show up here.
CONTEXT_SHA256 = {
    "credentials-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "data-integrity-v2.jsonld": "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    "multikey-v1.jsonld": "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    "jwk-v1.jsonld": "0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece",
    "bitstring-status-list-v1.jsonld": (
        "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7"
    ),
    "credentials-examples-v2.jsonld": (
        "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c"
    ),
    "credentials-undefined-terms-v2.jsonld": (
        "82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581"
    ),
    "credentials-v1.jsonld": "ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc",
    "credentials-examples-v1.jsonld": (
        "2070ae4e75bc3b4c2cfe2b8b6e86ec45119672bbb5da283f0399ea96c60a0104"
    ),
    "data-integrity-v1.jsonld": "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
    "did-v1.1edtech-validator.jsonld": (
        "adefa50311393eb1bd788a38ac9fe2696c65367928f6996812cd54577394f4da"
    ),
    "ed25519-signature-2020-v1.jsonld": (
        "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588"
    ),
    "ob-v3p0-context-3.0.3.1edtech-validator.json": (
        "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84"
    ),
    "ob-v3p0-extensions.1edtech-validator.json": (
        "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3"
    ),
    "clr-v2p0-context-2.0.1.1edtech-validator.json": (
        "30e8c666adf9fd720c118ce0bafe65dbd2a88f6d2acf362f34bfb0f4753804d1"
    ),
}


def _ob_credential() -> dict[str, Any]:
    signed = json.loads(
        (VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022" / "signed-credential.json").read_text()
    )
    return {key: value for key, value in signed.items() if key != "proof"}


def test_vendored_contexts_are_the_published_bytes() -> None:
    on_disk = {path.name for path in CONTEXTS_DIR.iterdir() if path.suffix in {".json", ".jsonld"}}

    assert on_disk == set(CONTEXT_FILES.values()) == set(CONTEXT_SHA256)
    for name, digest in CONTEXT_SHA256.items():
        assert hashlib.sha256((CONTEXTS_DIR / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("url", sorted(CONTEXT_FILES))
def test_every_context_url_loads_a_context_document(url: str) -> None:
    remote = document_loader(url)

    assert remote["documentUrl"] == url
    assert "@context" in remote["document"]


def test_loaded_contexts_are_private_copies() -> None:
    url = "https://www.w3.org/ns/credentials/v2"
    load_context(url)["@context"]["VerifiableCredential"] = "mutated"

    assert load_context(url)["@context"]["VerifiableCredential"] != "mutated"


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/context.jsonld",
        "http://www.w3.org/ns/credentials/v2",  # plain http is a different URL
        "https://www.w3.org/ns/credentials/v2/",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://w3id.org/security/v2",
    ],
)
def test_loader_refuses_any_other_url(url: str) -> None:
    with pytest.raises(ContextNotAllowed) as raised:
        document_loader(url)

    assert raised.value.url == url


def test_unknown_context_is_refused_without_touching_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    scoped = {
        "@context": {"term": {"@id": "urn:t", "@context": "https://evil.example/scoped"}},
        "term": {"@id": "urn:x:2"},
    }

    assert canonize(_ob_credential())
    with pytest.raises(ContextNotAllowed, match="evil.example/x"):
        canonize({"@context": "https://evil.example/x", "@id": "urn:x:1"})
    with pytest.raises(ContextNotAllowed, match="scoped"):
        canonize(scoped)
    with pytest.raises(ContextNotAllowed):
        undefined_terms({**_ob_credential(), "@context": ["https://evil.example/y"]})


def test_open_badge_is_safe() -> None:
    assert undefined_terms(_ob_credential()) == []


def test_undeclared_terms_need_the_undefined_terms_context() -> None:
    """VCDM 2.0 has no @vocab: an undeclared property is dropped (unsigned) unless the
    credential opts into https://www.w3.org/ns/credentials/undefined-terms/v2."""
    credential = {**_ob_credential(), "extraThing": "kept"}
    opted_in = {
        **credential,
        "@context": [
            *credential["@context"],
            "https://www.w3.org/ns/credentials/undefined-terms/v2",
        ],
    }

    assert undefined_terms(credential) == ["property 'extraThing' is not defined by the @context"]
    assert "extraThing" not in canonize(credential)
    assert undefined_terms(opted_in) == []
    assert "undefined-term#extraThing" in canonize(opted_in)


def test_undefined_terms_in_a_v1_credential_are_reported() -> None:
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "MysteryCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "relative/path", "favouriteColour": "blue"},
    }

    problems = undefined_terms(credential)

    assert problems == [
        "property 'favouriteColour' is not defined by the @context",
        "@id 'relative/path' is a relative IRI",
        "type 'MysteryCredential' is not defined by the @context",
    ]
    with pytest.raises(UnsafeJsonLd) as raised:
        canonize(credential, safe=True)
    assert raised.value.problems == problems


def test_relative_iris_are_dropped_not_resolved_against_a_made_up_base() -> None:
    """pyld alone would write <http://example.org/base/relative/path>; jsonld.js drops it."""
    document = {
        "@context": {"knows": {"@id": "https://schema.org/knows", "@type": "@id"}},
        "@id": "urn:x:a",
        "knows": ["relative/path", "urn:x:b"],
    }

    assert canonize(document) == "<urn:x:a> <https://schema.org/knows> <urn:x:b> .\n"


def test_safe_mode_rejects_null_mapped_and_keeps_direction() -> None:
    null_mapped = {"@context": {"@vocab": "urn:v:", "secret": None}, "@id": "urn:x", "secret": 1}
    directed = {
        "@context": {"name": "https://schema.org/name"},
        "@id": "urn:x",
        "name": {"@value": "abc", "@direction": "rtl"},
    }

    assert undefined_terms(null_mapped) == [
        "a property mapped to null (or named like a keyword) is dropped"
    ]
    assert undefined_terms(directed) == []


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ({"@value": "abc", "@direction": "rtl"}, '"abc"^^<https://www.w3.org/ns/i18n#_rtl>'),
        (
            {"@value": "مرحبا", "@language": "AR-eg", "@direction": "rtl"},
            '"مرحبا"^^<https://www.w3.org/ns/i18n#ar-eg_rtl>',
        ),
        ({"@value": "hi", "@language": "en"}, '"hi"@en'),
    ],
)
def test_direction_is_an_i18n_datatype_as_in_jsonld_js(value: Any, literal: str) -> None:
    document = {"@context": {"name": "https://schema.org/name"}, "@id": "urn:x", "name": value}

    assert canonize(document, safe=True) == f"<urn:x> <https://schema.org/name> {literal} .\n"


@pytest.mark.parametrize(
    "document",
    [
        {"@context": {"@version": 2.0}},
        {"@context": {"a": {"@id": "urn:a", "@container": "@bogus"}}, "a": 1},
        {"@context": 42},
        {"@id": 5},
    ],
)
def test_invalid_json_ld_is_a_processing_error(document: dict[str, Any]) -> None:
    with pytest.raises(JsonLdProcessingError, match="invalid JSON-LD"):
        canonize(document)


def test_non_object_document_is_refused() -> None:
    with pytest.raises(JsonLdProcessingError):
        canonize(["not", "an", "object"])  # type: ignore[arg-type]


def test_find_control_characters_reports_json_paths() -> None:
    document = {
        "name": "fine\ttabs\nand\r\nnewlines",
        "credentialSubject": {"achievement": [{"name": "ok"}, {"name": "bell\x07"}]},
        "odd key": "nul\x00",
        "key\x1b": "value",
    }

    assert find_control_characters(document) == [
        "$.credentialSubject.achievement[1].name",
        '$["odd key"]',
        '$["key\\u001b"]',
    ]
    assert find_control_characters(_ob_credential()) == []
