"""The verification report, the credential page and the PDF say what a credential prepares
for, for our credentials and for anyone's that align to a classification we know."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Connection

from tests.credentials.factories import World
from tests.occupations.third_party import third_party_credential
from tests.vocabularies.fixtures import SOFTWARE_DEVELOPER, import_esco

MOOC = {
    "occupations": [{"scheme": "csco2022", "code": "2-02-10-03"}],
    "industries": [{"scheme": "naics2022", "code": "541511"}],
}
PREPARES = (
    "prepares for 计算机软件工程技术人员 (CSCO 2-02-10-03, digital occupation); "
    "industry NAICS 541511 (Custom Computer Programming Services)"
)


def _verify(client: TestClient, credential: Any) -> dict[str, Any]:
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_report_says_what_it_prepares_for(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    issued = world.issue()
    for form in (issued["credential"], issued["jwt"]):
        meaning = _verify(world.client, form)["meaning"]
        assert meaning["preparesFor"] == PREPARES
        assert meaning["statement"].endswith(PREPARES)
        occupation = next(a["occupation"] for a in meaning["alignments"] if "occupation" in a)
        assert occupation["digital"] is True
        assert occupation["url"].endswith("/occupations/csco2022/2-02-10-03")
        # Said once: the generic "framework code (name)" form is not repeated.
        assert meaning["statement"].count("541511") == 1


def test_credential_page_and_pdf(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    issued = world.issue()
    page = world.client.get(f"/credentials/{issued['id']}", headers={"Accept": "text/html"})
    assert "<dt>Prepares for</dt>" in page.text
    assert "计算机软件工程技术人员 (CSCO 2-02-10-03, digital occupation)" in page.text
    pdf = world.client.get(f"/credentials/{issued['id']}.pdf")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Prepares for" in text
    assert "CSCO 2-02-10-03" in text
    assert "digital occupation" in text


def test_verify_page_shows_it(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    issued = world.issue()
    page = world.client.post("/verify", data={"credential": issued["jwt"]})
    assert page.status_code == 200
    assert "CSCO 2-02-10-03, digital occupation" in page.text


def test_third_party_alignments_are_recognised(client: TestClient) -> None:
    credential = third_party_credential(
        [
            {
                "type": ["Alignment"],
                "targetName": "Computer software engineers",
                "targetFramework": "中华人民共和国职业分类大典（2022年版）",
                "targetCode": "2-02-10-03",
                "targetUrl": "https://mooc.example.org/csco/2-02-10-03",
                "targetType": "ext:Occupation",
            },
            {
                "type": ["Alignment"],
                "targetName": "Computer programming",
                "targetFramework": "NACE Rev. 2.1",
                "targetCode": "62.10",
                "targetUrl": "https://mooc.example.org/nace/62.10",
            },
            {
                "type": ["Alignment"],
                "targetName": "Something else",
                "targetFramework": "NAICS",
                "targetCode": "999999",
                "targetUrl": "https://mooc.example.org/x",
            },
        ]
    )
    meaning = _verify(client, credential)["meaning"]
    assert meaning["preparesFor"] == (
        "prepares for 计算机软件工程技术人员 (CSCO 2-02-10-03, digital occupation); "
        "industry NACE 62.10 (Computer programming activities)"
    )
    # An unknown code is described as stated, never recognised.
    assert "NAICS 999999 (Something else)" in meaning["statement"]


def test_third_party_esco_uri(client: TestClient, connection: Connection) -> None:
    import_esco(connection)
    credential = third_party_credential(
        [
            {
                "type": ["Alignment"],
                "targetName": "software developer",
                "targetUrl": SOFTWARE_DEVELOPER,
                "targetType": "ext:Occupation",
            }
        ]
    )
    meaning = _verify(client, credential)["meaning"]
    assert meaning["preparesFor"] == "prepares for software developer (ESCO)"
