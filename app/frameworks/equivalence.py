"""Which levels of other frameworks a level corresponds to, following linkages transitively.

Pure: works on the linkages it is given, knows nothing of the database. Linkages are read in
both directions, a stated ``A narrowMatch B`` also meaning ``B broadMatch A``. Along a path the
relation can only weaken: exact > close > broad | narrow, and a path that goes both broader and
narrower says no more than SKOS ``relatedMatch`` (the two levels overlap somewhere).

Each linkage is labelled ``official`` (an official referencing report stands behind it) or
``proposed``; a path is official only when every hop is. The search is a best-first walk over
(level, relation-so-far) states, so the strongest relation wins, then an official path over a
proposed one, then the fewest hops (relation and label only degrade along a path, so the first
path to reach a state is its best); each state is expanded once, so cycles end the walk instead of
looping it. A state carries its relation and not just its rank because broad and narrow rank
alike yet extend differently.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

OFFICIAL, PROPOSED = "official", "proposed"


class Relation(StrEnum):
    exact = "exactMatch"
    close = "closeMatch"
    broad = "broadMatch"
    narrow = "narrowMatch"
    related = "relatedMatch"


_RANK = {
    Relation.exact: 0,
    Relation.close: 1,
    Relation.broad: 2,
    Relation.narrow: 2,
    Relation.related: 3,
}
_INVERSE = {
    Relation.exact: Relation.exact,
    Relation.close: Relation.close,
    Relation.broad: Relation.narrow,
    Relation.narrow: Relation.broad,
    Relation.related: Relation.related,
}


def inverse(relation: Relation) -> Relation:
    """The relation read from the target back to the source."""
    return _INVERSE[relation]


def compose(first: Relation, then: Relation) -> Relation:
    """The relation of a two-hop path: the weaker of the two, or related if directions mix."""
    if {first, then} == {Relation.broad, Relation.narrow}:
        return Relation.related
    return first if _RANK[first] >= _RANK[then] else then


@dataclass(frozen=True, order=True)
class LevelRef:
    framework: str
    level: str


@dataclass(frozen=True)
class Link:
    """A stated linkage: ``source`` level has ``relation`` to ``target`` level."""

    source: LevelRef
    target: LevelRef
    relation: Relation
    justification: str
    label: str = PROPOSED
    # The referencing report the linkage was derived from, e.g. "report <id> of 2012".
    report: str | None = None


@dataclass(frozen=True, order=True)
class Hop:
    """One step of a path, from ``framework``/``level`` to ``target_*`` with ``relation``.

    ``inverse`` is true when the step follows a linkage stated the other way round, its
    relation inverted; ``source`` is that linkage's source (who says these levels match).
    """

    framework: str
    level: str
    target_framework: str
    target_level: str
    relation: Relation
    inverse: bool
    source: str
    label: str = PROPOSED
    report: str | None = None


@dataclass(frozen=True)
class Equivalent:
    framework: str
    level: str
    relation: Relation
    path: tuple[Hop, ...]

    @property
    def label(self) -> str:
        """``official`` when every hop rests on an official referencing report."""
        return (
            OFFICIAL if self.path and all(hop.label == OFFICIAL for hop in self.path) else PROPOSED
        )


def equivalents(start: LevelRef, links: Iterable[Link]) -> list[Equivalent]:
    """Every level reachable from ``start``, with its strongest (then shortest) path.

    Sorted strongest relation first, then by path length, framework and level code.
    """
    graph = _adjacency(links)
    # Heap entries: (rank, proposed, hops, node, relation, path); node and path make ties
    # deterministic.
    frontier: list[tuple[int, int, int, LevelRef, Relation, tuple[Hop, ...]]] = [
        (_RANK[Relation.exact], 0, 0, start, Relation.exact, ())
    ]
    expanded: set[tuple[LevelRef, Relation]] = set()
    best: dict[LevelRef, Equivalent] = {}
    while frontier:
        _rank, proposed, hops, node, relation, path = heapq.heappop(frontier)
        if (node, relation) in expanded:
            continue
        expanded.add((node, relation))
        if node != start and node not in best:
            best[node] = Equivalent(node.framework, node.level, relation, path)
        for hop, neighbour in graph.get(node, ()):
            if neighbour == start:
                continue
            combined = compose(relation, hop.relation)
            if (neighbour, combined) not in expanded:
                label = int(proposed or hop.label != OFFICIAL)
                entry = (_RANK[combined], label, hops + 1, neighbour, combined, (*path, hop))
                heapq.heappush(frontier, entry)
    return sorted(
        best.values(),
        key=lambda e: (_RANK[e.relation], len(e.path), e.framework, e.level),
    )


def _adjacency(links: Iterable[Link]) -> dict[LevelRef, list[tuple[Hop, LevelRef]]]:
    graph: dict[LevelRef, list[tuple[Hop, LevelRef]]] = {}
    for link in links:
        forward = Hop(
            link.source.framework,
            link.source.level,
            link.target.framework,
            link.target.level,
            link.relation,
            False,
            link.justification,
            link.label,
            link.report,
        )
        backward = Hop(
            link.target.framework,
            link.target.level,
            link.source.framework,
            link.source.level,
            inverse(link.relation),
            True,
            link.justification,
            link.label,
            link.report,
        )
        graph.setdefault(link.source, []).append((forward, link.target))
        graph.setdefault(link.target, []).append((backward, link.source))
    return graph
