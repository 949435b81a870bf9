"""Every page in both languages in a real browser: screenshots, and axe-core finds nothing serious.

Debian's Chromium driven by Playwright (as tests/web/test_browser.py) against the live server.
axe-core comes from tests/interop/node_modules (npm, pinned in tests/interop/package.json) and
is injected into each page; the context bypasses our CSP only so that the test's own script
can run. Screenshots land in tests/web/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import ARTIFACTS, Guard
from tests.web.live import LEARNER, Live, admin_key

AXE = Path(__file__).resolve().parents[1] / "interop" / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = {"en": "Verify a credential", "zh-CN": "验证证书"}
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def pages(live: Live) -> dict[str, str]:
    """Path of every kind of page, a revoked credential's included."""
    admin = {"Authorization": f"Bearer {admin_key(live.database_url)}"}
    with httpx.Client(base_url=live.url, headers=admin, timeout=30) as http:
        slug = live.credential["credential"]["issuer"]["id"].rsplit(":", 1)[-1]
        achievement = http.get(f"/v1/issuers/{slug}/achievements").json()
        achievement_id = (
            achievement[0] if isinstance(achievement, list) else achievement["items"][0]
        )["id"]
        revoked = http.post(
            f"/v1/issuers/{slug}/credentials",
            json={
                "achievement_id": achievement_id,
                "recipient": {"name": "Ada", "email": "a@x.org"},
            },
        ).json()
        http.post(f"/v1/credentials/{revoked['id']}/revoke", json={}).raise_for_status()
    page_url = live.credential["links"]["page"].removeprefix(live.url)
    return {
        "landing": "/",
        "verify": "/verify",
        "credential": page_url,
        "revoked": f"/credentials/{revoked['id']}",
        "not-found": "/credentials/no-such-credential",
        "level": "/frameworks/eqf/levels/5",
        "wallet-offer": f"{page_url}/offer",
    }


@pytest.fixture
def page(browser: Browser, live: Live) -> Iterator[tuple[Page, Guard]]:
    context = browser.new_context(bypass_csp=True, extra_http_headers={"Accept": "text/html"})
    guard = Guard(live.url)
    context.route("**/*", guard.route)
    try:
        yield guard.watch(context.new_page()), guard
    finally:
        context.close()


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return found


def _check(page: Page, guard: Guard, name: str, lang: str) -> None:
    assert page.evaluate("document.documentElement.lang") == lang, name
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{lang}.png"), full_page=True)
    serious = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    assert guard.outside == [], name
    # The not-found page is answered with status 404 on purpose; Chromium logs that.
    expected = "status of 404" if name == "not-found" else None
    assert [e for e in guard.errors if not (expected and expected in e)] == [], name


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "name", ["landing", "verify", "credential", "revoked", "not-found", "level", "wallet-offer"]
)
def test_every_page_in_both_languages_is_accessible(
    page: tuple[Page, Guard], live: Live, pages: dict[str, str], name: str, lang: str
) -> None:
    browser_page, guard = page
    browser_page.goto(f"{live.url}{pages[name]}?lang={lang}")
    assert LANGUAGES[lang] in browser_page.locator("header").inner_text()
    _check(browser_page, guard, name, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_verification_result_in_both_languages_is_accessible(
    page: tuple[Page, Guard], live: Live, lang: str
) -> None:
    browser_page, guard = page
    pdf = httpx.get(live.credential["links"]["pdf"], timeout=30).content
    browser_page.goto(f"{live.url}/verify?lang={lang}")
    browser_page.set_input_files(
        "#file", files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    with browser_page.expect_navigation():
        browser_page.click("button[type=submit]")
    title = browser_page.locator("#result-title").text_content()
    assert title == {"en": "Verified", "zh-CN": "已验证"}[lang]
    assert LEARNER in browser_page.locator("main").inner_text()
    _check(browser_page, guard, "verify-result", lang)


@pytest.mark.parametrize(
    ("path", "ready"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")]
)
def test_the_api_docs_render_offline(
    browser: Browser,
    live: Live,
    path: str,
    ready: str,
) -> None:
    # With the docs' own CSP in force (no bypass): it is part of what keeps them offline.
    context = browser.new_context()
    guard = Guard(live.url)
    context.route("**/*", guard.route)
    browser_page = guard.watch(context.new_page())
    browser_page.goto(f"{live.url}{path}")
    browser_page.wait_for_selector(ready, timeout=20_000)
    assert "LearnProof" in browser_page.locator(ready).first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    browser_page.screenshot(path=str(ARTIFACTS / f"api{path.replace('/', '-')}.png"))
    # Nothing was fetched from elsewhere (the guard aborts and records any such request).
    assert guard.outside == []
    context.close()
