"""Credentials for the pure proof tests: realistic shape, any script, hostile text."""

from __future__ import annotations

from typing import Any

CHINESE_NAME = "李小龙"
ARABIC_ISSUER = "جامعة القاهرة"


def credential(**subject_overrides: Any) -> dict[str, Any]:
    achievement = {
        "id": "https://uni.example.org/achievements/1",
        "type": ["Achievement"],
        "name": "Introduction to Data Science",
        "description": "Explores data with Python.",
        "criteria": {"narrative": "Passed the final project.", "id": "https://uni.example.org/c"},
        "achievementType": "Certificate",
        "creditsAvailable": 5,
        "fieldOfStudy": "Software and applications development and analysis",
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": "European Qualifications Framework, level 5: EQF level 5",
                "targetCode": "5",
                "targetFramework": "European Qualifications Framework",
                "targetType": "ext:QualificationFrameworkLevel",
                "targetUrl": "http://127.0.0.1:8000/frameworks/eqf/levels/5",
            },
            {
                "type": ["Alignment"],
                "targetName": "Software and applications development and analysis",
                "targetCode": "0613",
                "targetFramework": "ISCED-F 2013",
                "targetType": "ext:ISCEDFieldOfStudy",
                "targetUrl": "http://127.0.0.1:8000/isced-f/0613",
            },
        ],
    }
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": f"{CHINESE_NAME} (Zoë Ångström)",
        "achievement": achievement,
        **subject_overrides,
    }
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "http://127.0.0.1:8000/credentials/0b6c6f55-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:uni.example.org", "name": ARABIC_ISSUER, "url": "https://u.eg"},
        "validFrom": "2026-11-26T12:00:00Z",
        "credentialSubject": subject,
        "proof": [{"type": "DataIntegrityProof", "proofValue": "z3FXQ"}],
    }


JWT = "eyJhbGciOiJFZERTQSJ9.eyJpZCI6InVybjp4In0.c2lnbmF0dXJl"
