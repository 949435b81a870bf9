"""Recognises an OB 3.0 alignment as an occupation, industry or ESCO skill we know.

Ours carry our page as ``targetUrl``; anyone else's are matched by an ESCO concept URI in
``targetUrl``/``targetCode``, or by ``targetFramework`` naming a known classification
(``CSCO 2022``, ``NAICS``, ``NACE Rev. 2.1``, ``ISIC Rev. 4``, ``ESCO``, in any spelling of
those names) together with a ``targetCode`` that exists in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.orm import Session

from app.core.urls import PublicUrls
from app.vocabularies import service
from app.vocabularies.loader import catalogue

_PUNCTUATION = re.compile(r"[\s.\-_()（）:：,，/]+")
_KIND_BY_PATH: Final = {path: kind for kind, path in service.PATHS.items()}


def _normal(text: str) -> str:
    return _PUNCTUATION.sub("", text).lower()


def _scheme_named(framework: str) -> str | None:
    normal = _normal(framework)
    for scheme, entry in catalogue().items():
        if normal in entry["aliases"] or normal == _normal(entry["label"]):
            return scheme
    return None


def _from_our_page(urls: PublicUrls, url: str) -> tuple[str, str, str] | None:
    parsed = urls.parse_concept(url)
    if parsed is None or parsed[0] not in _KIND_BY_PATH:
        return None
    path, scheme, code = parsed
    return _KIND_BY_PATH[path], scheme, code


def _from_esco_uri(value: str) -> tuple[str, str, str] | None:
    for kind in ("occupation", "skill"):
        if value.startswith(f"{service.ESCO_BASE}{kind}/"):
            return kind, "esco", value
    return None


def _candidates(urls: PublicUrls, entry: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    url, code, framework = (entry.get(k) for k in ("targetUrl", "targetCode", "targetFramework"))
    found = []
    if isinstance(url, str):
        found += [c for c in (_from_our_page(urls, url), _from_esco_uri(url)) if c]
    if isinstance(code, str):
        found += [c for c in (_from_esco_uri(code),) if c]
    if isinstance(framework, str) and isinstance(code, str) and len(framework) <= 200:
        scheme = _scheme_named(framework)
        if scheme is not None and scheme != "esco":
            kinds = ("occupation",) if scheme in service.OCCUPATION_SCHEMES else ("industry",)
            found += [(kind, scheme, code) for kind in kinds]
    return found


def recognise(
    session: Session, urls: PublicUrls, entry: Mapping[str, Any]
) -> dict[str, Any] | None:
    """What the alignment names, from our vocabularies; None when it names nothing we know."""
    for kind, scheme, code in _candidates(urls, entry)[:3]:
        if len(code) > 300:
            continue
        target = service.find(session, kind, scheme, code)
        if target is None:
            continue
        concept = target.concept
        return {
            "kind": kind,
            "scheme": scheme,
            "code": concept.code,
            "name": concept.name,
            "name_en": concept.name_en,
            "level": concept.level,
            "framework": target.vocabulary.label,
            "short": catalogue()[scheme]["short"],
            "digital": concept.digital,
            "green": concept.green,
            "url": service.concept_url(urls, kind, scheme, concept.code),
        }
    return None
