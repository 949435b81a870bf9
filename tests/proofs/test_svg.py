from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from app.proofs.payload import ExtractionError
from app.proofs.summary import summarise
from app.proofs.svg import NAMESPACE, bake_svg, extract_from_svg
from tests.proofs.samples import JWT, credential

HOSTILE = 'Data ]]><script>alert(1)</script> & "quotes" \ufffe'


def test_round_trip_survives_cdata_breakers_and_any_script() -> None:
    vc = credential()
    vc["credentialSubject"]["achievement"]["name"] = HOSTILE
    svg = bake_svg(summarise(vc), vc)
    assert extract_from_svg(svg.encode()) == vc


def test_the_badge_declares_the_ob3_namespace_and_runs_no_script() -> None:
    vc = credential()
    vc["credentialSubject"]["achievement"]["name"] = HOSTILE
    root = fromstring(bake_svg(summarise(vc), vc).encode())
    tags = {element.tag for element in root.iter()}
    assert f"{{{NAMESPACE}}}credential" in tags
    assert not [tag for tag in tags if tag.endswith("script") or tag.endswith("foreignObject")]
    assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]


def test_a_jwt_in_the_verify_attribute_is_read() -> None:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{NAMESPACE}">'
        f'<openbadges:credential verify="{JWT}"></openbadges:credential></svg>'
    )
    assert extract_from_svg(svg.encode()) == JWT


def test_a_jwt_as_element_text_is_read() -> None:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{NAMESPACE}">'
        f"<openbadges:credential><![CDATA[ {JWT} ]]></openbadges:credential></svg>"
    )
    assert extract_from_svg(svg.encode()) == JWT


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&d;&d;&d;&d;</text></svg>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&secret;</openbadges:credential></svg>"""


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (BILLION_LAUGHS, "not a well-formed SVG"),
        (EXTERNAL_ENTITY, "not a well-formed SVG"),
        ("<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>", "not a well-formed SVG"),
        ("<html><body>hi</body></html>", "not an SVG"),
        ("<svg xmlns='http://www.w3.org/2000/svg'/>", "no Open Badges credential"),
    ],
)
def test_hostile_or_empty_svgs_are_refused(document: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        extract_from_svg(document.encode())


def test_two_credentials_are_ambiguous() -> None:
    element = f"<openbadges:credential>{JWT}</openbadges:credential>"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{NAMESPACE}">'
        f"{element}{element}</svg>"
    )
    with pytest.raises(ExtractionError, match="more than one"):
        extract_from_svg(svg.encode())
