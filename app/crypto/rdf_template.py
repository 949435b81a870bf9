"""JSON-LD to RDF once per shape of document, for documents that differ only in their strings.

Every credential of a batch has the same keys, the same `@context` and the same types; what
differs is strings: names, identifiers, dates, hashes, status indexes. pyld's expansion and
toRDF are two thirds of the signing time, so for such documents they are done once on a
*skeleton*, the document with each string replaced by a unique sentinel, and afterwards the
real strings are put into the skeleton's RDF in place of the sentinels.

Why the result is the dataset pyld gives for the real document, leaf by leaf:

- A string in a value position becomes `{"@value": s}` with a datatype, language and direction
  that depend only on the key and the active context, never on `s`; toRDF copies `s` verbatim
  into the literal, except for `xsd:double` (pyld re-formats numeric strings there) and `@json`
  (written as JSON text). A sentinel that comes out verbatim as a literal value, once and not
  as `xsd:double`, proves its leaf is in such a position.
- A string IRI `p:rest`, whose prefix `p` and whole value are not terms of any vendored
  context, expands to itself wherever it stands (pyld `_expand_iri`: no term, no prefix
  mapping, absolute). Its sentinel keeps the prefix (and `//`), so it expands the same way; one
  that comes out verbatim as a subject or object IRI (not as an `rdf:type` object: type values
  select type-scoped contexts) proves the position, and the real IRI then stands where it
  stood. Blank node identifiers (`_:`) are never replaced.
- Everything else is *bound*: kept as it is in the skeleton (so part of the cache key). That
  includes any leaf whose sentinel is missing, changed, a datatype, a language, a predicate,
  a graph name, inside a JSON literal, in a problem message, or anywhere else unexpected.
- Contexts are the vendored URLs only: a document with an inline context, or `@context` below
  the top, takes pyld's path, so the terms are known in advance.
- Nodes that share an IRI merge in pyld's node map, and equal values collapse. Substituting
  into the skeleton gives the union; a duplicate quad afterwards means a collapse happened, and
  the document then takes pyld's path.

pyld's own problems (safe mode) depend only on keys, types and bound values, so the
skeleton's are the document's. tests/crypto/test_rdf_template_differential.py compares the
canonical N-Quads of both paths over 10,000 generated credentials.

The document's side (shape, strings, skeleton) is rdf_shape's. From its shape's second
document on, a template also carries its canonicalization, prepared
(rdfc_template): a document is then canonicalized from its strings alone, without building its
dataset (`Filled.canonical`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from app.core.cache import LruCache
from app.crypto import rdf_shape, rdfc_template
from app.crypto.errors import JsonLdProcessingError
from app.crypto.rdfc import CanonicalizationLimits, canonicalize_dataset

Dataset = dict[str, list[dict[str, Any]]]
RunResult = tuple[Any, list[str]]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"

MAX_ROUNDS = 6

# Shape (kinds of leaves) -> leaves that must stay as they are; then (shape, their values) ->
# the compiled template. Each entry carries its weight: a token of its key weighs one, a quad
# sixteen (its parts are dicts), its prepared canonicalization by its size (rdfc_template, at
# the same bytes a unit). Bounded by weight, not count, since a verifier's documents
# come from anyone and one large document's shape is thousands of tokens and quads: the two
# caches hold at most about 30 MB; ours (a few hundred tokens, a hundred quads) fit by the
# hundred.
_MAX_WEIGHT = 200_000
_QUAD_WEIGHT = 16
_COLLIDABLE_WEIGHT = 2  # a quad's entry in `_Template.collidable`, a tuple of four


def _weight(entry: tuple[Any, int]) -> int:
    return entry[1]


_BOUND: LruCache[tuple[Any, ...], tuple[frozenset[int], int]] = LruCache(_MAX_WEIGHT, weigh=_weight)
_TEMPLATES: LruCache[tuple[Any, ...], tuple[_Template | None, int]] = LruCache(
    _MAX_WEIGHT, weigh=_weight
)
_MISSING: Any = object()


# A component of a skeleton quad, and the leaf whose string replaces its "value" (or None).
_Slot = tuple[dict[str, Any], int | None]
# subject, its leaf, predicate, object, its leaf
_Quad = rdfc_template.TemplateQuad
# Quads that equal strings could make equal: (subject leaf, subject value, object leaf, object
# value) each, a leaf's string standing for the value where there is a leaf.
_Collidable = tuple[tuple[int | None, str, int | None, str], ...]


@dataclass(frozen=True, slots=True)
class _Template:
    graphs: rdfc_template.TemplateGraphs
    problems: tuple[str, ...]
    collidable: tuple[_Collidable, ...]
    # Prepared when a second document of the shape comes (a verifier's one-off document
    # does not pay for it); None also where rdfc_template declines the template.
    canonical: rdfc_template.CanonicalTemplate | None = None
    prepared: bool = False


def _compile(
    dataset: Dataset, problems: list[str], sentinels: Mapping[str, int]
) -> tuple[_Template | None, set[int]]:
    """The template, or None and the leaves found where they may not be replaced.

    `sentinels` maps each sentinel of the skeleton to its leaf.
    """
    bad: set[int] = set()
    literal_uses: dict[int, int] = {}
    iri_uses: set[int] = set()
    for problem in problems:
        bad |= rdf_shape.marked(problem)

    def iri_slot(component: dict[str, Any], allowed: bool) -> _Slot:
        value = component.get("value")
        marks = rdf_shape.marked(value)
        if not marks:
            return component, None
        if not isinstance(value, str):
            bad.update(marks)
            return component, None
        index = sentinels.get(value)
        # An IRI sentinel has a scheme; a bare one here would have been made absolute.
        if allowed and index is not None and component["type"] == "IRI" and ":" in value:
            iri_uses.add(index)
            return component, index
        bad.update(marks)
        return component, None

    graphs = []
    for graph_name, triples in dataset.items():
        bad |= rdf_shape.marked(graph_name)
        compiled = []
        for triple in triples:
            subject = iri_slot(triple["subject"], allowed=True)
            predicate = triple["predicate"]
            bad |= rdf_shape.marked(predicate.get("value"))
            obj = triple["object"]
            if obj["type"] == "literal":
                bad |= rdf_shape.marked(obj.get("datatype")) | rdf_shape.marked(obj.get("language"))
                index = sentinels.get(obj["value"])
                if index is not None and obj.get("datatype") != _XSD_DOUBLE:
                    literal_uses[index] = literal_uses.get(index, 0) + 1
                    obj_slot: _Slot = (obj, index)
                else:
                    bad |= rdf_shape.marked(obj["value"])
                    obj_slot = (obj, None)
            else:
                obj_slot = iri_slot(obj, allowed=predicate.get("value") != _RDF_TYPE)
            compiled.append((*subject, predicate, *obj_slot))
        graphs.append((graph_name, tuple(compiled)))
    bad |= {index for index, uses in literal_uses.items() if uses != 1}
    bad |= set(literal_uses) & iri_uses
    if bad:
        return None, bad
    # A leaf that is missing altogether was dropped or transformed on the way; it may also be
    # missing only because a bad leaf (a type) changed the contexts, so it is bound only once
    # no other leaf is bad.
    missing = set(sentinels.values()) - set(literal_uses) - iri_uses
    if missing:
        return None, missing
    frozen = tuple(graphs)
    return _Template(frozen, tuple(problems), _collidable(frozen)), bad


def _collidable(graphs: rdfc_template.TemplateGraphs) -> tuple[_Collidable, ...]:
    """The groups of quads that may turn out equal once filled, as pyld would merge them.

    Two quads of a graph are equal when their subjects, predicates and objects are (type,
    value, datatype, language); only slot values vary. So candidates share all the rest, and
    where none of them has a slot, also the value there (a blank node's label, always).
    """
    candidates: dict[tuple[Any, ...], list[tuple[int | None, str, int | None, str]]] = {}
    for graph_name, triples in graphs:
        for subject, subject_slot, predicate, obj, object_slot in triples:
            key = (
                graph_name, subject["type"], predicate["value"], obj["type"],
                obj.get("datatype"), obj.get("language"),
            )  # fmt: skip
            member = (subject_slot, subject["value"], object_slot, obj["value"])
            candidates.setdefault(key, []).append(member)
    groups: list[_Collidable] = []
    for members in candidates.values():
        if len(members) < 2:
            continue
        subjects_fixed = all(subject_slot is None for subject_slot, *_ in members)
        objects_fixed = all(member[2] is None for member in members)
        split: dict[tuple[str | None, str | None], list[Any]] = {}
        for member in members:
            fixed = (member[1] if subjects_fixed else None, member[3] if objects_fixed else None)
            split.setdefault(fixed, []).append(member)
        groups += [tuple(group) for group in split.values() if len(group) > 1]
    return tuple(groups)


def _collapses(template: _Template, leaves: list[str]) -> bool:
    """Whether two quads of the filled template are equal (pyld would have merged them)."""
    for group in template.collidable:
        distinct = {
            (
                subject if subject_slot is None else leaves[subject_slot],
                obj if object_slot is None else leaves[object_slot],
            )
            for subject_slot, subject, object_slot, obj in group
        }
        if len(distinct) < len(group):
            return True
    return False


def _instantiate(template: _Template, leaves: list[str]) -> Dataset:
    """The skeleton's dataset with the real strings (`_collapses` must be False).

    Components without a slot are the template's own dicts, shared by every result: the
    canonicalizer copies a dataset before the one path that writes to it (rdfc.py).
    """
    dataset: Dataset = {}
    for graph_name, triples in template.graphs:
        filled = []
        for subject, subject_slot, predicate, obj, object_slot in triples:
            if subject_slot is not None:
                subject = {**subject, "value": leaves[subject_slot]}
            if object_slot is not None:
                obj = {**obj, "value": leaves[object_slot]}
            filled.append({"subject": subject, "predicate": predicate, "object": obj})
        dataset[graph_name] = filled
    return dataset


@dataclass(frozen=True, slots=True)
class Filled:
    """A document as its shape's template and its own strings."""

    template: _Template
    leaves: list[str]

    @property
    def problems(self) -> list[str]:
        """pyld's safe-mode problems for the document (see the module docstring)."""
        return list(self.template.problems)

    def dataset(self) -> Dataset:
        """The RDF dataset pyld's toRDF gives for the document."""
        return _instantiate(self.template, self.leaves)

    def canonical(self, limits: CanonicalizationLimits) -> str:
        """`rdfc.canonicalize_dataset(self.dataset(), limits)`, mostly without the dataset."""
        prepared = self.template.canonical
        if prepared is not None:
            text = prepared.canonical(self.leaves, limits)
            if text is not None:
                return text
        return canonicalize_dataset(self.dataset(), limits)


def fill(
    document: Mapping[str, Any],
    run: Callable[[Mapping[str, Any]], RunResult],
    terms: frozenset[str],
    *,
    skeleton_runs: int = MAX_ROUNDS,
) -> Filled | None:
    """The document as its shape's template, learning the template with `run` (pyld's toRDF
    and its safe-mode problems) where needed; None when the document or its shape is outside
    the template path, and the caller then takes pyld's own path (and gets its errors).

    `skeleton_runs` bounds the pyld runs spent on skeletons in this call: a verifier, handed
    documents by anyone, allows one, so a shape it has not seen costs at most twice pyld's
    own path (the shape keeps what that run learnt, and the next document of it goes on from
    there).
    """
    try:
        shape, leaves, kept = rdf_shape.leaves(document, terms)
    except rdf_shape.NotTemplatable:
        return None
    learnt = _BOUND.get(shape)
    bound = learnt[0] if learnt is not None else kept
    for _round in range(MAX_ROUNDS):
        key = (shape, tuple(leaves[index] for index in sorted(bound)))
        key_weight = len(shape) + len(bound)
        try:
            template, weight = _TEMPLATES[key]
        except KeyError:
            template, weight = _MISSING, 0
        if template is None:
            return None  # these kept strings made the skeleton fail before: pyld's own error
        if template is _MISSING:
            if skeleton_runs <= 0:
                return None
            skeleton_runs -= 1
            skeleton, sentinels = rdf_shape.skeleton(document, leaves, bound, terms)
            try:
                dataset, problems = run(skeleton)
            except JsonLdProcessingError:
                # A kept string (say an invalid @direction) or a sentinel the document does
                # not have: pyld reports the document's own error, or its result.
                _TEMPLATES[key] = (None, key_weight)
                return None
            template, bad = _compile(dataset, problems, sentinels)
            if template is None:
                bound = bound | frozenset(bad)
                _BOUND[shape] = (bound, len(shape))
                continue
            quads = sum(len(triples) for _name, triples in template.graphs)
            collidable = sum(len(group) for group in template.collidable)
            weight = key_weight + _QUAD_WEIGHT * quads + _COLLIDABLE_WEIGHT * collidable
            _TEMPLATES[key] = (template, weight)
        elif not template.prepared:
            canonical = rdfc_template.prepare(template.graphs)
            template = replace(template, canonical=canonical, prepared=True)
            if canonical is not None:
                weight += canonical.weight
            _TEMPLATES[key] = (template, weight)
        if _collapses(template, leaves):
            return None  # pyld would have merged equal quads: let it
        return Filled(template, leaves)
    return None
