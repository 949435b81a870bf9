"""Multibase, Multikey and did:key against the published key pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.crypto.encoding import b58_encode
from app.crypto.errors import EncodingError, KeyFormatError
from app.crypto.jsonld import canonize, undefined_terms
from app.crypto.keys import generate_private_key, key_type_of
from app.crypto.multikey import (
    did_key_for,
    multibase_decode,
    multibase_encode,
    public_key_from_did_key_url,
    public_key_from_multikey,
    public_key_to_multikey,
    resolve_did_key,
    secret_key_from_multikey,
    secret_key_to_multikey,
)

VECTORS = Path(__file__).parents[1] / "vectors"


def _key_pairs() -> list[tuple[str, str, str | None]]:
    """(key type, publicKeyMultibase, secretKeyMultibase or None) from every vector folder."""
    pairs = {}
    for file in [
        "di-eddsa-rdfc-2022/keyPair.json",
        "di-ecdsa-rdfc-2019-p256/p256KeyPair.json",
        "di-ecdsa-rdfc-2019-p384/p384KeyPair.json",
    ]:
        pair = json.loads((VECTORS / file).read_text())
        pairs[pair["publicKeyMultibase"]] = pair.get("secretKeyMultibase") or pair.get(
            "privateKeyMultibase"
        )
    chain = json.loads((VECTORS / "di-proof-set-chain" / "multiKeyPairs.json").read_text())
    for pair in chain.values():
        pairs[pair["publicKeyMultibase"]] = pair["privateKeyMultibase"]
    kinds = {"z6Mk": "Ed25519", "zDna": "P-256", "z82L": "P-384"}
    return [(kinds[public[:4]], public, secret) for public, secret in pairs.items()]


KEY_PAIRS = _key_pairs()
SIGNING_PAIRS = [pair for pair in KEY_PAIRS if pair[0] != "P-384"]


def test_vectors_cover_every_key_kind() -> None:
    assert {kind for kind, _, _ in KEY_PAIRS} == {"Ed25519", "P-256", "P-384"}
    assert len(KEY_PAIRS) == 7


@pytest.mark.parametrize(("kind", "public", "secret"), KEY_PAIRS)
def test_public_multikey_round_trip(kind: str, public: str, secret: str | None) -> None:
    key = public_key_from_multikey(public)

    assert key_type_of(key) == kind
    assert public_key_to_multikey(key) == public


@pytest.mark.parametrize(("kind", "public", "secret"), SIGNING_PAIRS)
def test_secret_multikey_round_trip_matches_its_public_key(
    kind: str, public: str, secret: str
) -> None:
    private_key = secret_key_from_multikey(secret)

    assert key_type_of(private_key) == kind
    assert secret_key_to_multikey(private_key) == secret
    assert public_key_to_multikey(private_key.public_key()) == public


def test_open_badges_64_byte_secret_form() -> None:
    values = json.loads(
        (VECTORS / "di-openbadges-3.0-eddsa-rdfc-2022" / "key-and-expected-values.json").read_text()
    )

    private_key = secret_key_from_multikey(values["secretKeyMultibase"])

    assert isinstance(private_key, Ed25519PrivateKey)
    assert public_key_to_multikey(private_key.public_key()) == values["publicKeyMultibase"]
    assert private_key.public_key().public_bytes_raw().hex() == values["publicKeyHex"]


def test_64_byte_secret_with_a_foreign_public_half_is_refused() -> None:
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()

    with pytest.raises(KeyFormatError, match="public half"):
        secret_key_from_multikey("z" + b58_encode(b"\x80\x26" + seed + other))


@pytest.mark.parametrize(
    ("header", "length"),
    [
        (b"\xe7\x01", 33),  # secp256k1-pub
        (b"\xec\x01", 32),  # x25519-pub
        (b"\x82\x24", 67),  # p521-pub
        (b"\x80\x26", 32),  # an Ed25519 *secret* where a public key is expected
        (b"\x86\x26", 32),  # a P-256 secret
        (b"\x00\x00", 32),
    ],
)
def test_public_decoder_refuses_other_headers(header: bytes, length: int) -> None:
    with pytest.raises(KeyFormatError, match="header"):
        public_key_from_multikey("z" + b58_encode(header + bytes(length)))


@pytest.mark.parametrize(
    "header", [b"\xed\x01", b"\x80\x24", b"\x87\x26", b"\x81\x26", b"\x00\x00"]
)
def test_secret_decoder_refuses_other_headers(header: bytes) -> None:
    with pytest.raises(KeyFormatError, match="header"):
        secret_key_from_multikey("z" + b58_encode(header + bytes(range(1, 33))))


@pytest.mark.parametrize(
    "value",
    [
        "z" + b58_encode(b"\xed\x01" + bytes(31)),  # short Ed25519 key
        "z" + b58_encode(b"\x80\x24" + b"\x04" + bytes(32)),  # uncompressed marker
        "z" + b58_encode(b"\x80\x24" + b"\x02" + b"\xff" * 32),  # x beyond the field
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0",  # '0' is not base58
        "u7QE",  # base64url multibase is not a Multikey
        "",
    ],
)
def test_malformed_multikeys_are_refused(value: str) -> None:
    with pytest.raises(KeyFormatError):
        public_key_from_multikey(value)


def test_a_multikey_is_decoded_once_and_a_refused_one_every_time() -> None:
    value = public_key_to_multikey(generate_private_key("Ed25519").public_key())
    short = "z" + b58_encode(b"\xed\x01" + bytes(31))

    assert public_key_from_multikey(value) is public_key_from_multikey(value)
    for _ in range(2):
        with pytest.raises(KeyFormatError):
            public_key_from_multikey(short)


def test_multibase_both_bases() -> None:
    data = bytes(range(40))

    assert multibase_encode(data).startswith("z")
    assert multibase_encode(data, "base64url").startswith("u")
    assert multibase_decode(multibase_encode(data)) == data
    assert multibase_decode(multibase_encode(data, "base64url")) == data
    assert multibase_decode("uAAEC") == b"\x00\x01\x02"


@pytest.mark.parametrize("value", ["fdeadbeef", "mAAEC", "uAAEC=", "uAA+C", "z0", ""])
def test_multibase_refuses_other_bases_and_sloppy_text(value: str) -> None:
    with pytest.raises(EncodingError):
        multibase_decode(value)


@pytest.mark.parametrize(("kind", "public", "secret"), KEY_PAIRS)
def test_did_key_round_trip(kind: str, public: str, secret: str | None) -> None:
    key = public_key_from_multikey(public)
    did = did_key_for(key)

    assert did == f"did:key:{public}"
    assert public_key_to_multikey(public_key_from_did_key_url(f"{did}#{public}")) == public
    assert public_key_to_multikey(public_key_from_did_key_url(did)) == public


def test_did_document_follows_the_did_key_spec() -> None:
    public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    did = f"did:key:{public}"
    method = f"{did}#{public}"

    document = resolve_did_key(did)

    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": public}
        ],
        "authentication": [method],
        "assertionMethod": [method],
        "capabilityInvocation": [method],
        "capabilityDelegation": [method],
    }
    assert undefined_terms(document) == []
    assert "https://w3id.org/security#Multikey" in canonize(document)


def test_did_document_for_a_generated_p256_key() -> None:
    key = generate_private_key("P-256").public_key()
    did = did_key_for(key)

    assert did.startswith("did:key:zDn")
    method = resolve_did_key(did)["verificationMethod"][0]
    assert public_key_from_multikey(method["publicKeyMultibase"]) == key


@pytest.mark.parametrize(
    "url",
    [
        "did:web:example.com",
        "did:key:",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    ],
)
def test_bad_did_key_urls_are_refused(url: str) -> None:
    with pytest.raises(KeyFormatError):
        public_key_from_did_key_url(url)


def test_resolve_takes_a_bare_did() -> None:
    public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

    with pytest.raises(KeyFormatError):
        resolve_did_key(f"did:key:{public}#{public}")
