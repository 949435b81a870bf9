from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.proofs.summary import safe_url, summarise, text
from tests.proofs.samples import credential


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "ftp://example.org/file",
        "//evil.example/x",
        "http://",
        "https://exa mple.org",
        "https://example.org/\u202eevil",
        "http://[::1",
        None,
        42,
    ],
)
def test_only_absolute_http_urls_survive(url: object) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize("url", ["https://example.org/a?b=c#d", "http://127.0.0.1:8000/x"])
def test_http_urls_are_kept(url: str) -> None:
    assert safe_url(url) == url


def test_language_values_bidi_overrides_and_controls() -> None:
    assert text({"@value": "Université", "@language": "fr"}) == "Université"
    assert text([{"@value": "名前", "@language": "ja"}, "x"]) == "名前"
    assert text("Eve\u202e\u0000 ") == "Eve"
    assert text("   ") is None
    assert text("a" * 20, limit=10) == "a" * 9 + "…"


def test_the_facts_of_a_credential() -> None:
    summary = summarise(credential(creditsEarned=4.5))
    assert summary.learner_name == "李小龙 (Zoë Ångström)"
    assert summary.achievement_name == "Introduction to Data Science"
    assert summary.issuer_name == "جامعة القاهرة"
    assert summary.valid_from == datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert summary.level_names == ["European Qualifications Framework, level 5: EQF level 5"]
    assert (summary.field_of_study, summary.field_code) == (
        "Software and applications development and analysis",
        "0613",
    )
    assert (summary.credits_available, summary.credits_earned) == (5.0, 4.5)
    assert summary.criteria_url == "https://uni.example.org/c"


GARBAGE: list[Any] = [
    {},
    {"credentialSubject": []},
    {"credentialSubject": "x", "issuer": ["a"], "validFrom": 7},
    {"credentialSubject": [{"achievement": []}, {"name": 3}]},
    {"credentialSubject": {"achievement": {"alignment": {"targetName": "x"}, "name": {}}}},
    {"credentialSubject": {"achievement": {"alignment": [None, 1, {"targetName": 5}]}}},
    {"credentialSubject": {"achievement": {"creditsAvailable": float("nan")}}},
    {"credentialSubject": {"achievement": {"creditsAvailable": True}}, "validFrom": "yesterday"},
    {"issuer": "did:key:z6Mk", "validFrom": "2026-01-01T00:00:00"},
]


@pytest.mark.parametrize("document", GARBAGE)
def test_any_shape_is_read_without_raising(document: dict[str, Any]) -> None:
    summary = summarise(document)
    assert summary.achievement_name
    assert summary.credits_available is None or summary.credits_available >= 0


def test_remote_images_are_never_used_only_inline_raster_data() -> None:
    png = "data:image/png;base64,iVBORw0KGgo="
    for image, expected in [
        ({"id": png, "type": "Image"}, png),
        (png, png),
        ("https://tracker.example/pixel.png", None),
        ("data:image/svg+xml;base64,PHN2Zz4=", None),
    ]:
        summary = summarise(credential(achievement={"name": "x", "image": image}))
        assert summary.image_data_uri == expected
