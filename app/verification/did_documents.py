"""Controller documents (DID documents, CID 1.0): find a verification method and its key.

Pure. A verification method is only as good as the document that lists it: we record which
document it came from, who it names as controller and which relationships (assertionMethod,
authentication, ...) that document grants it, so key binding can be judged later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote, unquote

from app.crypto.errors import KeyFormatError
from app.crypto.keys import PublicKey, public_key_from_jwk
from app.crypto.multikey import public_key_from_multikey, resolve_did_key

RELATIONSHIPS: Final = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


class ResolutionError(LookupError):
    """A DID, key, issuer metadata or status list could not be obtained; says why in words.

    A LookupError, so `app.crypto.jws.verify_jws` reports it from a key lookup as a failure.
    """


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A public key as its controller document publishes it."""

    id: str
    controller: str
    document_id: str
    public_key: PublicKey
    relationships: frozenset[str]
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    own_issuer: str | None = None  # our issuer's slug, when the key is one of ours


def split_url(url: str) -> tuple[str, str]:
    """`did:…#frag` or `https://…#frag` → (document part, fragment)."""
    base, _, fragment = url.partition("#")
    return base, fragment


def _absolute(reference: Any, document_id: str) -> Any:
    if isinstance(reference, str) and reference.startswith("#"):
        return document_id + reference
    return reference


def _candidates(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for member in ("verificationMethod", *RELATIONSHIPS):
        values = document.get(member)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, Mapping):
                found.append(value)
    return found


def _relationships(document: Mapping[str, Any], method_id: str) -> frozenset[str]:
    granted = set()
    document_id = str(document.get("id"))
    for relationship in RELATIONSHIPS:
        values = document.get(relationship)
        for value in values if isinstance(values, list) else [values]:
            reference = value.get("id") if isinstance(value, Mapping) else value
            if _absolute(reference, document_id) == method_id:
                granted.add(relationship)
    return frozenset(granted)


def public_key_of(method: Mapping[str, Any]) -> PublicKey:
    """The key of a Multikey / Ed25519VerificationKey2020 / JsonWebKey verification method."""
    try:
        if isinstance(method.get("publicKeyMultibase"), str):
            return public_key_from_multikey(method["publicKeyMultibase"])
        if isinstance(method.get("publicKeyJwk"), Mapping):
            return public_key_from_jwk(method["publicKeyJwk"])
    except KeyFormatError as error:
        raise ResolutionError(f"the key {method.get('id')!r} is unusable: {error}") from None
    raise ResolutionError(
        f"the key {method.get('id')!r} has neither publicKeyMultibase nor publicKeyJwk"
    )


def method_from_document(
    document: Mapping[str, Any], method_id: str, *, expected_id: str
) -> VerificationMethod:
    """The verification method `method_id` published by the document whose id is `expected_id`."""
    if not isinstance(document, Mapping):
        raise ResolutionError(f"the document for {expected_id} is not a JSON object")
    document_id = document.get("id")
    if document_id != expected_id:
        raise ResolutionError(
            f"the document fetched for {expected_id} names itself {document_id!r}"
        )
    for candidate in _candidates(document):
        if _absolute(candidate.get("id"), expected_id) != method_id:
            continue
        controller = candidate.get("controller")
        return VerificationMethod(
            id=method_id,
            controller=_absolute(controller, expected_id) if isinstance(controller, str) else "",
            document_id=expected_id,
            public_key=public_key_of(candidate),
            relationships=_relationships(document, method_id),
        )
    raise ResolutionError(f"{expected_id} does not publish the key {method_id}")


def did_key_method(url: str) -> VerificationMethod:
    """The one key of a did:key, from `did:key:z…#z…` or the bare DID (resolved locally)."""
    did, fragment = split_url(url)
    try:
        document = resolve_did_key(did)
    except KeyFormatError as error:
        raise ResolutionError(f"{did} is not a usable did:key: {error}") from None
    method_id = document["verificationMethod"][0]["id"]
    if fragment and f"{did}#{fragment}" != method_id:
        raise ResolutionError(f"{url} names a key that {did} does not hold")
    return method_from_document(document, method_id, expected_id=did)


def did_web_location(did: str) -> tuple[str, str]:
    """(host[:port], path) of the did.json of a did:web (did:web spec §3.2 Read)."""
    parts = did.removeprefix("did:web:").split(":")
    if not did.startswith("did:web:") or not parts[0]:
        raise ResolutionError(f"{did!r} is not a did:web")
    host = unquote(parts[0])
    if not _HOST.match(host):
        raise ResolutionError(f"{did} names an invalid host {host!r}")
    segments = [unquote(p) for p in parts[1:]]
    # Each segment is percent-encoded again below, so "/" cannot smuggle in extra levels.
    if any(s in ("", ".", "..") for s in segments):
        raise ResolutionError(f"{did} has an invalid path")
    path = "/" + "/".join(quote(s, safe="") for s in segments) + "/did.json"
    return host.lower(), "/.well-known/did.json" if not segments else path
