"""Frameworks in other vocabularies: SKOS (JSON-LD) and a CTDL-shaped JSON, both ways.

Pure: converts meta-standard v2 documents; storage goes through the ordinary import, so an
imported framework is linted like any other.

SKOS: the framework is a ``skos:ConceptScheme``, each level a ``skos:Concept`` (notation =
level code, ``prefLabel`` per language) and each linkage a ``skos:exactMatch`` /
``closeMatch`` / ``broadMatch`` / ``narrowMatch`` to the target level's URL. What SKOS has no
term for (ordinals, descriptor domains, qualification types, credit system, sub-frameworks,
linkage sources) travels in ``lp:`` properties, the structured ones as JSON literals
(``"@type": "@json"``), so export then import gives back the same document.

CTDL: the framework is a ``ceasn:ProgressionModel`` and the levels ``asn:ProgressionLevel``
nodes of its ``@graph``, language maps as CTDL writes them; the same ``lp:`` extension terms
carry the rest.

Import reads the compact form these exports produce (prefixes as in ``SKOS_CONTEXT``); a
document in another JSON-LD shape is refused with a 422 naming what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from app.errors import InvalidInput

LP: Final = "urn:learnproof:vocab:framework#"
SKOS_CONTEXT: Final[dict[str, str]] = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "lp": LP,
}
CTDL_CONTEXT: Final = "https://credreg.net/ctdlasn/schema/context/json"
_MATCHES: Final = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")
# v2 members with no SKOS/CTDL term, carried as one JSON literal on the scheme.
_EXTRA: Final = (
    "domains",
    "credit_system",
    "sub_frameworks",
    "owner",
    "competent_authority",
    "valid_from",
    "valid_until",
    "description",
)

LevelUrl = Callable[[str, str], str]
ParseLevelUrl = Callable[[str], tuple[str, str] | None]


def _lang_values(value: object) -> list[dict[str, str]]:
    if isinstance(value, str):
        return [{"@value": value}]
    if isinstance(value, Mapping):
        return [{"@value": text, "@language": tag} for tag, text in value.items()]
    return []


def _from_lang_values(values: object, where: str) -> str | dict[str, str]:
    items = values if isinstance(values, list) else [values]
    plain = [i["@value"] for i in items if isinstance(i, Mapping) and "@language" not in i]
    tagged = {
        i["@language"]: i["@value"]
        for i in items
        if isinstance(i, Mapping) and isinstance(i.get("@language"), str)
    }
    if len(plain) == 1 and not tagged and isinstance(plain[0], str):
        return plain[0]
    if tagged and not plain:
        return tagged
    raise InvalidInput(
        f"{where} must be one plain literal or literals with languages.", field=where
    )


def _json(value: Any) -> dict[str, Any]:
    return {"@type": "@json", "@value": value}


def _unjson(value: object) -> Any:
    return value.get("@value") if isinstance(value, Mapping) else None


def to_skos(doc: Mapping[str, Any], scheme_url: str, level_url: LevelUrl) -> dict[str, Any]:
    code = doc["code"]
    extra = {key: doc[key] for key in _EXTRA if key in doc}
    concepts = []
    for level in doc["levels"]:
        concept: dict[str, Any] = {
            "@id": level_url(code, level["code"]),
            "@type": "skos:Concept",
            "skos:inScheme": {"@id": scheme_url},
            "skos:notation": level["code"],
            "skos:prefLabel": _lang_values(level["name"]),
            "lp:ordinal": level["ordinal"],
            "lp:descriptors": _json(level["descriptors"]),
        }
        for key in ("qualification_types", "typical_volume"):
            if key in level:
                concept[f"lp:{key}"] = _json(level[key])
        sources = {}
        for linkage in doc.get("linkages", []):
            if linkage["level"] != level["code"]:
                continue
            target = level_url(linkage["target_framework"], linkage["target_level"])
            concept.setdefault(f"skos:{linkage['relation']}", []).append({"@id": target})
            sources[f"{linkage['relation']} {target}"] = linkage["source"]
        if sources:
            concept["lp:mappingSources"] = _json(sources)
        concepts.append(concept)
    scheme: dict[str, Any] = {
        "@context": SKOS_CONTEXT,
        "@id": scheme_url,
        "@type": "skos:ConceptScheme",
        "skos:notation": code,
        "skos:prefLabel": _lang_values(doc["name"]),
        "dct:spatial": doc["jurisdiction"],
        "owl:versionInfo": doc["version"],
        "dct:source": {"@id": doc["source_url"]},
        "lp:metaStandard": _json(extra),
        "skos:hasTopConcept": concepts,
    }
    return scheme


def from_skos(data: object, parse_level_url: ParseLevelUrl) -> dict[str, Any]:
    if not isinstance(data, Mapping) or data.get("@type") != "skos:ConceptScheme":
        raise InvalidInput("A SKOS import must be a skos:ConceptScheme object.", field="$.@type")
    if data.get("@context") != SKOS_CONTEXT:
        raise InvalidInput(
            "A SKOS import must use the @context of this service's SKOS export.",
            field="$.@context",
        )
    doc: dict[str, Any] = {
        "code": _required(data, "skos:notation", "$"),
        "name": _from_lang_values(_required(data, "skos:prefLabel", "$"), "$.skos:prefLabel"),
        "jurisdiction": _required(data, "dct:spatial", "$"),
        "version": _required(data, "owl:versionInfo", "$"),
        "source_url": _id(_required(data, "dct:source", "$")),
    }
    extra = _unjson(data.get("lp:metaStandard"))
    if isinstance(extra, Mapping):
        doc.update({key: extra[key] for key in _EXTRA if key in extra})
    levels, linkages = [], []
    concepts = data.get("skos:hasTopConcept")
    if not isinstance(concepts, list):
        raise InvalidInput("skos:hasTopConcept must list the levels.", field="$.skos:hasTopConcept")
    for index, concept in enumerate(concepts):
        where = f"$.skos:hasTopConcept[{index}]"
        if not isinstance(concept, Mapping) or concept.get("@type") != "skos:Concept":
            raise InvalidInput("Each level must be a skos:Concept.", field=where)
        level: dict[str, Any] = {
            "code": _required(concept, "skos:notation", where),
            "ordinal": _required(concept, "lp:ordinal", where),
            "name": _from_lang_values(
                _required(concept, "skos:prefLabel", where), f"{where}.skos:prefLabel"
            ),
            "descriptors": _unjson(_required(concept, "lp:descriptors", where)),
        }
        for key in ("qualification_types", "typical_volume"):
            if f"lp:{key}" in concept:
                level[key] = _unjson(concept[f"lp:{key}"])
        levels.append(level)
        sources = _unjson(concept.get("lp:mappingSources"))
        linkages += _read_linkages(
            concept, level["code"], sources, "skos", where, _id, parse_level_url, form="SKOS"
        )
    doc["levels"] = levels
    doc["linkages"] = linkages
    return doc


def to_ctdl(doc: Mapping[str, Any], scheme_url: str, level_url: LevelUrl) -> dict[str, Any]:
    code = doc["code"]
    extra = {key: doc[key] for key in _EXTRA if key in doc}
    model: dict[str, Any] = {
        "@id": scheme_url,
        "@type": "ceasn:ProgressionModel",
        "ceasn:name": _language_map(doc["name"]),
        "ceasn:codedNotation": code,
        "ceasn:source": doc["source_url"],
        "ceasn:versionCode": doc["version"],
        "ceterms:jurisdiction": doc["jurisdiction"],
        "ceasn:hasTopChild": [level_url(code, level["code"]) for level in doc["levels"]],
        "lp:metaStandard": extra,
    }
    if "owner" in doc:
        model["ceasn:publisherName"] = _language_map(doc["owner"]["name"])
    levels = []
    for level in doc["levels"]:
        node: dict[str, Any] = {
            "@id": level_url(code, level["code"]),
            "@type": "asn:ProgressionLevel",
            "ceasn:inProgressionModel": scheme_url,
            "ceasn:codedNotation": level["code"],
            "ceasn:prefLabel": _language_map(level["name"]),
            "ceasn:listID": str(level["ordinal"]),
            "lp:descriptors": level["descriptors"],
        }
        for key in ("qualification_types", "typical_volume"):
            if key in level:
                node[f"lp:{key}"] = level[key]
        matches = [
            {
                "relation": linkage["relation"],
                "target": level_url(linkage["target_framework"], linkage["target_level"]),
                "source": linkage["source"],
            }
            for linkage in doc.get("linkages", [])
            if linkage["level"] == level["code"]
        ]
        for relation in _MATCHES:
            targets = [m["target"] for m in matches if m["relation"] == relation]
            if targets:
                node[f"ceasn:{relation}"] = targets
        if matches:
            node["lp:mappingSources"] = {
                f"{m['relation']} {m['target']}": m["source"] for m in matches
            }
        levels.append(node)
    return {"@context": CTDL_CONTEXT, "@id": scheme_url, "@graph": [model, *levels]}


def from_ctdl(data: object, parse_level_url: ParseLevelUrl) -> dict[str, Any]:
    graph = data.get("@graph") if isinstance(data, Mapping) else None
    if not isinstance(graph, list) or not graph or not isinstance(graph[0], Mapping):
        raise InvalidInput("A CTDL import must have a @graph.", field="$.@graph")
    model = graph[0]
    if model.get("@type") != "ceasn:ProgressionModel":
        raise InvalidInput(
            "The first @graph node must be a ceasn:ProgressionModel.", field="$.@graph[0]"
        )
    doc: dict[str, Any] = {
        "code": _required(model, "ceasn:codedNotation", "$.@graph[0]"),
        "name": _from_language_map(_required(model, "ceasn:name", "$.@graph[0]")),
        "jurisdiction": _required(model, "ceterms:jurisdiction", "$.@graph[0]"),
        "version": _required(model, "ceasn:versionCode", "$.@graph[0]"),
        "source_url": _required(model, "ceasn:source", "$.@graph[0]"),
    }
    extra = model.get("lp:metaStandard")
    if isinstance(extra, Mapping):
        doc.update({key: extra[key] for key in _EXTRA if key in extra})
    levels, linkages = [], []
    for index, node in enumerate(graph[1:], start=1):
        where = f"$.@graph[{index}]"
        if not isinstance(node, Mapping) or node.get("@type") != "asn:ProgressionLevel":
            raise InvalidInput("Each level must be an asn:ProgressionLevel.", field=where)
        ordinal = _required(node, "ceasn:listID", where)
        level: dict[str, Any] = {
            "code": _required(node, "ceasn:codedNotation", where),
            "ordinal": int(ordinal) if isinstance(ordinal, str) and ordinal.isdigit() else ordinal,
            "name": _from_language_map(_required(node, "ceasn:prefLabel", where)),
            "descriptors": _required(node, "lp:descriptors", where),
        }
        for key in ("qualification_types", "typical_volume"):
            if f"lp:{key}" in node:
                level[key] = node[f"lp:{key}"]
        levels.append(level)
        sources = node.get("lp:mappingSources")
        linkages += _read_linkages(
            node, level["code"], sources, "ceasn", where, _same, parse_level_url, form="CTDL"
        )
    doc["levels"] = levels
    doc["linkages"] = linkages
    return doc


def _read_linkages(
    node: Mapping[str, Any],
    level: str,
    sources: object,
    prefix: str,
    where: str,
    read_url: Callable[[object], object],
    parse_level_url: ParseLevelUrl,
    *,
    form: str,
) -> list[dict[str, Any]]:
    """The linkages a SKOS concept or CTDL level states as ``<prefix>:<relation>`` targets,
    each with its source from ``lp:mappingSources``."""
    linkages = []
    for relation in _MATCHES:
        targets = node.get(f"{prefix}:{relation}", [])
        for target in targets if isinstance(targets, list) else [targets]:
            url = read_url(target)
            parsed = parse_level_url(url) if isinstance(url, str) else None
            if parsed is None:
                raise InvalidInput(
                    f"{url!r} is not a level of this registry.",
                    field=f"{where}.{prefix}:{relation}",
                )
            source = sources.get(f"{relation} {url}") if isinstance(sources, Mapping) else None
            linkages.append(
                {
                    "level": level,
                    "target_framework": parsed[0],
                    "target_level": parsed[1],
                    "relation": relation,
                    "source": source or f"Imported from {form} without a stated source.",
                }
            )
    return linkages


def _same(value: object) -> object:
    return value


def _language_map(value: object) -> dict[str, str]:
    # CTDL writes every text as a language map; a plain string is marked "und" (undetermined).
    if isinstance(value, str):
        return {"und": value}
    return dict(value) if isinstance(value, Mapping) else {}


def _from_language_map(value: object) -> str | dict[str, str]:
    if isinstance(value, Mapping) and set(value) == {"und"} and isinstance(value["und"], str):
        return str(value["und"])
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return value if isinstance(value, str) else ""


def _required(node: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in node:
        raise InvalidInput(f"{where} has no {key}.", field=f"{where}.{key}")
    return node[key]


def _id(value: object) -> str:
    if isinstance(value, Mapping) and isinstance(value.get("@id"), str):
        return str(value["@id"])
    return value if isinstance(value, str) else ""
