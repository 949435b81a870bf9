"""OpenAPI shapes of the verification endpoints (bodies are read by `request_bodies.py`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CheckRead(BaseModel):
    check: str = Field(
        description="parsing, contexts, structure, proof, key_binding, validity, "
        "status, issuer_trust, meaning (presentations and CLRs: credentials)"
    )
    outcome: Literal["passed", "failed", "warning", "skipped"]
    reason: str = Field(description="What was found, in plain words")
    problem_type: str | None = Field(
        default=None, description="The VC DM / Data Integrity / Bitstring Status List problem URL"
    )


class ProblemDetailRead(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    detail: str


class VerificationReport(BaseModel):
    """Every check with its outcome; `verified` is true only when none failed."""

    model_config = ConfigDict(extra="allow")

    verified: bool
    checks: list[CheckRead]
    warnings: list[ProblemDetailRead]
    errors: list[ProblemDetailRead]
    problemDetails: list[ProblemDetailRead]  # noqa: N815 (VCALM member name)
    mediaType: str | None = None  # noqa: N815
    issuer: dict[str, Any] | None = None
    meaning: dict[str, Any] | None = Field(
        default=None,
        description="The achievement: name, type, credits, field of study, alignments "
        "(with equivalent levels in other frameworks when aligned to our framework pages)",
    )
    credential: dict[str, Any] | None = None
    successor: str | None = Field(
        default=None,
        description="For a credential of ours that was re-issued: the id of its corrected "
        "successor (the old one is revoked with reason 'superseded')",
    )
    credentials: list[VerificationReport] | None = Field(
        default=None, description="A ClrCredential's included credentials, one report each"
    )


class PresentationReport(VerificationReport):
    presentation: dict[str, Any] | None = None
    credentials: list[VerificationReport]


class BatchReport(BaseModel):
    results: list[VerificationReport]


VERIFY_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["verifiableCredential"],
                    "properties": {
                        "verifiableCredential": {
                            "description": "A JSON-LD credential, a VC-JWT string, or an "
                            "EnvelopedVerifiableCredential (id = data:application/vc+jwt,<jwt>)",
                            "oneOf": [{"type": "object"}, {"type": "string"}],
                        },
                        "options": {"type": "object", "additionalProperties": True},
                    },
                }
            },
            "application/vc+jwt": {"schema": {"type": "string"}},
        },
    }
}
PRESENTATION_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "verifiablePresentation": {"type": "object"},
                        "presentation": {"type": "object", "description": "unsigned"},
                        "options": {
                            "type": "object",
                            "properties": {
                                "challenge": {"type": "string"},
                                "domain": {"type": "string"},
                            },
                        },
                    },
                }
            }
        },
    }
}
BATCH_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["credentials"],
                    "properties": {
                        "credentials": {"type": "array", "minItems": 1, "maxItems": 1000},
                        "options": {"type": "object"},
                    },
                }
            }
        },
    }
}
