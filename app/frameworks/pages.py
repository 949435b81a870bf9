"""The public page of a level: JSON-LD for machines, HTML for people, by the Accept header.

Its URL is the ``targetUrl`` of credential alignments, so a verifier that follows it gets a
schema.org ``DefinedTerm`` and a person gets a readable page.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse

from app.core.negotiation import prefers
from app.core.urls import PublicUrls
from app.frameworks import meta
from app.frameworks.models import FrameworkLevel
from app.frameworks.reads import stored_document
from app.frameworks.schemas import DefinedTermRead, EquivalentRead
from app.frameworks.service import level_url
from app.web.rendering import render_page

JSON_LD_MEDIA_TYPE = "application/ld+json"
_HTML = "text/html"
# Our descriptor terms have no schema.org counterpart, so they get a namespace of their own
# rather than being silently expanded under schema.org's @vocab.
_TERMS = "urn:learnproof:vocab:framework#"
_CONTEXT: dict[str, Any] = {
    "@vocab": "https://schema.org/",
    "id": "@id",
    "type": "@type",
    "ordinal": f"{_TERMS}ordinal",
    "descriptors": f"{_TERMS}descriptors",
    "knowledge": f"{_TERMS}knowledge",
    "skills": f"{_TERMS}skills",
    "responsibility_autonomy": f"{_TERMS}responsibilityAutonomy",
}


def described_domains(level: FrameworkLevel) -> list[dict[str, str]]:
    """``{name, text}`` per descriptor domain of the level's framework, in English first."""
    domains = stored_document(level.framework).get("domains", [])
    return [
        {
            "name": meta.text_in(domain["name"]),
            "text": meta.text_in(level.descriptors.get(domain["code"])),
        }
        for domain in domains
        if domain["code"] in level.descriptors
    ]


def defined_term(urls: PublicUrls, level: FrameworkLevel) -> DefinedTermRead:
    framework = level.framework
    return DefinedTermRead(
        context=_CONTEXT,
        id=level_url(urls, framework.code, level.code),
        name=level.name,
        term_code=level.code,
        ordinal=level.ordinal,
        description=" ".join(
            f"{domain['name']}: {domain['text']}" for domain in described_domains(level)
        ),
        descriptors=level.descriptors,
        in_defined_term_set={
            "id": urls.framework(framework.code),
            "type": "DefinedTermSet",
            "name": framework.name,
            "termCode": framework.code,
            "url": framework.source_url,
        },
    )


def prefers_html(accept: str | None) -> bool:
    """True when the client ranks text/html above JSON; ties and no header mean JSON-LD."""
    return prefers(accept, [_HTML], [JSON_LD_MEDIA_TYPE, "application/json"])


def render_level_html(
    urls: PublicUrls, level: FrameworkLevel, equivalents: list[EquivalentRead]
) -> HTMLResponse:
    """The level page on the site's layout, with the same headers as every other page."""
    term = defined_term(urls, level)
    response = render_page(
        "level.html",
        level=level,
        framework=level.framework,
        domains=described_domains(level),
        term=term,
        term_json=term.model_dump(mode="json"),
        equivalents=[
            {
                "url": level_url(urls, e.framework, e.level),
                "framework_name": e.framework_name,
                "level_name": e.level_name,
                "relation": e.relation.value,
                "label": e.label,
                "hops": len(e.path),
            }
            for e in equivalents
        ],
    )
    response.headers["Vary"] = "Accept, Accept-Language"
    return response
