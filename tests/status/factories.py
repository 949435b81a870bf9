"""Issuers, achievements and credentials as bare rows, for status tests.

Credentials go through ``allocate_entries`` exactly as issuance calls it (allocation first,
the credential row added afterwards in the same transaction), but are not signed: status
code never reads the signature.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.achievements.models import Achievement
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials.models import Credential
from app.issuers import service as issuer_service
from app.issuers.schemas import IssuerCreate, KeyType
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import service as status_service
from tests.conftest import TEST_PUBLIC_URL


def make_issuer(
    session: Session,
    keyring: KeyRing,
    *,
    now: datetime,
    slug: str = "uni-example",
    key_type: KeyType = "Ed25519",
) -> IssuerContext:
    issuer_service.create_issuer(
        session,
        keyring,
        IssuerCreate(
            slug=slug,
            name="Université d'Exemple",
            url="https://uni.example.org",
            email="badges@uni.example.org",
            key_type=key_type,
        ),
        now=now,
        actor="test",
    )
    return issuer_service.load_context(session, slug, urls=PublicUrls(TEST_PUBLIC_URL))


def make_achievement(
    session: Session, context: IssuerContext, *, now: datetime, suspendable: bool = False
) -> Achievement:
    achievement = Achievement(
        id=new_id(),
        issuer_id=context.issuer.id,
        name="Data Analysis",
        description="Analyses data sets.",
        tags=[],
        skills=[],
        result_descriptions=[],
        framework_levels=[],
        suspendable=suspendable,
        created_at=now,
    )
    session.add(achievement)
    session.flush()
    return achievement


def make_credential(
    session: Session,
    context: IssuerContext,
    achievement: Achievement,
    *,
    now: datetime,
    rng: random.Random | None = None,
    reserve_with: sessionmaker[Session] | None = None,
) -> Credential:
    credential_id = new_id()
    status = status_service.allocate_entries(
        session,
        context,
        reserve_with=reserve_with,
        credential_id=credential_id,
        suspendable=achievement.suspendable,
        urls=PublicUrls(TEST_PUBLIC_URL),
        rng=rng,
        now=now,
    )
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"{TEST_PUBLIC_URL}/credentials/{credential_id}",
        "type": ["VerifiableCredential"],
        "issuer": {"id": context.did},
        "validFrom": "2026-11-26T12:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
        "credentialStatus": status,
    }
    credential = Credential(
        id=credential_id,
        issuer_id=context.issuer.id,
        achievement_id=achievement.id,
        signing_key_id=context.active_key.id,
        document=document,
        jwt="not-signed-in-status-tests",
        valid_from=now,
        status="active",
        public_page=True,
        issued_at=now,
    )
    session.add(credential)
    session.flush()
    return credential


def entries_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``credentialStatus`` entries of a credential document, always as a list."""
    status = document["credentialStatus"]
    return status if isinstance(status, list) else [status]


@dataclass
class StatusWorld:
    """One issuer with a plain and a suspendable achievement."""

    session: Session
    context: IssuerContext
    plain: Achievement
    suspendable: Achievement
    now: datetime

    @classmethod
    def create(cls, session: Session, keyring: KeyRing, now: datetime) -> StatusWorld:
        context = make_issuer(session, keyring, now=now)
        return cls(
            session=session,
            context=context,
            plain=make_achievement(session, context, now=now),
            suspendable=make_achievement(session, context, now=now, suspendable=True),
            now=now,
        )

    def credential(self, *, suspendable: bool = False) -> Credential:
        achievement = self.suspendable if suspendable else self.plain
        return make_credential(self.session, self.context, achievement, now=self.now)
