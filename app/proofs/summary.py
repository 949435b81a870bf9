"""Pure: the human-readable facts of an Open Badges 3.0 credential, read defensively.

The credential page, the verify page, the PDF and the badge images all show what the signed
document says, read through this one module. Input may come from anyone (an uploaded file),
so nothing here assumes a shape: a missing or oddly typed field becomes ``None`` and reading
never raises. URLs are kept only when they are absolute http(s), so a ``javascript:`` or
``data:`` value can never become a link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

LEVEL_TARGET_TYPE: Final = "ext:QualificationFrameworkLevel"
FIELD_TARGET_TYPE: Final = "ext:ISCEDFieldOfStudy"
SKILL_TARGET_TYPE: Final = "ceasn:Competency"

_MAX_TEXT: Final = 5_000
_MAX_ITEMS: Final = 50
_MAX_URL: Final = 2_000
_MAX_DATA_IMAGE: Final = 500_000
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
# C0/C1 controls and bidi overrides would let a name reorder or hide the text around it;
# surrogates and U+FFFE/U+FFFF cannot appear in XML (the SVG badge) at all.
_UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


@dataclass(frozen=True)
class Alignment:
    name: str
    code: str | None
    framework: str | None
    url: str | None


@dataclass(frozen=True)
class CredentialSummary:
    credential_id: str | None
    learner_name: str | None
    achievement_name: str
    achievement_type: str | None
    description: str | None
    criteria_narrative: str | None
    criteria_url: str | None
    issuer_id: str | None
    issuer_name: str | None
    issuer_url: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    levels: tuple[Alignment, ...]
    field_of_study: str | None
    field_code: str | None
    skills: tuple[Alignment, ...]
    credits_available: float | None
    credits_earned: float | None
    image_data_uri: str | None

    @property
    def level_names(self) -> list[str]:
        return [level.name for level in self.levels]


def safe_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL without whitespace, else ``None``."""
    if not isinstance(value, str) or len(value) > _MAX_URL:
        return None
    if any(ch.isspace() for ch in value) or _UNSAFE_CHARS.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def text(value: object, limit: int = _MAX_TEXT) -> str | None:
    """A display string from a plain string or a JSON-LD language value (or a list of them)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str):
        return None
    cleaned = _UNSAFE_CHARS.sub("", value).strip()
    if not cleaned:
        return None
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def summarise(credential: Mapping[str, Any]) -> CredentialSummary:
    subject = _first_mapping(credential.get("credentialSubject"))
    achievement = _mapping(subject.get("achievement"))
    issuer = credential.get("issuer")
    issuer_map = _mapping(issuer)
    criteria = _mapping(achievement.get("criteria"))
    alignments = _alignments(achievement.get("alignment"))
    levels = tuple(a for a, kind in alignments if kind == LEVEL_TARGET_TYPE)
    fields = [a for a, kind in alignments if kind == FIELD_TARGET_TYPE]
    skills = tuple(a for a, kind in alignments if kind == SKILL_TARGET_TYPE)
    return CredentialSummary(
        credential_id=text(credential.get("id"), _MAX_URL),
        learner_name=text(subject.get("name"), 500),
        achievement_name=(
            text(achievement.get("name"), 500) or text(credential.get("name"), 500) or "Achievement"
        ),
        achievement_type=text(achievement.get("achievementType"), 100),
        description=text(achievement.get("description")),
        criteria_narrative=text(criteria.get("narrative")),
        criteria_url=safe_url(criteria.get("id")),
        issuer_id=text(issuer if isinstance(issuer, str) else issuer_map.get("id"), _MAX_URL),
        issuer_name=text(issuer_map.get("name"), 500),
        issuer_url=safe_url(issuer_map.get("url")),
        valid_from=_datetime(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=_datetime(credential.get("validUntil") or credential.get("expirationDate")),
        levels=levels,
        field_of_study=text(achievement.get("fieldOfStudy"), 500)
        or (fields[0].name if fields else None),
        field_code=fields[0].code if fields else None,
        skills=skills,
        credits_available=_number(achievement.get("creditsAvailable")),
        credits_earned=_number(subject.get("creditsEarned")),
        image_data_uri=_data_image(achievement.get("image")),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _first_mapping(value: object) -> Mapping[str, Any]:
    """VCDM allows an array of subjects; the page shows the first."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, Mapping)), None)
    return _mapping(value)


def _alignments(value: object) -> list[tuple[Alignment, str | None]]:
    if not isinstance(value, list):
        return []
    out = []
    for item in value[:_MAX_ITEMS]:
        entry = _mapping(item)
        name = text(entry.get("targetName"), 500)
        if name is None:
            continue
        kind = entry.get("targetType")
        alignment = Alignment(
            name=name,
            code=text(entry.get("targetCode"), 100),
            framework=text(entry.get("targetFramework"), 500),
            url=safe_url(entry.get("targetUrl")),
        )
        out.append((alignment, kind if isinstance(kind, str) else None))
    return out


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        return None
    return float(value)


def _data_image(value: object) -> str | None:
    """A raster ``data:`` image we may show inline; remote images are never fetched or linked."""
    source = _mapping(value).get("id") if isinstance(value, Mapping) else value
    if not isinstance(source, str) or len(source) > _MAX_DATA_IMAGE:
        return None
    return source if _DATA_IMAGE.match(source) else None
