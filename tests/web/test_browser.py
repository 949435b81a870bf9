"""A real browser against a real server: Debian's Chromium, driven by Playwright.

The server is the ``live`` uvicorn of tests/web/live.py. The browser may reach that server
only: any other request is aborted and fails the test. Screenshots land in
tests/web/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.web.live import LEARNER, Live

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Without the networking flags Chromium keeps calling Google services, which this
# machine's closed network refuses (see the machine notes); the sandbox needs a non-root user.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Guard:
    """Aborts and records any request that leaves our server, and any console error."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.outside: list[str] = []
        self.errors: list[str] = []

    def route(self, route: Route) -> None:
        target = route.request.url
        if target.startswith(("data:", "blob:")) or _origin(target) == self.origin:
            route.continue_()
        else:
            self.outside.append(target)
            route.abort()

    def watch(self, page: Page) -> Page:
        page.on(
            "console", lambda message: message.type == "error" and self.errors.append(message.text)
        )
        return page


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _open(browser: Browser, live: Live, **options: Any) -> tuple[Page, Guard]:
    context = browser.new_context(**options)
    guard = Guard(live.url)
    context.route("**/*", guard.route)
    return guard.watch(context.new_page()), guard


def test_an_employer_uploads_a_pdf_and_sees_it_verified(browser: Browser, live: Live) -> None:
    credential_page = live.credential["links"]["page"]
    pdf = httpx.get(live.credential["links"]["pdf"], timeout=30).content
    page, guard = _open(browser, live)
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
    page, guard = _open(
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
