r"""RDFC-1.0 for the documents of one template: the shape's N-Quads text is written once.

Every document filled into an `rdf_template` template has the template's quads, blank node
labels, predicates, datatypes, languages and graphs; only its slots (literal values and
subject or object IRIs) differ. So what `rdfc._canonicalize_simple` does per document is
mostly the same each time: escaping the same terms, finding the quads each blank node's
first-degree hash reads, writing the same lines. Here that is done once per template, into
`%`-format texts whose holes are the slots and the canonical labels. A document then costs
escaping its slot strings, one format (and hash) per blank node whose hash reads a slot (the
others' hashes are constants), the labelling, and one format, split and sort for the result.

The bytes are `_canonicalize_simple`'s, by construction: lines are written from the same
pieces (`rdfc._term`, `rdfc._object_text` and the same escaping of the same strings), a
blank node's hash reads the same lines (a quad naming it twice counts twice), labels go in
hash order and labels already starting with _:c14n are kept. Nothing assumes an order that
holds for one document only: hashes and labels are per document, and so is every sort but
one that provably holds for any strings: a hash's lines are written in sorted order once
when each line's text before its first slot decides it (no other line begins with the text
before a line's first slot); otherwise, as with several values of one property, they are
sorted per document. N-Quads lines hold no raw line feed (escaping writes `\n` or
`\u000A`; a template with a raw control character is not prepared), so a row of a format is
a line, and sorting lines without their final line feed orders them as with it (no
character of a line sorts below it). Where the simple labelling does not apply (two blank
nodes share a hash), the limits are exceeded, or hashing meets a lone surrogate, `canonical`
returns None and the caller takes rdfc's own path, which gives the answer, or the error, as
before.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import itemgetter
from typing import Any

from app.crypto.rdfc import (
    CanonicalizationLimits,
    _escape_iri,
    _keep_label,
    _object_text,
    _term,
    escape_iris,
    escape_literals,
)

# A template's quad: subject, its leaf (or None), predicate, object, its leaf (or None).
TemplateQuad = tuple[dict[str, Any], int | None, dict[str, Any], dict[str, Any], int | None]
TemplateGraphs = tuple[tuple[str, tuple[TemplateQuad, ...]], ...]

# A piece of a line: its text, or a hole: (_SLOT, the slot's escaped value's index) or
# (_BLANK, the blank node's label).
_SLOT, _BLANK = 0, 1
_Piece = str | tuple[int, Any]
_Pick = Callable[[Sequence[str]], tuple[str, ...]]

# Bytes per unit of a template's cache weight: a quad's dicts weigh 16 there, and take about
# 40 bytes a unit (tracemalloc, large templates). A format text costs its characters, a hole
# its index and pointer; counted so, a prepared template takes about 40 bytes a unit too.
_BYTES_PER_WEIGHT = 32
_HOLE_BYTES = 16
_CONTROL = re.compile(r"[\x00-\x1f]")


def _picker(indices: Sequence[int]) -> _Pick:
    """values -> the tuple of values[i] for i in indices (itemgetter, always a tuple)."""
    if not indices:
        return lambda _values: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda values: (values[only],)
    pick: _Pick = itemgetter(*indices)
    return pick


# A row as written: its text up to its first hole, whether it has holes, its format, and
# the values its holes take.
_Row = tuple[str, bool, str, list[int]]


def _in_fixed_order(rows: list[_Row]) -> bool:
    """Whether sorting `rows` by their text before the first hole sorts them whatever values
    fill them. Only a row with holes whose prefix begins another's leaves the order open;
    sorted by prefix, such a row begins the next one."""
    rows = sorted(rows, key=lambda row: (row[0], row[1]))
    for (prefix, holes, _format, _values), (following, *_rest) in pairwise(rows):
        if holes and following.startswith(prefix):
            return False
    return True


@dataclass(frozen=True, slots=True)
class _Rows:
    """Lines with holes: `text % pick(values)` writes them, one per row; when `in_order`,
    already in their sorted order, each ending in a line feed."""

    text: str
    pick: _Pick
    holes: int
    in_order: bool

    @classmethod
    def of(
        cls,
        lines: list[list[_Piece]],
        hole: Callable[[tuple[int, Any]], int | str],
        *,
        order: bool = False,
    ) -> _Rows:
        """`hole` gives a hole's index in the values, or the text that stands for it. With
        `order`, rows whose sorted order holds for any values are written in that order."""
        rows: list[_Row] = []
        for line in lines:
            prefix: list[str] = []
            written: list[str] = []
            indices: list[int] = []
            for piece in line:
                filled = piece if isinstance(piece, str) else hole(piece)
                if isinstance(filled, int):
                    indices.append(filled)
                    written.append("%s")
                    continue
                if not indices:
                    prefix.append(filled)
                written.append(filled.replace("%", "%%"))
            rows.append(("".join(prefix), bool(indices), "".join(written), indices))
        in_order = order and _in_fixed_order(rows)
        if in_order:
            rows.sort(key=lambda row: (row[0], row[1]))
        text = "\n".join(row[2] for row in rows) + ("\n" if in_order else "")
        indices = [index for row in rows for index in row[3]]
        return cls(text, _picker(indices), len(indices), in_order)

    def sorted_lines(self, values: Sequence[str]) -> str:
        """The lines, sorted, each ending in a line feed (there is at least one row)."""
        if self.in_order:
            return self.text % self.pick(values)
        rows = (self.text % self.pick(values)).split("\n")
        rows.sort()
        return "\n".join(rows) + "\n"

    def weight_bytes(self) -> int:
        return len(self.text) + _HOLE_BYTES * self.holes


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _literal_suffix(obj: dict[str, Any]) -> str:
    """What follows a literal's closing quote: its language or datatype, as rdfc writes it."""
    return _object_text({**obj, "value": ""}, _keep_label)[2:]


def _line(
    quad: TemplateQuad, graph_name: str | None, hole_of: dict[int, int]
) -> tuple[list[_Piece], list[str]]:
    """A quad's line as pieces (rdfc `_Line` without the line feed), and its blank nodes in
    `_Line.blank_nodes` order (subject, object, graph; repeats kept)."""
    subject, subject_slot, predicate, obj, object_slot = quad
    pieces: list[_Piece] = []
    blank_nodes = []
    if subject["type"] == "blank node":
        pieces.append((_BLANK, subject["value"]))
        blank_nodes.append(subject["value"])
    elif subject_slot is not None:
        pieces += ["<", (_SLOT, hole_of[subject_slot]), ">"]
    else:
        pieces.append(_term(subject, _keep_label))
    pieces.append(f" {_term(predicate, _keep_label)} ")
    if obj["type"] == "blank node":
        pieces.append((_BLANK, obj["value"]))
        blank_nodes.append(obj["value"])
    elif object_slot is None:
        pieces.append(_object_text(obj, _keep_label))
    elif obj["type"] == "literal":
        pieces += ['"', (_SLOT, hole_of[object_slot]), '"' + _literal_suffix(obj)]
    else:
        pieces += ["<", (_SLOT, hole_of[object_slot]), ">"]
    if graph_name is not None and graph_name.startswith("_:"):
        pieces += [" ", (_BLANK, graph_name)]
        blank_nodes.append(graph_name)
    elif graph_name is not None:
        pieces.append(f" <{_escape_iri(graph_name)}>")
    pieces.append(" .")
    merged: list[_Piece] = []  # adjacent texts as one
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged, blank_nodes


@dataclass(frozen=True, slots=True)
class CanonicalTemplate:
    """A template's canonicalization, prepared; `canonical(leaves, limits)` per document."""

    quads: int
    blank_nodes: int  # as rdfc `_check_size` counts them
    pick_literals: _Pick  # leaves -> the literal slots' strings
    pick_iris: _Pick  # leaves -> the IRI slots' strings (escaped values after the literals)
    fixed_hashes: tuple[str, ...]  # per blank node; "" where the hash reads a slot
    slot_hashes: tuple[tuple[int, _Rows], ...]  # those blank nodes, and their hashes' lines
    labels: tuple[str, ...]  # _:c14n0, _:c14n1, ... as many as blank nodes
    lines: _Rows  # every line; holes: slots, then blank node labels (index after the slots)
    weight: int  # in rdf_template's cache units

    def canonical(self, leaves: Sequence[str], limits: CanonicalizationLimits) -> str | None:
        """`rdfc.canonicalize_dataset` of the template filled with `leaves`, or None where
        that takes another path than the simple labelling (or raises)."""
        if self.quads > limits.max_quads or self.blank_nodes > limits.max_blank_nodes:
            return None
        if self.quads == 0:
            return ""
        values = [
            *escape_literals(self.pick_literals(leaves)),
            *escape_iris(self.pick_iris(leaves)),
        ]
        hashes = list(self.fixed_hashes)
        try:
            for blank_node, rows in self.slot_hashes:
                hashes[blank_node] = _hash(rows.sorted_lines(values))
        except UnicodeEncodeError:
            return None  # a lone surrogate: rdfc raises it, with its own position
        if len(set(hashes)) < len(hashes):
            return None  # look-alike blank nodes: Hash N-Degree Quads
        labels = [""] * len(hashes)
        for label, blank_node in zip(
            self.labels, sorted(range(len(hashes)), key=hashes.__getitem__), strict=True
        ):
            labels[blank_node] = label
        values += labels
        return self.lines.sorted_lines(values)


def _slot_leaves(graphs: TemplateGraphs) -> tuple[list[int], list[int]]:
    """The leaves of the literal slots, then of the IRI slots, each in order of first use."""
    literal_leaves = [
        object_slot
        for _name, quads in graphs
        for _subject, _subject_slot, _predicate, obj, object_slot in quads
        if object_slot is not None and obj["type"] == "literal"
    ]  # rdf_template: a literal's leaf is used once, and never as an IRI
    iri_leaves: dict[int, None] = {}
    for _name, quads in graphs:
        for _subject, subject_slot, _predicate, obj, object_slot in quads:
            if subject_slot is not None:
                iri_leaves[subject_slot] = None
            if object_slot is not None and obj["type"] != "literal":
                iri_leaves[object_slot] = None
    return literal_leaves, list(iri_leaves)


def prepare(graphs: TemplateGraphs) -> CanonicalTemplate | None:
    """The canonicalization of `graphs`' documents; None when its constant text cannot take
    this path: a lone surrogate where a hash reads it (rdfc then raises for every document),
    or a raw control character (in a kept language tag) that would split or sort lines."""
    literal_leaves, iri_leaves = _slot_leaves(graphs)
    hole_of = {leaf: index for index, leaf in enumerate([*literal_leaves, *iri_leaves])}
    slots = len(hole_of)

    lines: list[list[_Piece]] = []
    related: dict[str, list[list[_Piece]]] = {}  # blank node -> the lines its hash reads
    blank_nodes = {name for name, _quads in graphs if name.startswith("_:")}
    for graph_name, quads in graphs:
        name = None if graph_name == "@default" else graph_name
        for quad in quads:
            line, labels = _line(quad, name, hole_of)
            if any(isinstance(piece, str) and _CONTROL.search(piece) for piece in line):
                return None
            lines.append(line)
            for label in labels:
                related.setdefault(label, []).append(line)
            blank_nodes.update(labels)

    fixed_hashes = []
    slot_hashes = []
    weight_bytes = 0
    for index, (label, its_lines) in enumerate(related.items()):

        def as_related(hole: tuple[int, Any], label: str = label) -> int | str:
            kind, value = hole
            if kind == _SLOT:
                return int(value)
            return "_:a" if value == label else "_:z"

        rows = _Rows.of(its_lines, as_related, order=True)
        if rows.holes:
            fixed_hashes.append("")
            slot_hashes.append((index, rows))
            weight_bytes += rows.weight_bytes()
            continue
        try:
            fixed_hashes.append(_hash(rows.sorted_lines(())))
        except UnicodeEncodeError:
            return None

    position = {label: slots + index for index, label in enumerate(related)}

    def labelled(hole: tuple[int, Any]) -> int | str:
        kind, value = hole
        if kind == _SLOT:
            return int(value)
        label = str(value)
        return label if label.startswith("_:c14n") else position[label]

    every_line = _Rows.of(lines, labelled)
    weight_bytes += every_line.weight_bytes() + 64 * len(related)
    return CanonicalTemplate(
        quads=len(lines),
        blank_nodes=len(blank_nodes),
        pick_literals=_picker(literal_leaves),
        pick_iris=_picker(iri_leaves),
        fixed_hashes=tuple(fixed_hashes),
        slot_hashes=tuple(slot_hashes),
        labels=tuple(f"_:c14n{index}" for index in range(len(related))),
        lines=every_line,
        weight=1 + weight_bytes // _BYTES_PER_WEIGHT,
    )
