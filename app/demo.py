"""``learnproof demo``: seeds a demo issuer, achievement and credential (idempotently)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.achievements import service as achievement_service
from app.achievements.schemas import AchievementCreate
from app.core.urls import PublicUrls
from app.credentials import service as credential_service
from app.credentials.schemas import CredentialCreate
from app.errors import NotFound
from app.issuers import service as issuer_service
from app.issuers.schemas import IssuerCreate
from app.issuers.signing import KeyRing

SLUG = "demo-university"


@dataclass(frozen=True)
class Demo:
    did: str
    credential_id: str
    credential_url: str


def seed(session: Session, keyring: KeyRing, *, now: datetime, urls: PublicUrls) -> Demo:
    actor = "cli:demo"
    try:
        issuer = issuer_service.get_issuer(session, SLUG)
    except NotFound:
        issuer = issuer_service.create_issuer(
            session,
            keyring,
            IssuerCreate.model_validate(
                {
                    "slug": SLUG,
                    "name": "Demo University",
                    "url": "https://demo-university.example",
                    "email": "badges@demo-university.example",
                    "description": "A demo issuer created by `learnproof demo`.",
                    # Its certificates show the issuer's look (README "Certificates in the
                    # issuer's colours"); images stay unset: they are the issuer's own.
                    "brand_color": "#8a1538",
                    "signatory_name": "Prof. Dr. Ada Lovelace",
                    "signatory_title": "Dean of Studies",
                }
            ),
            now=now,
            actor=actor,
        )
    achievements = achievement_service.list_achievements(session, issuer)
    achievement = (
        achievements[0]
        if achievements
        else achievement_service.create_achievement(
            session,
            issuer,
            AchievementCreate.model_validate(
                {
                    "name": "Introduction to Data Science",
                    "description": "Cleans, explores and models tabular data with Python.",
                    "criteria": {"narrative": "Completed 8 graded labs and a capstone project."},
                    "achievement_type": "Certificate",
                    "framework_levels": [{"framework": "eqf", "level": "5"}],
                    "isced_f": "0542",
                    "credits_available": 5,
                    "skills": [{"name": "data analysis", "framework": "ESCO"}],
                    # 大数据工程技术人员, a CSCO 2022 digital occupation.
                    "occupations": [{"scheme": "csco2022", "code": "2-02-38-03"}],
                    "industries": [{"scheme": "naics2022", "code": "518210"}],
                }
            ),
            now=now,
            actor=actor,
            urls=urls,
        )
    )
    context = issuer_service.load_context(session, SLUG, urls=urls)
    issued = credential_service.issue_credential(
        session,
        keyring,
        context,
        CredentialCreate.model_validate(
            {
                "achievement_id": achievement.id,
                "recipient": {"name": "Ada Lovelace", "email": "ada@example.org"},
                "credits_earned": 5,
                "external_id": "demo-ada-lovelace",
            }
        ),
        idempotency_key=None,
        now=now,
        actor=actor,
        urls=urls,
    )
    return Demo(
        did=context.did,
        credential_id=issued.record.id,
        credential_url=credential_service.credential_url(urls, issued.record.id),
    )
