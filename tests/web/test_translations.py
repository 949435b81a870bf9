"""Every page in English and Simplified Chinese, from gettext catalogs; none left untranslated.

Rendering records every message the pages look up; each must have a Chinese translation in
the shipped catalog, the catalog must match the sources (a new message cannot slip in
untranslated) and the compiled .mo must match the .po.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app.core import i18n
from tests.credentials.factories import World

LOCALES = Path(i18n.LOCALES_DIR)
PO = LOCALES / "zh_CN" / "LC_MESSAGES" / "messages.po"
MO = LOCALES / "zh_CN" / "LC_MESSAGES" / "messages.mo"
ROOT = Path(__file__).resolve().parents[2]
HTML = "text/html,application/xhtml+xml,*/*;q=0.8"


def _catalog() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and isinstance(m.id, str)}


class _Recording:
    def __init__(self, inner: Any, seen: set[str]) -> None:
        self.inner, self.seen = inner, seen

    def ugettext(self, message: str) -> str:
        self.seen.add(message)
        return str(self.inner.ugettext(message))

    def ungettext(self, singular: str, plural: str, count: int) -> str:
        self.seen.add(singular)
        return str(self.inner.ungettext(singular, plural, count))


@pytest.fixture
def looked_up(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    seen: set[str] = set()
    real = i18n.translations
    monkeypatch.setattr(i18n, "translations", lambda locale: _Recording(real(locale), seen))
    return seen


def _pages(client: TestClient, world: World, lang: str) -> dict[str, str]:
    """Every page of the site, in ``lang``, by name."""
    world.achievement = world.create_achievement(suspendable=True)
    issued = world.issue(recipient={"name": "李小龙", "email": "li@example.org"}, credits_earned=5)
    revoked = world.issue(recipient={"name": "Zoë", "email": "zoe@example.org"})
    client.post(
        f"/v1/credentials/{revoked['id']}/revoke", json={}, headers=world.revoke_headers
    ).raise_for_status()
    forged = copy.deepcopy(issued["credential"])
    forged["credentialSubject"]["achievement"]["name"] = "Forged"
    query = f"?lang={lang}"
    empty_file = {"file": ("", b"", "application/octet-stream")}

    def post(text: str) -> str:
        return client.post(
            f"/verify{query}", data={"credential": text}, files=empty_file, headers={"Accept": HTML}
        ).text

    def get(path: str) -> str:
        response = client.get(f"{path}{query}", headers={"Accept": HTML})
        assert response.status_code in (200, 404), (path, response.status_code)
        return response.text

    offer = client.get(f"/credentials/{issued['id']}/offer{query}", headers={"Accept": HTML})
    # An occupation-aligned credential (guidance), and a pathway it counts toward.
    mooc = world.create_achievement(
        name="Software Engineering with Python (MOOC)",
        occupations=[{"scheme": "csco2022", "code": "2-02-10-03"}],
        industries=[{"scheme": "naics2022", "code": "541511"}],
    )
    aligned = world.issue(achievement_id=mooc["id"])
    target = world.create_achievement(name="Software Developer")
    pathway = client.post(
        f"/v1/issuers/{world.slug}/pathways",
        json={
            "name": "Software Developer (EQF 5)",
            "target_achievement_id": target["id"],
            "requirements": [
                {"name": "Programming", "achievement": mooc["id"]},
                {"name": "Databases", "isced_f": "0612"},
                {"at_least": 2, "of": [{"isced_f": "0613"}, {"credits": 5}, {"isced_f": "06"}]},
            ],
            "min_credits": 25,
        },
        headers=world.issue_headers,
    )
    assert pathway.status_code == 201, pathway.text
    evaluated = client.post(
        f"/verify{query}",
        data={"credential": "", "pathway": pathway.json()["id"]},
        files=[
            ("file", ("a.json", json.dumps(aligned["credential"]).encode(), "application/json")),
            ("file", ("b.json", json.dumps(forged).encode(), "application/json")),
            ("file", ("c.json", b"garbage", "application/json")),
        ],
        headers={"Accept": HTML},
    )
    assert evaluated.status_code == 200, evaluated.text
    guidance = client.post(
        f"/guidance{query}",
        data={"credential": json.dumps(aligned["credential"])},
        headers={"Accept": HTML},
    )
    return {
        "landing": get("/"),
        "verify form": get("/verify"),
        "verified": post(json.dumps(issued["credential"])),
        "forged": post(json.dumps(forged)),
        "not a credential": post('{"hello": "world"}'),
        "unreadable": post("hello"),
        "empty": post(""),
        "credential page": get(f"/credentials/{issued['id']}"),
        "revoked page": get(f"/credentials/{revoked['id']}"),
        "not found": get("/credentials/nope"),
        "level": get("/frameworks/eqf/levels/6"),
        "wallet offer": offer.text,
        "occupation": get("/occupations/csco2022/2-02-10-03"),
        "industry": get("/industries/naics2022/541511"),
        "occupation not found": get("/occupations/csco2022/9-99-99-99"),
        "pathway": get(f"/pathways/{pathway.json()['id']}"),
        "pathway not found": get("/pathways/nope"),
        "credit bank": evaluated.text,
        "guidance": guidance.text,
    }


def test_every_page_is_chinese_with_zh_cn(
    client: TestClient, world: World, looked_up: set[str]
) -> None:
    pages = _pages(client, world, "zh-CN")
    catalog = _catalog()
    untranslated = sorted(m for m in looked_up if not catalog.get(m))
    assert not untranslated, untranslated
    assert len(looked_up) > 60  # the recording saw the pages' messages
    # No English sentence of the catalog is left on a Chinese page.
    sentences = [m for m in catalog if len(m.split()) >= 3 and "%(" not in m and "{" not in m]
    for name, page in pages.items():
        assert '<html lang="zh-CN">' in page, name
        leaked = [s for s in sentences if s in page.replace("&#39;", "'")]
        assert not leaked, (name, leaked)
    assert "验证证书" in pages["verify form"]
    assert "未通过验证" in pages["forged"]
    assert "声称，未经验证" in pages["forged"]
    assert "这是 JSON，但不是证书" in pages["not a credential"]
    assert "颁发者已撤销此证书" in pages["revoked page"]
    # The verifier's, the credit bank's and the guidance's reasons, in Chinese.
    assert "签名不匹配：内容在签名后被改动过。" in pages["forged"]
    assert "迈向" in pages["credit bank"]
    assert "尚缺" in pages["credit bank"]
    assert "计入Software Developer (EQF 5)" in pages["credit bank"]
    assert "不计入" in pages["credit bank"]
    assert "已满足" in pages["credit bank"]
    # A translated reason keeps its identifiers as written (no capital put on "eddsa").
    assert "eddsa-rdfc-2022 签名有效。" in pages["verified"]
    assert "数字职业" in pages["occupation"]
    # What a credential certifies: our words translated, the names as written.
    certifies = "为以下职业做准备：计算机软件工程技术人员 (CSCO 2-02-10-03, 数字职业)；"
    certifies += "行业：NAICS 541511"
    assert certifies in pages["credit bank"]
    assert "prepares for" not in pages["credit bank"]
    assert "通往资历的路径" in pages["pathway"]
    assert "已验证" in pages["guidance"]
    # The credential's own content is shown as issued; dates are localised.
    assert "李小龙" in pages["credential page"]
    assert "Introduction to Python Programming" in pages["credential page"]
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", pages["credential page"])


def test_english_stays_the_default_and_accept_language_chooses(
    client: TestClient, world: World
) -> None:
    english = _pages(client, world, "en")
    assert '<html lang="en">' in english["landing"]
    assert "Verify a credential" in english["verify form"]
    chinese = client.get("/verify", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in chinese.text
    assert chinese.headers["content-language"] == "zh-CN"
    assert "Accept-Language" in chinese.headers["vary"]
    # ?lang= wins over the header, and the switch links to the other language.
    forced = client.get("/verify?lang=en", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in forced.text
    assert 'href="/verify?lang=zh-CN"' in forced.text
    traditional = client.get("/verify", headers={"Accept-Language": "zh-TW"})
    assert '<html lang="en">' in traditional.text


@pytest.mark.parametrize(
    ("query", "header", "chosen"),
    [
        ("lang=zh-CN", None, "zh_CN"),
        ("lang=zh", "en", "zh_CN"),
        ("lang=fr", "zh-CN", "zh_CN"),
        ("", "fr, zh-Hans;q=0.5", "zh_CN"),
        ("", "zh-CN;q=0, en", "en"),
        ("", None, "en"),
        ("lang=" + "x" * 5000, "garbage;;q=abc", "en"),
    ],
)
def test_negotiation(query: str, header: str | None, chosen: str) -> None:
    assert i18n.negotiate(query, header) == chosen


def test_the_catalog_matches_the_sources_and_the_compiled_file(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "--quiet", "extract", "-F", "babel.cfg",
         "-k", "N_", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    catalog = _catalog()
    missing = sorted(str(m) for m in extracted - set(catalog))
    assert not missing, f"run `make translations` and translate: {missing}"
    assert all(catalog[str(m)] for m in extracted if isinstance(m, str))
    with MO.open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert {k: v for k, v in catalog.items() if k in extracted} == {
        k: v for k, v in compiled.items() if k in extracted
    }, "the .mo is stale: run `make translations`"
