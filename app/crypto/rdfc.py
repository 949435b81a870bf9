r"""RDFC-1.0 (URDNA2015) over pyld, with the limits and the escaping pyld lacks.

Two pyld 3.3 defects are fixed here, both against Digital Bazaar's rdf-canonize (what
`@digitalbazaar/vc` runs, and what passes the W3C RDFC-1.0 suite):

- No guard against "poison" datasets (RDFC-1.0 test074): a clique of blank nodes makes Hash
  N-Degree Quads run in factorial time and pyld never gives up. We bound deep iterations as
  rdf-canonize does by default (number of non-unique blank nodes, `maxWorkFactor = 1`), so
  whatever we sign also canonicalizes there, plus a wall-clock deadline and size caps.
- Canonical N-Quads escaping (test060): pyld writes control characters and DEL raw in literals
  and does not escape IRIs; rdf-canonize writes `\b \f \uXXXX`. A signature over pyld's bytes
  would not verify elsewhere, so quads are serialized here, for hashing and for output.

Speed: when every blank node has its own first-degree hash, as in nearly every credential, the
canonical form is computed here without pyld's URDNA2015 (`_canonicalize_simple`); otherwise
the bounded pyld path runs. Both write the same bytes (tests/crypto/test_canonicalization_*).
Documents of a known shape go faster still: rdfc_template prepares `_canonicalize_simple`'s
work once per shape, and falls back here where it does not apply.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from app.core import budget as work_budget
from app.crypto.errors import CanonicalizationLimitExceeded

Dataset = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class CanonicalizationLimits:
    """Bounds on one canonicalization; the defaults leave large credentials far inside them.

    An Open Badges credential has about 40 quads, a handful of blank nodes and needs no deep
    iteration; a presentation holding a few hundred credentials stays well under the caps.
    """

    max_quads: int = 100_000
    max_blank_nodes: int = 20_000
    # Deep iterations allowed = (number of blank nodes sharing a first-degree hash) ** factor.
    max_work_factor: int = 1
    timeout_seconds: float = 2.0
    # Hash N-Degree Quads recurses once per blank node along a path of look-alike blank
    # nodes; a long chain of them would exhaust Python's stack (RecursionError) long before
    # it ends. No credential links more than a few such nodes in a row.
    max_recursion_depth: int = 64

    def __post_init__(self) -> None:
        if min(self.max_quads, self.max_blank_nodes, self.max_work_factor) < 0:
            raise ValueError("canonicalization limits must not be negative")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


DEFAULT_LIMITS = CanonicalizationLimits()


_LITERAL_SPECIALS = re.compile(r'[\x00-\x1f\x7f"\\]')
_LITERAL_ECHARS = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_IRI_SPECIALS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _uchar(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04X}"


def _escape_literal(value: str) -> str:
    if _LITERAL_SPECIALS.search(value) is None:
        return value  # most literals: no substitution, no callback
    return _LITERAL_SPECIALS.sub(lambda m: _LITERAL_ECHARS.get(m.group()) or _uchar(m), value)


def _escape_iri(value: str) -> str:
    if _IRI_SPECIALS.search(value) is None:
        return value
    return _IRI_SPECIALS.sub(_uchar, value)


def escape_literals(values: Sequence[str]) -> Sequence[str]:
    """Each value escaped as a literal's; one search over them all when none needs it."""
    if _LITERAL_SPECIALS.search("".join(values)) is None:
        return values
    return [_escape_literal(value) for value in values]


def escape_iris(values: Sequence[str]) -> Sequence[str]:
    """Each value escaped as an IRI; one search over them all when none needs it."""
    if _IRI_SPECIALS.search("".join(values)) is None:
        return values
    return [_escape_iri(value) for value in values]


def _keep_label(label: str) -> str:
    return label


def _term(component: dict[str, Any], relabel: Callable[[str], str]) -> str:
    if component["type"] == "blank node":
        return relabel(component["value"])
    return f"<{_escape_iri(component['value'])}>"


def _object_text(obj: dict[str, Any], relabel: Callable[[str], str]) -> str:
    if obj["type"] != "literal":
        return _term(obj, relabel)
    text = f'"{_escape_literal(obj["value"])}"'
    if obj["datatype"] == _RDF_LANGSTRING:
        if obj.get("language"):
            text += "@" + obj["language"]
    elif obj["datatype"] != _XSD_STRING:
        text += f"^^<{_escape_iri(obj['datatype'])}>"
    return text


def _serialize(
    quad: dict[str, Any], name: dict[str, Any] | None, relabel: Callable[[str], str]
) -> str:
    """N-Quads line; `relabel` maps the subject's, object's and graph's blank node labels.

    As in pyld (and RDFC-1.0), a blank node predicate is never relabelled.
    """
    text = _object_text(quad["object"], relabel)
    line = f"{_term(quad['subject'], relabel)} {_term(quad['predicate'], _keep_label)} {text}"
    if name is not None and name.get("value") is not None:
        line += " " + _term(name, relabel)
    return line + " .\n"


def serialize_quad(quad: dict[str, Any]) -> str:
    """One canonical N-Quads line for a pyld quad (subject, predicate, object, optional name)."""
    return _serialize(quad, quad.get("name"), _keep_label)


class _Budget:
    """Deadline and deep-iteration budget shared by one canonicalization run."""

    __slots__ = ("deadline", "depth", "limits", "remaining_deep")

    def __init__(self, limits: CanonicalizationLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.timeout_seconds
        self.remaining_deep: int | None = None
        self.depth = 0

    def check_time(self) -> None:
        work_budget.check()  # the request's own budget (CPU, deadline, client gone), if any
        if time.monotonic() > self.deadline:
            raise CanonicalizationLimitExceeded(
                f"canonicalization exceeded {self.limits.timeout_seconds} s"
            )


class _MeteredIssuer(IdentifierIssuer):  # type: ignore[misc]  # pyld is untyped
    """The canonical issuer, asked once per related node of every permutation tried.

    That makes it the one hook inside pyld's permutation loop, which can run for a long time
    between two Hash N-Degree Quads calls.
    """

    def __init__(self, prefix: str, budget: _Budget) -> None:
        super().__init__(prefix)
        self._budget = budget

    def has_id(self, old: str) -> bool:
        self._budget.check_time()
        return bool(super().has_id(old))


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    def __init__(self, budget: _Budget) -> None:
        super().__init__()
        self._budget = budget
        self.canonical_issuer = _MeteredIssuer("_:c14n", budget)

    def main(self, dataset: Dataset, options: dict[str, Any]) -> str:
        # pyld issues the canonical labels and rewrites self.quads with them in place; only
        # its serialization is replaced.
        super().main(dataset, {"format": "application/n-quads"})
        return "".join(sorted(serialize_quad(quad) for quad in self.quads))

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            # pyld has already put each quad's graph name on the quad itself.
            info["hash"] = _first_degree_hash(
                id_, [(quad, quad.get("name")) for quad in info["quads"]]
            )
        return str(info["hash"])

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        budget = self._budget
        if budget.remaining_deep is None:
            # First deep call: pyld has just left step 5, so hash_to_blank_nodes holds exactly
            # the blank nodes that share a first-degree hash (the "non-unique" ones).
            non_unique = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            factor = budget.limits.max_work_factor
            budget.remaining_deep = non_unique**factor if factor > 0 else 0
        if budget.remaining_deep <= 0:
            raise CanonicalizationLimitExceeded(
                "canonicalization needs more deep iterations than allowed "
                "(blank nodes too interconnected: possible RDFC poison graph)"
            )
        budget.remaining_deep -= 1
        budget.check_time()
        if budget.depth >= budget.limits.max_recursion_depth:
            raise CanonicalizationLimitExceeded(
                f"canonicalization would follow more than {budget.limits.max_recursion_depth} "
                "look-alike blank nodes in a row (possible RDFC poison graph)"
            )
        budget.depth += 1
        try:
            return super().hash_n_degree_quads(id_, issuer)
        finally:
            budget.depth -= 1


def _check_size(dataset: Dataset, limits: CanonicalizationLimits) -> None:
    quads = sum(len(triples) for triples in dataset.values())
    if quads > limits.max_quads:
        raise CanonicalizationLimitExceeded(f"{quads} quads exceed the limit of {limits.max_quads}")
    blank_nodes = {name for name in dataset if name.startswith("_:")}
    for triples in dataset.values():
        for triple in triples:
            for position in ("subject", "object"):
                term = triple[position]
                if term["type"] == "blank node":
                    blank_nodes.add(term["value"])
    if len(blank_nodes) > limits.max_blank_nodes:
        raise CanonicalizationLimitExceeded(
            f"{len(blank_nodes)} blank nodes exceed the limit of {limits.max_blank_nodes}"
        )


_Quad = tuple[dict[str, Any], dict[str, Any] | None]  # a pyld triple and its graph name term


def _first_degree_hash(id_: str, quads: list[_Quad]) -> str:
    """Hash First Degree Quads (RDFC-1.0 §4.6): `id_` written as _:a, other blank nodes _:z."""

    def relabel(label: str) -> str:
        return "_:a" if label == id_ else "_:z"

    digest = hashlib.sha256()
    for line in sorted(_serialize(quad, name, relabel) for quad, name in quads):
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


class _Line:
    """One quad's N-Quads line, its terms escaped once; blank nodes are filled in per use."""

    __slots__ = ("graph", "graph_blank", "object", "object_blank", "predicate", "subject",
                 "subject_blank")  # fmt: skip

    def __init__(self, triple: dict[str, Any], graph_name: str | None) -> None:
        subject = triple["subject"]
        self.subject_blank = subject["value"] if subject["type"] == "blank node" else None
        self.subject = "" if self.subject_blank is not None else _term(subject, _keep_label)
        self.predicate = _term(triple["predicate"], _keep_label)
        obj = triple["object"]
        self.object_blank = obj["value"] if obj["type"] == "blank node" else None
        self.object = "" if self.object_blank is not None else _object_text(obj, _keep_label)
        blank_graph = graph_name is not None and graph_name.startswith("_:")
        self.graph_blank = graph_name if blank_graph else None
        self.graph = "" if graph_name is None or blank_graph else f" <{_escape_iri(graph_name)}>"

    def blank_nodes(self) -> list[str]:
        return [
            label
            for label in (self.subject_blank, self.object_blank, self.graph_blank)
            if label is not None
        ]

    def render(self, relabel: Callable[[str], str]) -> str:
        subject = self.subject if self.subject_blank is None else relabel(self.subject_blank)
        obj = self.object if self.object_blank is None else relabel(self.object_blank)
        graph = self.graph if self.graph_blank is None else " " + relabel(self.graph_blank)
        return f"{subject} {self.predicate} {obj}{graph} .\n"


def _line_hash(id_: str, lines: list[_Line]) -> str:
    """`_first_degree_hash` over prepared lines."""

    def relabel(label: str) -> str:
        return "_:a" if label == id_ else "_:z"

    digest = hashlib.sha256()
    for text in sorted(line.render(relabel) for line in lines):
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def _canonicalize_simple(dataset: Dataset) -> str | None:
    """The RDFC-1.0 result when every blank node has a distinct first-degree hash, else None.

    Then RDFC-1.0 step 5 labels all of them in hash order and step 6 (Hash N-Degree Quads, the
    only costly part) has nothing left to do. Credentials nearly always take this path: their
    blank nodes (subject, alignments, results…) differ in their own properties. The steps
    mirror pyld's `URDNA2015.main` exactly, including its quirks, so the bytes are the same:
    a quad naming one blank node twice counts twice in its hash, and labels already starting
    with _:c14n are not replaced. Each quad's terms are escaped once (`_Line`), not once per
    hash it takes part in.
    """
    lines: list[_Line] = []
    by_blank_node: dict[str, list[_Line]] = {}
    for graph_name, triples in dataset.items():
        name = None if graph_name == "@default" else graph_name
        for triple in triples:
            line = _Line(triple, name)
            lines.append(line)
            for label in line.blank_nodes():
                by_blank_node.setdefault(label, []).append(line)

    hashes = {_line_hash(id_, related): id_ for id_, related in by_blank_node.items()}
    if len(hashes) < len(by_blank_node):
        return None
    canonical = {hashes[hash_]: f"_:c14n{index}" for index, hash_ in enumerate(sorted(hashes))}

    def relabel(label: str) -> str:
        return label if label.startswith("_:c14n") else canonical[label]

    return "".join(sorted(line.render(relabel) for line in lines))


def _copied(term: Any) -> Any:
    return dict(term) if isinstance(term, dict) else term


def canonicalize_dataset(dataset: Dataset, limits: CanonicalizationLimits = DEFAULT_LIMITS) -> str:
    """Canonical N-Quads (RDFC-1.0, SHA-256) of a pyld RDF dataset, within `limits`."""
    _check_size(dataset, limits)
    simple = _canonicalize_simple(dataset)
    if simple is not None:
        return simple
    canonicalizer = _BoundedURDNA2015(_Budget(limits))
    # pyld relabels blank nodes in the quads' own dicts; the caller's dataset (whose dicts
    # rdf_template shares between documents) stays as it was.
    private = {
        name: [{part: _copied(term) for part, term in triple.items()} for triple in triples]
        for name, triples in dataset.items()
    }
    try:
        result: str = canonicalizer.main(private, {"format": "application/n-quads"})
    except RecursionError:
        # The depth cap above should come first; this is the backstop for stack-hungry paths.
        raise CanonicalizationLimitExceeded(
            "canonicalization recursed too deeply (blank nodes too interconnected)"
        ) from None
    return result
