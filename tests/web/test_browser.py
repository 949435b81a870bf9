"""A real browser against a real server: Debian's Chromium, driven by Playwright.

The server is the ``live`` uvicorn of tests/web/live.py. The browser may reach that server
only: any other request is aborted and fails the test. Screenshots land in
tests/web/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from tests.support.browser import ARTIFACTS, open_page
from tests.web.live import LEARNER, Live


def test_an_employer_uploads_a_pdf_and_sees_it_verified(browser: Browser, live: Live) -> None:
    credential_page = live.credential["links"]["page"]
    pdf = httpx.get(live.credential["links"]["pdf"], timeout=30).content
    page, guard = open_page(browser, live)
    page.goto(f"{live.url}/verify")
    page.set_input_files(
        "#file", files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#result-title").text_content() == "Verified"
    result = page.locator("main").inner_text()
    assert "We checked the file certificate.pdf." in result
    assert LEARNER in result
    assert "level 5" in result
    assert "5 earned" in result

    page.goto(credential_page)
    assert page.locator("#result-title").text_content() == "Verified"
    assert page.locator("h1").inner_text() == "Introduction to Python Programming"
    assert page.evaluate("document.querySelector('img.badge').naturalWidth") == 512
    assert page.evaluate("document.documentElement.lang") == "en"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "credential-page.png"), full_page=True)
    assert guard.outside == []
    assert guard.errors == []


def test_the_credential_page_fits_a_phone(browser: Browser, live: Live) -> None:
    page, guard = open_page(
        browser,
        live,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page.goto(live.credential["links"]["page"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button = page.get_by_role("link", name="PDF certificate").bounding_box()
    assert button is not None
    assert button["height"] >= 44
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "credential-page-phone.png"), full_page=True)
    assert guard.outside == []
    assert guard.errors == []
