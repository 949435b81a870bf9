"""Awards: issue the pathway's target achievement when, and only when, the evaluation is met.

Once per learner and pathway. A retry finds the stored award and returns it; two requests
racing both evaluate and sign, but only one award row can be inserted (unique pathway +
recipient): the loser's savepoint rolls back its credential, record and status entries, and
it answers with the winner's credential. On PostgreSQL the loser's insert waits for the
winner's transaction, so it sees the committed row.

The awarded Open Badge records what it rests on: one OB 3.0 ``evidence`` entry per counted
credential (its id, achievement and credits) and per transfer rule applied. The learner's
CLR 2.0 record — the award with every counted credential, proofs intact — is signed in the
same transaction and linked from the award.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clr import service as clr_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import service as credential_service
from app.credentials.models import Credential
from app.credentials.schemas import CredentialCreate, Recipient
from app.errors import InvalidInput, NotFound
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.pathways import evaluating
from app.pathways.evaluating import Evaluation
from app.pathways.models import Pathway, PathwayAward
from app.pathways.presenting import Presented
from app.verification.service import Verifier

# CredentialCreate takes up to 50 evidence entries; the rest are summed up in the last one.
_MAX_EVIDENCE: Final = 50


@dataclass(frozen=True)
class Awarded:
    award: PathwayAward
    credential: Credential
    replayed: bool
    evaluation: Evaluation | None


def recipient_key(recipient: Recipient) -> str:
    """The same learner whatever salt their credentials use: DID, else lower-cased email."""
    if recipient.did is not None:
        basis = f"did:{recipient.did}"
    else:
        basis = f"email:{str(recipient.email).strip().lower()}"
    return hashlib.sha256(basis.encode()).hexdigest()


def _existing(session: Session, pathway: Pathway, key: str) -> PathwayAward | None:
    return session.scalar(
        select(PathwayAward).where(
            PathwayAward.pathway_id == pathway.id, PathwayAward.recipient_key == key
        )
    )


def _evidence(evaluated: Evaluation, urls: PublicUrls) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for _value, facts, credits in evaluating.counted_inputs(evaluated):
        what = facts.achievement_name or facts.achievement or "a credential"
        entry: dict[str, Any] = {
            "name": f"Counted: {what}"[:500],
            "narrative": (
                f"Credential {facts.key} issued by {facts.issuer} was verified and counted "
                f"with {credits:g} credits toward {evaluated.pathway.name}."
            ),
        }
        if facts.key.startswith(("https://", "http://")):
            entry["id"] = facts.key
        items.append(entry)
    for rule in evaluated.result.rules:
        if rule["credentials"]:
            items.append(
                {
                    "id": urls.transfer_rule(rule["id"]),
                    "name": "Transfer rule applied",
                    "narrative": (
                        f"Transfer rule {rule['id']} counted {rule['credits']:g} credits for "
                        f"{len(rule['credentials'])} credential(s)."
                    ),
                }
            )
    if len(items) > _MAX_EVIDENCE:
        rest = items[_MAX_EVIDENCE - 1 :]
        items = items[: _MAX_EVIDENCE - 1]
        items.append(
            {
                "name": f"{len(rest)} more counted credentials and rules",
                "narrative": "; ".join(item["narrative"] for item in rest)[:20_000],
            }
        )
    return items


def award(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    verifier: Verifier,
    pathway: Pathway,
    recipient: Recipient,
    credentials: list[Any],
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> Awarded:
    key = recipient_key(recipient)
    existing = _existing(session, pathway, key)
    if existing is not None:
        return _replay(session, existing)
    evaluated = evaluating.evaluate(
        session,
        verifier,
        pathway,
        Presented(credentials=credentials),
        now=now,
        urls=urls,
        holder=recipient,
    )
    if not evaluated.result.met:
        body = evaluating.to_json(evaluated, urls=urls)
        raise InvalidInput(
            f"The pathway is not met, so nothing was awarded: {body['summary']}.",
            field="credentials",
            extra={"evaluation": body},
        )
    data = CredentialCreate.model_validate(
        {
            "achievement_id": pathway.target_achievement_id,
            "recipient": recipient.model_dump(mode="json", exclude_none=True),
            "credits_earned": min(evaluated.result.credits, 1000),
            "evidence": _evidence(evaluated, urls),
        }
    )
    counted = evaluating.counted_inputs(evaluated)
    try:
        with session.begin_nested():
            issued = credential_service.issue_credential(
                session,
                keyring,
                context,
                data,
                idempotency_key=None,
                now=now,
                actor=actor,
                urls=urls,
            )
            included = [issued.record.document] + [
                value for value, _facts, _credits in counted if isinstance(value, Mapping)
            ]
            target = issued.record.document["credentialSubject"]["achievement"]["id"]
            associations = [
                {"associationType": "isParentOf", "sourceId": target, "targetId": facts.achievement}
                for _value, facts, _credits in counted
                if isinstance(_value, Mapping) and facts.achievement and facts.achievement != target
            ]
            clr = clr_service.sign_clr(
                session,
                keyring,
                context,
                recipient,
                included,
                _unique(associations),
                name=f"{pathway.name}: learner record",
                now=now,
                actor=actor,
                urls=urls,
            )
            record = PathwayAward(
                id=new_id(),
                pathway_id=pathway.id,
                recipient_key=key,
                credential_id=issued.record.id,
                clr_credential_id=clr.id,
                counted=[facts.key for _value, facts, _credits in counted],
                credits=evaluated.result.credits,
                created_at=now,
            )
            session.add(record)
            session.flush()
    except IntegrityError:
        winner = _existing(session, pathway, key)
        if winner is None:
            raise
        return _replay(session, winner)
    return Awarded(record, issued.record, replayed=False, evaluation=evaluated)


def _unique(associations: list[dict[str, Any]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for item in associations:
        seen.setdefault((item["sourceId"], item["targetId"]), item)
    return list(seen.values())


def _replay(session: Session, existing: PathwayAward) -> Awarded:
    credential = session.get(Credential, existing.credential_id)
    assert credential is not None, "the foreign key guarantees the credential exists"
    return Awarded(existing, credential, replayed=True, evaluation=None)


def get_award(session: Session, pathway: Pathway, award_id: str) -> PathwayAward:
    found = session.get(PathwayAward, award_id) if len(award_id) <= 36 else None
    if found is None or found.pathway_id != pathway.id:
        raise NotFound(f"Pathway '{pathway.id}' has no award '{award_id}'.")
    return found


def award_for_credential(session: Session, credential_id: str) -> PathwayAward | None:
    """The award that issued this credential, if any."""
    return session.scalar(select(PathwayAward).where(PathwayAward.credential_id == credential_id))
