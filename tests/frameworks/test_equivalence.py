from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.frameworks import alignment
from app.frameworks.equivalence import LevelRef, Link, Relation, compose, equivalents, inverse
from tests.frameworks.conftest import Document, framework_document, linkage
from tests.support.problems import assert_problem

R = Relation
Create = Callable[[Document], Document]


def _ref(name: str) -> LevelRef:
    framework, level = name.split(":")
    return LevelRef(framework, level)


def _link(source: str, relation: Relation, target: str) -> Link:
    return Link(_ref(source), _ref(target), relation, f"{source} {relation} {target}")


def _found(start: str, links: list[Link]) -> dict[str, tuple[Relation, list[str]]]:
    """``framework:level -> (relation, levels along the path)`` for compact assertions."""
    return {
        f"{e.framework}:{e.level}": (
            e.relation,
            [f"{hop.target_framework}:{hop.target_level}" for hop in e.path],
        )
        for e in equivalents(_ref(start), links)
    }


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        (R.exact, R.exact, R.exact),
        (R.exact, R.close, R.close),
        (R.close, R.exact, R.close),
        (R.broad, R.exact, R.broad),
        (R.exact, R.narrow, R.narrow),
        (R.close, R.broad, R.broad),
        (R.broad, R.broad, R.broad),
        (R.narrow, R.narrow, R.narrow),
        (R.broad, R.narrow, R.related),
        (R.narrow, R.broad, R.related),
        (R.related, R.exact, R.related),
        (R.close, R.related, R.related),
    ],
)
def test_relations_only_weaken_along_a_path(
    first: Relation, then: Relation, expected: Relation
) -> None:
    assert compose(first, then) is expected


def test_inverse_swaps_broad_and_narrow_only() -> None:
    assert [inverse(r) for r in R] == [R.exact, R.close, R.narrow, R.broad, R.related]


def test_linkages_are_followed_in_both_directions() -> None:
    links = [_link("de:6", R.narrow, "eqf:6")]

    [from_de] = equivalents(_ref("de:6"), links)
    [from_eqf] = equivalents(_ref("eqf:6"), links)

    assert (from_de.framework, from_de.level, from_de.relation) == ("eqf", "6", R.narrow)
    assert from_de.path[0].inverse is False
    assert (from_eqf.framework, from_eqf.level, from_eqf.relation) == ("de", "6", R.broad)
    assert from_eqf.path[0].inverse is True
    assert from_eqf.path[0].source == "de:6 narrowMatch eqf:6"


def test_weakest_relation_on_the_path_is_reported() -> None:
    links = [
        _link("de:6", R.broad, "eqf:6"),
        _link("fr:6", R.exact, "eqf:6"),
        _link("ch:6", R.narrow, "fr:6"),
        _link("uk:6", R.broad, "fr:6"),
    ]

    found = _found("de:6", links)

    # de:6 is narrower than eqf:6, which equals fr:6 ...
    assert found["eqf:6"] == (R.broad, ["eqf:6"])
    assert found["fr:6"] == (R.broad, ["eqf:6", "fr:6"])
    # ... which is narrower than ch:6: de:6 is narrower still.
    assert found["ch:6"] == (R.broad, ["eqf:6", "fr:6", "ch:6"])
    # uk:6 is narrower than fr:6 too; two parts of one level need not overlap each other.
    assert found["uk:6"] == (R.related, ["eqf:6", "fr:6", "uk:6"])


def test_strongest_path_wins_then_shortest() -> None:
    links = [
        _link("de:6", R.broad, "fr:6"),
        _link("de:6", R.exact, "eqf:6"),
        _link("fr:6", R.exact, "eqf:6"),
        _link("at:6", R.exact, "eqf:6"),
        _link("at:6", R.exact, "fr:6"),
    ]

    found = _found("de:6", links)

    assert found["fr:6"] == (R.exact, ["eqf:6", "fr:6"])
    assert found["at:6"] == (R.exact, ["eqf:6", "at:6"])
    assert list(found) == ["eqf:6", "at:6", "fr:6"]


def test_cycles_end_the_walk() -> None:
    links = [
        _link("a:1", R.exact, "b:1"),
        _link("b:1", R.exact, "c:1"),
        _link("c:1", R.exact, "a:1"),
        _link("c:1", R.broad, "d:1"),
        _link("d:1", R.narrow, "a:1"),
    ]

    found = _found("a:1", links)

    assert found == {
        "b:1": (R.exact, ["b:1"]),
        "c:1": (R.exact, ["c:1"]),
        "d:1": (R.broad, ["d:1"]),
    }


def test_unlinked_level_has_no_equivalents() -> None:
    assert equivalents(_ref("x:1"), [_link("a:1", R.exact, "b:1")]) == []


def test_equivalents_through_the_eqf_over_http(
    client: TestClient, create_framework: Create, link: Callable[..., httpx.Response]
) -> None:
    dqr = [str(n) for n in range(1, 9)]
    create_framework(framework_document("de-dqr", dqr, linkages=[linkage("6", "eqf", "6")]))
    create_framework(framework_document("fr-rncp", ["5", "6", "7", "8"], jurisdiction="FR"))
    assert link("fr-rncp", "6", "eqf", "6").status_code == 201
    assert link("fr-rncp", "7", "eqf", "7", "broadMatch").status_code == 201
    # A cycle through a direct national link must not make the walk loop.
    assert link("de-dqr", "6", "fr-rncp", "6", "closeMatch").status_code == 201

    response = client.get("/v1/frameworks/de-dqr/levels/6/equivalents")

    assert response.status_code == 200, response.text
    found = {(e["framework"], e["level"]): e for e in response.json()}
    assert set(found) == {("eqf", "6"), ("fr-rncp", "6")}
    assert found[("eqf", "6")]["relation"] == "exactMatch"
    assert found[("eqf", "6")]["level_name"] == "EQF level 6"
    through_eqf = found[("fr-rncp", "6")]
    assert through_eqf["relation"] == "exactMatch"
    assert through_eqf["framework_name"] == "Framework fr-rncp"
    assert [
        (h["framework"], h["level"], h["target_framework"], h["target_level"], h["inverse"])
        for h in through_eqf["path"]
    ] == [("de-dqr", "6", "eqf", "6", False), ("eqf", "6", "fr-rncp", "6", True)]

    from_eqf7 = client.get("/v1/frameworks/eqf/levels/7/equivalents").json()
    assert [(e["framework"], e["level"], e["relation"]) for e in from_eqf7] == [
        ("fr-rncp", "7", "narrowMatch")
    ]
    assert_problem(client.get("/v1/frameworks/eqf/levels/9/equivalents"), 404)
    assert_problem(client.get("/v1/frameworks/nowhere/levels/1/equivalents"), 404)


def test_describe_alignment_for_the_verification_report(
    session: Session, create_framework: Create
) -> None:
    create_framework(
        framework_document("de-dqr", ["5", "6"], linkages=[linkage("6", "eqf", "6", "broadMatch")])
    )

    meaning = alignment.describe_alignment(session, "eqf", "6")

    assert meaning["framework"]["code"] == "eqf"
    assert meaning["level"] == {"code": "6", "name": "EQF level 6", "ordinal": 6}
    assert [(e["framework"], e["relation"]) for e in meaning["equivalents"]] == [
        ("de-dqr", "narrowMatch")
    ]
    assert meaning["statement"] == (
        "EQF level 6 (European Qualifications Framework for lifelong learning); "
        "encompasses Level 6 (Framework de-dqr)"
    )
    assert [(e.framework, e.level) for e in alignment.equivalents(session, "de-dqr", "6")] == [
        ("eqf", "6")
    ]
