from __future__ import annotations

import pytest

from app.core.negotiation import best_match, parse_accept, prefers, quality

OFFERED = ("application/json", "application/vc", "application/vc+jwt")


def test_parse_accept_reads_q_values() -> None:
    assert parse_accept("text/html;q=0.5, application/json, */*;q=bad") == [
        ("text/html", 0.5),
        ("application/json", 1.0),
        ("*/*", 0.0),
    ]


def test_most_specific_range_decides() -> None:
    ranges = parse_accept("application/*;q=0.2, application/vc+jwt")
    assert quality(ranges, "application/vc+jwt") == 1.0
    assert quality(ranges, "application/json") == 0.2
    assert quality(ranges, "text/html") == 0.0


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/vc+jwt", "application/vc+jwt"),
        ("application/vc, application/vc+jwt;q=0.9", "application/vc"),
        ("text/html", "application/json"),
        ("application/json;q=0, application/vc;q=0.1", "application/vc"),
    ],
)
def test_best_match(accept: str | None, expected: str) -> None:
    assert best_match(accept, OFFERED) == expected


def test_prefers_is_strict() -> None:
    assert prefers("application/json", ["application/json"], ["text/html"])
    assert not prefers("text/html,application/json", ["application/json"], ["text/html"])
    assert not prefers(None, ["application/json"], ["text/html"])
    assert prefers("text/html,application/json;q=0.9", ["text/html"], ["application/json"])
