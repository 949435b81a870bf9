"""Looking up, validating and searching vocabulary concepts.

Codes are matched as the classifications write them (``2-02-10-03``, ``541511``, ``62.10``,
``6201``); ISIC and NACE section letters in any case; ESCO concepts by their URI or its last
segment. Unknown schemes and codes are 422 problems that name both, as ISCED-F codes are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.core.urls import PublicUrls
from app.errors import InvalidInput, NotFound
from app.vocabularies.models import Vocabulary, VocabularyConcept, VocabularyRelation
from app.vocabularies.schemas import ConceptRead

OCCUPATION_SCHEMES: Final = ("csco2022", "esco")
INDUSTRY_SCHEMES: Final = ("naics2022", "nace2.1", "isic4")
SCHEMES_BY_KIND: Final = {
    "occupation": OCCUPATION_SCHEMES,
    "industry": INDUSTRY_SCHEMES,
    "skill": ("esco",),
}
ESCO_BASE: Final = "http://data.europa.eu/esco/"
MAX_ANCESTORS: Final = 8
PATHS: Final = {"occupation": "occupations", "industry": "industries", "skill": "skills"}


@dataclass(frozen=True)
class Target:
    """A validated reference: the concept and the vocabulary it belongs to."""

    kind: str
    concept: VocabularyConcept
    vocabulary: Vocabulary


def page_code(scheme: str, code: str) -> str:
    """The code as it appears in our page URL (ESCO: the URI's last segment)."""
    if scheme == "esco" and code.startswith(ESCO_BASE):
        return code.rstrip("/").rsplit("/", 1)[-1]
    return code


def concept_url(urls: PublicUrls, kind: str, scheme: str, code: str) -> str:
    """Our public page; for an ESCO skill (we serve no skill pages) its ESCO URI."""
    if kind == "skill":
        return code
    path = PATHS[kind]
    return urls.concept(path, scheme, page_code(scheme, code))


def _candidates(scheme: str, kind: str, code: str) -> list[str]:
    code = code.strip()
    if scheme == "esco":
        if code.startswith(ESCO_BASE):
            return [code]
        return [f"{ESCO_BASE}{kind}/{code}"]
    return list(dict.fromkeys([code, code.upper()]))


def vocabularies(session: Session) -> list[Vocabulary]:
    return list(session.scalars(select(Vocabulary).order_by(Vocabulary.scheme)))


def _vocabulary(session: Session, scheme: str) -> Vocabulary | None:
    return session.get(Vocabulary, scheme)


def find(session: Session, kind: str, scheme: str, code: str) -> Target | None:
    """The concept of this kind, or None (unknown scheme, code, or another kind)."""
    if scheme not in SCHEMES_BY_KIND.get(kind, ()) or len(code) > 300:
        return None
    vocabulary = _vocabulary(session, scheme)
    if vocabulary is None:
        return None
    concept = session.scalars(
        select(VocabularyConcept).where(
            VocabularyConcept.scheme == scheme,
            VocabularyConcept.code.in_(_candidates(scheme, kind, code)),
            VocabularyConcept.kind == kind,
        )
    ).first()
    return Target(kind, concept, vocabulary) if concept is not None else None


def require(session: Session, kind: str, scheme: str, code: str, *, field: str) -> Target:
    """The concept, or a 422 naming the scheme and code and what would be accepted."""
    schemes = SCHEMES_BY_KIND[kind]
    if scheme not in schemes:
        raise InvalidInput(
            f"Unknown {kind} scheme '{scheme}' (code '{code}'): use one of {', '.join(schemes)}.",
            field=field,
        )
    if _vocabulary(session, scheme) is None:
        raise InvalidInput(
            f"The {kind} scheme '{scheme}' is not loaded on this service (code '{code}'); "
            "an operator imports it with `learnproof vocab import esco DIR`.",
            field=field,
        )
    found = find(session, kind, scheme, code)
    if found is None:
        raise InvalidInput(
            f"Unknown {kind} code '{code}' in scheme '{scheme}': search "
            f"/v1/{PATHS[kind] if kind != 'skill' else 'occupations'}?scheme={scheme}&q=… "
            "for valid codes.",
            field=field,
        )
    return found


def page_target(session: Session, kind: str, scheme: str, code: str) -> Target:
    found = find(session, kind, scheme, code)
    if found is None:
        raise NotFound(f"No {kind} '{code}' in scheme '{scheme}' on this service.")
    return found


def ancestors(session: Session, target: Target) -> list[VocabularyConcept]:
    """Parent groups, nearest first (bounded: classifications are a few levels deep)."""
    out: list[VocabularyConcept] = []
    parent = target.concept.parent_code
    while parent is not None and len(out) < MAX_ANCESTORS:
        found = session.get(VocabularyConcept, (target.concept.scheme, parent))
        if found is None:
            break
        out.append(found)
        parent = found.parent_code
    return out


def skills_of(
    session: Session, scheme: str, occupation_code: str
) -> list[tuple[VocabularyConcept, str]]:
    """An ESCO occupation's skills with their relation type, essential first."""
    rows = session.execute(
        select(VocabularyConcept, VocabularyRelation.relation_type)
        .join(
            VocabularyRelation,
            (VocabularyRelation.scheme == VocabularyConcept.scheme)
            & (VocabularyRelation.skill_code == VocabularyConcept.code),
        )
        .where(
            VocabularyRelation.scheme == scheme,
            VocabularyRelation.occupation_code == occupation_code,
        )
        .order_by(VocabularyRelation.relation_type, VocabularyConcept.name)
    )
    return [(concept, relation) for concept, relation in rows]


def occupations_needing(
    session: Session, scheme: str, skill_codes: Iterable[str], *, limit: int
) -> list[str]:
    """ESCO occupations for which any of these skills is essential (most overlap first)."""
    codes = list(dict.fromkeys(skill_codes))
    if not codes:
        return []
    overlap = func.count(VocabularyRelation.skill_code)
    rows = session.execute(
        select(VocabularyRelation.occupation_code, overlap)
        .where(
            VocabularyRelation.scheme == scheme,
            VocabularyRelation.relation_type == "essential",
            VocabularyRelation.skill_code.in_(codes),
        )
        .group_by(VocabularyRelation.occupation_code)
        .order_by(overlap.desc(), VocabularyRelation.occupation_code)
        .limit(limit)
    )
    return [code for code, _ in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    session: Session,
    kind: str,
    *,
    schemes: Sequence[str],
    q: str | None,
    digital: bool | None = None,
    green: bool | None = None,
    level: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Target], int]:
    """Concepts whose code, names or alternative labels contain ``q``; codes first."""
    query = (
        select(VocabularyConcept, Vocabulary)
        .join(Vocabulary, Vocabulary.scheme == VocabularyConcept.scheme)
        .where(VocabularyConcept.kind == kind, VocabularyConcept.scheme.in_(schemes))
    )
    order = []
    text = (q or "").strip()
    if text:
        needle = _escape_like(text.lower())
        query = query.where(VocabularyConcept.search_text.like(f"%{needle}%", escape="\\"))
        prefixes = [_escape_like(text), _escape_like(text.upper())]
        order.append(
            case(
                (VocabularyConcept.code.in_([text, text.upper()]), 0),
                (
                    or_(*(VocabularyConcept.code.like(f"{p}%", escape="\\") for p in prefixes)),
                    1,
                ),
                (func.lower(VocabularyConcept.name) == text.lower(), 2),
                else_=3,
            )
        )
    if digital is not None:
        query = query.where(VocabularyConcept.digital == digital)
    if green is not None:
        query = query.where(VocabularyConcept.green == green)
    if level is not None:
        query = query.where(VocabularyConcept.level == level)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(
            *order, VocabularyConcept.scheme, VocabularyConcept.level, VocabularyConcept.code
        )
        .limit(limit)
        .offset(offset)
    )
    return [Target(kind, concept, vocabulary) for concept, vocabulary in rows], total


def read(urls: PublicUrls, target: Target) -> ConceptRead:
    concept, vocabulary = target.concept, target.vocabulary
    return ConceptRead(
        scheme=concept.scheme,
        code=concept.code,
        kind=concept.kind,
        level=concept.level,
        name=concept.name,
        name_en=concept.name_en,
        language=vocabulary.language,
        definition=concept.definition,
        alt_labels=list(concept.alt_labels),
        parent_code=concept.parent_code,
        digital=concept.digital,
        green=concept.green,
        framework=vocabulary.label,
        url=concept_url(urls, concept.kind, concept.scheme, concept.code),
    )


def flags_text(concept: VocabularyConcept) -> str | None:
    """'digital occupation', 'green occupation', 'digital and green occupation' or None."""
    flags = [name for name, on in (("digital", concept.digital), ("green", concept.green)) if on]
    return f"{' and '.join(flags)} occupation" if flags else None
