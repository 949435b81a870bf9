"""Public search over the loaded occupation and industry vocabularies, and their provenance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.urls import PublicUrls
from app.dependencies import SessionDep, UrlsDep
from app.errors import InvalidInput
from app.vocabularies import service
from app.vocabularies.schemas import ConceptPage, VocabularyRead

router = APIRouter(prefix="/v1", tags=["Occupations and industries"])

MAX_LIMIT = 100
SchemeQuery = Annotated[str | None, Query(max_length=32, description="One scheme; all if absent")]
TextQuery = Annotated[
    str | None,
    Query(max_length=100, description="Part of a name (Chinese or English), alias or code prefix"),
]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
OffsetQuery = Annotated[int, Query(ge=0, le=100_000)]
LevelQuery = Annotated[
    int | None, Query(ge=1, le=6, description="Only this level (CSCO occupations: 4)")
]


def _schemes(kind: str, scheme: str | None) -> tuple[str, ...]:
    allowed = service.SCHEMES_BY_KIND[kind]
    if scheme is None:
        return allowed
    if scheme not in allowed:
        raise InvalidInput(
            f"Unknown {kind} scheme '{scheme}': use one of {', '.join(allowed)}.", field="scheme"
        )
    return (scheme,)


def _page(
    urls: PublicUrls,
    session: SessionDep,
    kind: str,
    *,
    scheme: str | None,
    q: str | None,
    limit: int,
    offset: int,
    level: int | None,
    digital: bool | None = None,
    green: bool | None = None,
) -> ConceptPage:
    items, total = service.search(
        session,
        kind,
        schemes=_schemes(kind, scheme),
        q=q,
        digital=digital,
        green=green,
        level=level,
        limit=limit,
        offset=offset,
    )
    return ConceptPage(items=[service.read(urls, t) for t in items], total=total)


@router.get("/occupations", response_model=ConceptPage)
def search_occupations(
    urls: UrlsDep,
    session: SessionDep,
    scheme: SchemeQuery = None,
    q: TextQuery = None,
    digital: bool | None = None,
    green: bool | None = None,
    level: LevelQuery = None,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> ConceptPage:
    """Search occupations (CSCO 2022, ESCO) by name, alias or code prefix; digital/green flags."""
    return _page(
        urls,
        session,
        "occupation",
        scheme=scheme,
        q=q,
        limit=limit,
        offset=offset,
        level=level,
        digital=digital,
        green=green,
    )


@router.get("/industries", response_model=ConceptPage)
def search_industries(
    urls: UrlsDep,
    session: SessionDep,
    scheme: SchemeQuery = None,
    q: TextQuery = None,
    level: LevelQuery = None,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> ConceptPage:
    """Search industries (NAICS 2022, NACE Rev. 2.1, ISIC Rev. 4) by name or code prefix."""
    return _page(
        urls, session, "industry", scheme=scheme, q=q, limit=limit, offset=offset, level=level
    )


@router.get("/vocabularies", response_model=list[VocabularyRead])
def list_vocabularies(session: SessionDep) -> list[VocabularyRead]:
    """The loaded vocabularies with source, version and licence."""
    return [VocabularyRead.model_validate(v) for v in service.vocabularies(session)]
