"""Transfer rules: "credentials of issuer X (for achievement A, or at level L, in field F)
count N credits toward pathway P (and satisfy its requirement R)".

Each rule is published as a credential signed by the pathway's issuer, with its own
revocation entry; its ``credentialSubject`` is a Credential Engine ``TransferValueProfile``
(CTDL: transfer value, from, for). The terms are defined by an inline JSON-LD context, so the
rule needs no context that would have to be fetched. Revoking the rule's credential (through
``POST /v1/credentials/{id}/revoke`` or the rule's own revoke route) removes it from every
evaluation from then on: evaluations read the rule's status each time and are never cached.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import isoformat_z
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import documents
from app.credentials.models import Credential, CredentialStatus
from app.errors import InvalidInput, NotFound
from app.frameworks import service as frameworks_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.pathways import requirements, service
from app.pathways.models import Pathway, TransferRule
from app.pathways.schemas import TransferRuleCreate, TransferRuleRead

V2: Final = "https://www.w3.org/ns/credentials/v2"
CTDL: Final = "https://purl.org/ctdl/terms/"
_TERMS: Final = "urn:learnproof:vocab:credit-bank#"
OB_VOCAB: Final = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
RULE_CONTEXT: Final[dict[str, Any]] = {
    "TransferRuleCredential": f"{_TERMS}TransferRuleCredential",
    "TransferValueProfile": f"{CTDL}TransferValueProfile",
    "TransferValueSource": f"{_TERMS}TransferValueSource",
    "Pathway": f"{CTDL}Pathway",
    "QuantitativeValue": "https://schema.org/QuantitativeValue",
    "RuleEvidence": f"{OB_VOCAB}Evidence",
    "transferValue": {"@id": f"{CTDL}transferValue"},
    "transferValueFrom": {"@id": f"{CTDL}transferValueFrom"},
    "transferValueFor": {"@id": f"{CTDL}transferValueFor"},
    "sourceIssuer": {"@id": f"{_TERMS}sourceIssuer", "@type": "@id"},
    "sourceAchievement": {"@id": f"{_TERMS}sourceAchievement", "@type": "@id"},
    "sourceFrameworkLevel": {"@id": f"{_TERMS}sourceFrameworkLevel", "@type": "@id"},
    "sourceFieldOfStudy": f"{_TERMS}sourceFieldOfStudy",
    "requirementName": f"{_TERMS}requirementName",
    "creditValue": "https://schema.org/value",
    "creditUnit": "https://schema.org/unitText",
    "narrative": f"{OB_VOCAB}narrative",
}


def _source(
    session: Session, body: TransferRuleCreate, registry: service.RegistryLookups
) -> tuple[str | None, tuple[str, str] | None]:
    achievement = None
    if body.source.achievement is not None:
        try:
            achievement = registry.achievement(body.source.achievement, "from.achievement").url
        except requirements.RequirementError as error:
            raise InvalidInput(f"'{error.field}' {error.message}.", field=error.field) from None
    level = None
    if body.source.framework_level is not None:
        ref = body.source.framework_level
        if set(ref) != {"framework", "level"}:
            raise InvalidInput(
                '\'from.framework_level\' must be {"framework": CODE, "level": CODE}.',
                field="from.framework_level",
            )
        try:
            registry.level(ref["framework"], ref["level"], "from.framework_level")
        except requirements.RequirementError as error:
            raise InvalidInput(f"'{error.field}' {error.message}.", field=error.field) from None
        level = (ref["framework"], ref["level"])
    if body.source.isced_f is not None:
        try:
            registry.isced_f(body.source.isced_f, "from.isced_f")
        except requirements.RequirementError as error:
            raise InvalidInput(f"'{error.field}' {error.message}.", field=error.field) from None
    return achievement, level


def create_rule(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    body: TransferRuleCreate,
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> TransferRule:
    issuer = context.issuer
    try:
        pathway = service.get_issuer_pathway(session, issuer, body.target.pathway)
    except NotFound as error:
        raise InvalidInput(error.detail, field="to.pathway") from None
    registry = service.RegistryLookups(session, urls)
    tree = service.load_tree(session, pathway, urls=urls, registry=registry)
    if body.target.requirement is not None and body.target.requirement not in requirements.named(
        tree
    ):
        known = ", ".join(sorted(requirements.named(tree))) or "none has a name"
        raise InvalidInput(
            f"Pathway '{pathway.name}' has no requirement named '{body.target.requirement}' "
            f"(its named requirements: {known}).",
            field="to.requirement",
        )
    achievement, level = _source(session, body, registry)
    rule_id = documents_id = new_id()
    status = documents.revocation_entry(
        session, context, credential_id=documents_id, urls=urls, now=now
    )
    unsigned = build_rule_credential(
        rule_id=rule_id,
        urls=urls,
        issuer={"id": context.did, "name": issuer.name},
        pathway=pathway,
        body=body,
        achievement=achievement,
        level=level,
        status=status,
    )
    documents.sign_and_store(
        session,
        keyring,
        context,
        unsigned,
        credential_id=documents_id,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        recipient_name=None,
        recipient_did=None,
        now=now,
        actor=actor,
        action="transfer_rule.created",
    )
    record = TransferRule(
        id=rule_id,
        issuer_id=issuer.id,
        pathway_id=pathway.id,
        credential_id=documents_id,
        source_issuer=body.source.issuer,
        source_achievement=achievement,
        source_framework=level[0] if level else None,
        source_level=level[1] if level else None,
        source_isced_f=body.source.isced_f,
        requirement=body.target.requirement,
        credits=body.credits,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def build_rule_credential(
    *,
    rule_id: str,
    urls: PublicUrls,
    issuer: dict[str, Any],
    pathway: Pathway,
    body: TransferRuleCreate,
    achievement: str | None,
    level: tuple[str, str] | None,
    status: dict[str, Any] | list[dict[str, Any]],
) -> dict[str, Any]:
    """Pure: the unsigned rule credential."""
    url = urls.transfer_rule(rule_id)
    source: dict[str, Any] = {"type": ["TransferValueSource"], "sourceIssuer": body.source.issuer}
    if achievement is not None:
        source["sourceAchievement"] = achievement
    if level is not None:
        source["sourceFrameworkLevel"] = frameworks_service.level_url(urls, *level)
    if body.source.isced_f is not None:
        source["sourceFieldOfStudy"] = body.source.isced_f
    target: dict[str, Any] = {
        "id": service.pathway_url(urls, pathway.id),
        "type": ["Pathway"],
        "name": pathway.name,
    }
    if body.target.requirement is not None:
        target["requirementName"] = body.target.requirement
    credential: dict[str, Any] = {
        "@context": [V2, RULE_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "TransferRuleCredential"],
        "name": f"Transfer rule toward {pathway.name}",
        "issuer": issuer,
        "validFrom": isoformat_z(body.valid_from),
    }
    if body.valid_until is not None:
        credential["validUntil"] = isoformat_z(body.valid_until)
    credential["credentialSubject"] = {
        "id": f"{url}#terms",
        "type": ["TransferValueProfile"],
        "transferValueFrom": source,
        "transferValueFor": target,
        "transferValue": {
            "type": ["QuantitativeValue"],
            "creditValue": body.credits,
            "creditUnit": "credits",
        },
    }
    evidence = []
    for item in body.evidence:
        entry: dict[str, Any] = {"type": ["RuleEvidence"]}
        if item.id is not None:
            entry["id"] = str(item.id)
        if item.name:
            entry["name"] = item.name
        if item.narrative:
            entry["narrative"] = item.narrative
        evidence.append(entry)
    if evidence:
        credential["evidence"] = evidence
    credential["credentialStatus"] = status
    return credential


def get_rule(session: Session, rule_id: str) -> tuple[TransferRule, Credential]:
    rule = session.get(TransferRule, rule_id) if len(rule_id) <= 36 else None
    credential = session.get(Credential, rule.credential_id) if rule else None
    if rule is None or credential is None:
        raise NotFound(f"No transfer rule has the id '{rule_id}'.")
    return rule, credential


def rule_read(rule: TransferRule, credential: Credential, *, urls: PublicUrls) -> TransferRuleRead:
    source: dict[str, Any] = {"issuer": rule.source_issuer}
    if rule.source_achievement:
        source["achievement"] = rule.source_achievement
    if rule.source_framework:
        source["framework_level"] = {"framework": rule.source_framework, "level": rule.source_level}
    if rule.source_isced_f:
        source["isced_f"] = rule.source_isced_f
    target: dict[str, Any] = {"pathway": rule.pathway_id}
    if rule.requirement:
        target["requirement"] = rule.requirement
    return TransferRuleRead(
        id=rule.id,
        url=urls.transfer_rule(rule.id),
        pathway_id=rule.pathway_id,
        credential_id=credential.id,
        status=credential.status,
        source=source,
        target=target,
        credits=rule.credits,
        valid_from=rule.valid_from,
        valid_until=rule.valid_until,
        credential=credential.document,
    )


def describe_rules(session: Session, pathway: Pathway, *, now: datetime) -> list[str]:
    """The rules in force for a pathway, in words, for its public page."""
    rows = session.execute(
        select(TransferRule, Credential.status)
        .join(Credential, Credential.id == TransferRule.credential_id)
        .where(TransferRule.pathway_id == pathway.id)
        .order_by(TransferRule.created_at, TransferRule.id)
    ).all()
    lines = []
    for rule, status in rows:
        if status != CredentialStatus.active or (
            rule.valid_until is not None and rule.valid_until <= now
        ):
            continue
        what = "credentials"
        if rule.source_achievement:
            what = f"credentials for {rule.source_achievement}"
        elif rule.source_framework:
            level = f"{rule.source_framework.upper()} level {rule.source_level}"
            what = f"credentials at {level} or higher"
        if rule.source_isced_f:
            what += f" in ISCED-F field {rule.source_isced_f}"
        line = f"{what} from {rule.source_issuer} count {rule.credits:g} credits"
        if rule.requirement:
            line += f" and satisfy '{rule.requirement}'"
        lines.append(line)
    return lines
