"""The short API forms, completed into meta-standard documents.

The public contract lets a platform register a framework with just ``{code, name,
jurisdiction, levels: [{code, name, descriptors}]}`` and link levels with ``{level,
target_framework, target_level, relation}``. The meta-standard needs more, so the missing
parts get explicit, visible defaults instead of a refusal: the version ``"1"``, this
registry's own URL as the source, no credit system, each level's position as its ordinal,
"not stated" for missing descriptors, and a justification naming who stated a linkage.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Final

from app.core.urls import PublicUrls

NOT_STATED: Final = "Not stated by the framework's owner."
DESCRIPTOR_KEYS: Final = ("knowledge", "skills", "responsibility_autonomy")
# Names other frameworks (and the EQF's own history) use for the third descriptor.
DESCRIPTOR_ALIASES: Final = {
    "competence": "responsibility_autonomy",
    "competences": "responsibility_autonomy",
    "responsibility": "responsibility_autonomy",
    "autonomy": "responsibility_autonomy",
    "responsibility_and_autonomy": "responsibility_autonomy",
    "responsibility-autonomy": "responsibility_autonomy",
}
RELATION_ALIASES: Final = {
    "exact": "exactMatch",
    "close": "closeMatch",
    "broad": "broadMatch",
    "narrow": "narrowMatch",
    "exact_match": "exactMatch",
    "close_match": "closeMatch",
    "broad_match": "broadMatch",
    "narrow_match": "narrowMatch",
}


def relation(value: object) -> object:
    """A SKOS relation name, accepting the short forms (``exact``, ``broad_match``…)."""
    if isinstance(value, str):
        return RELATION_ALIASES.get(value.strip().lower(), value)
    return value


def stated_by(actor: str, now: datetime) -> str:
    return f"Stated through the LearnProof API by {actor} on {now:%Y-%m-%d}."


def complete_document(document: object, *, urls: PublicUrls, actor: str, now: datetime) -> object:
    """A copy of ``document`` with the defaults above filled in; anything else is untouched
    (the meta-standard validation then reports what is still wrong)."""
    if not isinstance(document, dict) or "domains" in document:
        # Version 2 documents declare their own domains: nothing to default.
        return document
    doc: dict[str, Any] = copy.deepcopy(document)
    doc.setdefault("version", "1")
    if isinstance(doc.get("code"), str):
        doc.setdefault("source_url", urls.framework(doc["code"]))
    doc.setdefault("credit_system", "none")
    levels = doc.get("levels")
    for position, level in enumerate(levels if isinstance(levels, list) else [], start=1):
        if not isinstance(level, dict):
            continue
        level.setdefault("ordinal", position)
        descriptors = level.setdefault("descriptors", {})
        if isinstance(descriptors, dict):
            for alias, key in DESCRIPTOR_ALIASES.items():
                if alias in descriptors and key not in descriptors:
                    descriptors[key] = descriptors.pop(alias)
            for key in DESCRIPTOR_KEYS:
                descriptors.setdefault(key, NOT_STATED)
    linkages = doc.get("linkages")
    for linkage in linkages if isinstance(linkages, list) else []:
        if isinstance(linkage, dict):
            linkage["relation"] = relation(linkage.get("relation"))
            linkage.setdefault("source", stated_by(actor, now))
    return doc
