"""A credential from another platform (did:key issuer), signed here with a throwaway key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def third_party_credential(alignment: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    private_key = generate_private_key()
    did = did_key_for(private_key.public_key())
    signer = LocalSigner(private_key, f"{did}#{did.removeprefix('did:key:')}")
    unsigned = {
        "@context": CONTEXTS,
        "id": "urn:uuid:5d7e4a43-7a4e-4bfb-9c3a-1a2b3c4d5e6f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Another MOOC Platform"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Web Development Bootcamp",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "https://mooc.example.org/achievements/web",
                "type": ["Achievement"],
                "name": "Web Development Bootcamp",
                "description": "Builds web applications.",
                "criteria": {"narrative": "Completed twelve projects."},
                "alignment": alignment,
            },
        },
        **overrides,
    }
    return add_proof(unsigned, signer, created=datetime(2026, 1, 1, tzinfo=UTC))
