"""What a verified credential is worth to a pathway: its achievement, the levels it reaches
(itself and its exact or close equivalents), its credits, and its status in our database when
it is one of our own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.orm import Session

from app.achievements.builder import FIELD_TARGET_TYPE
from app.clr import service as clr_service
from app.core.urls import PublicUrls
from app.credentials import service as credential_service
from app.credentials.models import CredentialStatus
from app.credentials.schemas import Recipient
from app.errors import NotFound
from app.frameworks import alignment as frameworks_alignment
from app.frameworks import service as frameworks_service
from app.frameworks.equivalence import Relation
from app.pathways.evaluation import Facts
from app.pathways.service import RegistryLookups
from app.verification.checks import as_list, issuer_id
from app.verification.report import Report

# Relations strong enough to say "this level is that level" (broad/narrow/related are not).
_EQUIVALENT: Final = frozenset({Relation.exact, Relation.close})


class FactsReader:
    """Reads what a verified credential is worth: achievement, levels, field, credits."""

    def __init__(
        self,
        session: Session,
        registry: RegistryLookups,
        urls: PublicUrls,
        holder: Recipient | None = None,
    ) -> None:
        self.session = session
        self.holder = holder
        self.registry = registry
        self.urls = urls
        self._reach: dict[tuple[str, str], dict[str, int]] = {}

    def reach(self, framework: str, level: str) -> dict[str, int]:
        """Highest ordinal per framework this level reaches, itself and its equivalents."""
        key = (framework, level)
        if key in self._reach:
            return self._reach[key]
        reached: dict[str, int] = {}
        ordinal = self.registry.ordinal(framework, level)
        if ordinal is not None:
            reached[framework] = ordinal
            for found in frameworks_alignment.equivalents(self.session, framework, level):
                if found.relation not in _EQUIVALENT:
                    continue
                other = self.registry.ordinal(found.framework, found.level)
                if other is not None and other > reached.get(found.framework, 0):
                    reached[found.framework] = other
        self._reach[key] = reached
        return reached

    def facts(self, index: int, value: Any, report: Report) -> Facts:
        document = report.credential if isinstance(report.credential, Mapping) else {}
        key = _key(value, document)
        issuer = issuer_id(document)
        issuer = issuer if isinstance(issuer, str) else None
        reason = "verified"
        verified = report.verified
        if not verified:
            failed = report.failed
            reason = "it did not verify: " + (failed[0].reason if failed else "no proof checked")
        else:
            stored = self._stored_status(document)
            if stored is not None:
                verified, reason = False, stored
            elif self.holder is not None:
                problem = clr_service.holder_problem(document, self.holder)
                if problem is not None:
                    verified, reason = False, problem
        trusted = bool(report.issuer and report.issuer.get("trusted"))
        subject = next(
            (
                s
                for s in as_list(document.get("credentialSubject"))
                if isinstance(s, Mapping) and isinstance(s.get("achievement"), Mapping)
            ),
            None,
        )
        if subject is None:
            return Facts(index, key, verified, reason, trusted, issuer)
        achievement: Mapping[str, Any] = subject["achievement"]
        levels: dict[str, int] = {}
        field_code = None
        for alignment in as_list(achievement.get("alignment")):
            if not isinstance(alignment, Mapping):
                continue
            url = alignment.get("targetUrl")
            parsed = (
                frameworks_service.parse_level_url(self.urls, url) if isinstance(url, str) else None
            )
            if parsed is not None:
                for framework, ordinal in self.reach(*parsed).items():
                    levels[framework] = max(levels.get(framework, 0), ordinal)
            code = alignment.get("targetCode")
            if alignment.get("targetType") == FIELD_TARGET_TYPE and isinstance(code, str):
                field_code = code
        credits = _number(subject.get("creditsEarned"))
        if credits is None:
            credits = _number(achievement.get("creditsAvailable"))
        ident = achievement.get("id")
        name = achievement.get("name")
        return Facts(
            index,
            key,
            verified,
            reason,
            trusted,
            issuer,
            achievement=ident if isinstance(ident, str) else None,
            achievement_name=name if isinstance(name, str) else None,
            levels=levels,
            isced_f=field_code,
            credits=credits or 0.0,
        )

    def _stored_status(self, document: Mapping[str, Any]) -> str | None:
        """Why one of our own credentials no longer counts, read from the database."""
        ident = document.get("id")
        if not isinstance(ident, str) or self.urls.parse_credential(ident) is None:
            return None
        try:
            record = credential_service.get_credential(self.session, ident)
        except NotFound:
            return None
        if record.status == CredentialStatus.active:
            return None
        why = f": {record.status_reason}" if record.status_reason else ""
        return f"its issuer has {record.status} it{why}"


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def _key(value: Any, document: Mapping[str, Any]) -> str:
    ident = document.get("id")
    if isinstance(ident, str) and ident:
        return ident
    body = {k: v for k, v in document.items() if k != "proof"} if document else value
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"sha256:{digest}"
