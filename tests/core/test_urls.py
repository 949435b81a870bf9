"""`PublicUrls` reads back every URL it builds, and nobody else's."""

from __future__ import annotations

import pytest

from app.core.urls import PublicUrls

URLS = PublicUrls("https://learn.example:8443/proof/")


def test_every_url_reads_back() -> None:
    assert URLS.base == "https://learn.example:8443/proof"
    assert URLS.parse_credential(URLS.credential("c-1")) == "c-1"
    assert URLS.parse_status_list(URLS.status_list("uni", "revocation-2")) == (
        "uni",
        "revocation-2",
    )
    assert URLS.parse_level(URLS.level("de dqr", "6/a")) == ("de dqr", "6/a")
    assert URLS.parse_issuer_did(URLS.issuer_did("uni")) == "uni"
    assert URLS.parse_achievement(URLS.achievement("uni", "a-1")) == "a-1"


def test_the_did_follows_did_web() -> None:
    assert URLS.issuer_did("uni") == "did:web:learn.example%3A8443:proof:issuers:uni"
    assert URLS.did_prefix == "did:web:learn.example%3A8443:proof:issuers:"


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/credentials/c-1",
        "https://learn.example:8443/credentials/c-1",
        "https://learn.example:8443/proof/frameworks/eqf",
        "https://learn.example:8443/proof/frameworks/eqf/levels/",
        "https://learn.example:8443/proof/issuers/uni",
        None,
        42,
    ],
)
def test_other_urls_are_not_ours(url: object) -> None:
    assert URLS.parse_issuer_did(url) is None
    if isinstance(url, str):
        assert URLS.parse_credential(url) is None
        assert URLS.parse_level(url) is None
        assert URLS.parse_achievement(url) is None
        assert URLS.parse_status_list(url) is None


def test_concept_pages_read_back() -> None:
    url = URLS.concept("occupations", "csco", "2-02-10-03")

    assert url == f"{URLS.base}/occupations/csco/2-02-10-03"
    assert URLS.parse_concept(url) == ("occupations", "csco", "2-02-10-03")
    assert URLS.parse_concept(f"{URLS.base}/occupations/csco") is None
    assert URLS.parse_concept("https://elsewhere.example/occupations/csco/1") is None


def test_every_other_public_url_is_under_the_base() -> None:
    built = [
        URLS.framework("de-dqr"),
        URLS.referencing_report("r1"),
        URLS.isced_field("0613"),
        URLS.pathway("p1"),
        URLS.transfer_rule("t1"),
        URLS.clr("c1"),
        URLS.job("j1"),
        URLS.verify_page,
        URLS.problems,
        URLS.issuer_did_document("uni"),
        URLS.issuer_jwks("uni"),
    ]

    assert all(url.startswith(f"{URLS.base}/") for url in built)
    assert URLS.issuer_jwks("uni") == f"{URLS.issuer('uni')}/jwks.json"
