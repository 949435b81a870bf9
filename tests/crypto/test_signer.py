"""LocalSigner: signature formats, determinism, and no key material in reprs."""

from __future__ import annotations

import copy
import pickle

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from app.crypto.encoding import b64url_encode
from app.crypto.errors import KeyFormatError
from app.crypto.keys import KeyType, generate_private_key, private_key_to_bytes, public_jwk
from app.crypto.multikey import public_key_to_multikey, secret_key_to_multikey
from app.crypto.signer import LocalSigner, Signer

KEY_ID = "did:web:learnproof.example:issuers:demo#key-1"


@pytest.mark.parametrize(("key_type", "alg"), [("Ed25519", "EdDSA"), ("P-256", "ES256")])
def test_signer_describes_its_key(key_type: KeyType, alg: str) -> None:
    private_key = generate_private_key(key_type)
    signer = LocalSigner(private_key, KEY_ID)

    assert isinstance(signer, Signer)
    assert signer.key_id == KEY_ID
    assert signer.key_type == key_type
    assert signer.jws_algorithm == alg
    assert signer.public_multikey() == public_key_to_multikey(private_key.public_key())
    assert signer.public_jwk() == public_jwk(private_key.public_key())


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256"])
def test_repr_and_pickle_never_reveal_the_key(key_type: KeyType) -> None:
    private_key = generate_private_key(key_type)
    signer = LocalSigner(private_key, KEY_ID)
    raw = private_key_to_bytes(private_key)
    secrets = [raw.hex(), b64url_encode(raw), secret_key_to_multikey(private_key)]

    shown = [repr(signer), str(signer), f"{signer!r}", repr([signer])]

    assert all(secret not in text for secret in secrets for text in shown)
    assert repr(signer) == f"LocalSigner(key_id={KEY_ID!r}, key_type={key_type!r})"
    with pytest.raises(TypeError):
        pickle.dumps(signer)
    with pytest.raises(TypeError):
        copy.deepcopy(signer)


def test_p256_signatures_are_deterministic_raw_r_s() -> None:
    private_key = generate_private_key("P-256")
    signer = LocalSigner(private_key, KEY_ID)

    first, second = signer.sign(b"data"), signer.sign(b"data")

    assert first == second
    assert len(first) == 64
    assert signer.sign(b"other") != first
    der = encode_dss_signature(int.from_bytes(first[:32], "big"), int.from_bytes(first[32:], "big"))
    public_key = private_key.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    public_key.verify(der, b"data", ec.ECDSA(hashes.SHA256()))


def test_ed25519_signatures() -> None:
    private_key = generate_private_key("Ed25519")
    signature = LocalSigner(private_key, KEY_ID).sign(b"data")

    assert isinstance(private_key, Ed25519PrivateKey)
    assert len(signature) == 64
    private_key.public_key().verify(signature, b"data")


def test_only_signing_key_types_and_a_key_id() -> None:
    with pytest.raises(KeyFormatError):
        LocalSigner(ec.generate_private_key(ec.SECP384R1()), KEY_ID)
    with pytest.raises(ValueError, match="key_id"):
        LocalSigner(generate_private_key("Ed25519"), "")
