"""A real browser for the page tests: Debian's Chromium driven by Playwright, and a guard
that aborts and records every request leaving our server. Screenshots go to
tests/web/artifacts/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.web.live import Live

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "web" / "artifacts"
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


@contextmanager
def launch() -> Iterator[Browser]:
    """Chromium, closed when the block ends (the ``browser`` fixture of tests/web)."""
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


def open_page(browser: Browser, live: Live, **options: Any) -> tuple[Page, Guard]:
    context = browser.new_context(**options)
    guard = Guard(live.url)
    context.route("**/*", guard.route)
    return guard.watch(context.new_page()), guard
