from __future__ import annotations

from app.proofs.badge import PALETTE, colour_for, render_svg, wrap
from app.proofs.summary import summarise
from tests.proofs.samples import credential


def _fits(width: int):  # type: ignore[no-untyped-def]
    return lambda value: len(value) <= width


def test_wrap_breaks_at_spaces_and_inside_unspaced_scripts() -> None:
    assert wrap("Introduction to Data Science", _fits(16), 3) == (
        ["Introduction to", "Data Science"],
        True,
    )
    assert wrap("数据科学与机器学习导论", _fits(4), 3) == (["数据科学", "与机器学", "习导论"], True)
    assert wrap("数据科学与机器学习导论", _fits(4), 2) == (["数据科学", "与机器…"], False)


def test_colour_is_stable_and_from_the_palette() -> None:
    summary = summarise(credential())
    assert colour_for(summary) == colour_for(summarise(credential()))
    assert colour_for(summary) in PALETTE


def test_svg_text_is_escaped() -> None:
    vc = credential()
    vc["credentialSubject"]["achievement"]["name"] = '<script>alert("x")</script>'
    svg = render_svg(summarise(vc))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
