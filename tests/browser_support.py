"""Fixtures for headless-Chromium tests (Playwright driving Debian's /usr/bin/chromium).

Use in a test module::

    pytestmark = [pytest.mark.browser, pytest.mark.slow]

    def test_something(page, live_server, page_errors):
        page.goto("/problems/")             # relative to live_server.url
        screenshot(page, "problems-list")   # artifacts/screenshots/problems-list.png
        assert page_errors == []

Playwright never downloads a browser here: the system Chromium is launched with flags that
keep it off the network. Playwright's sync API runs an asyncio loop in this thread, which
trips Django's "async unsafe" guard on ORM calls made from the test body, so the browser
fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for as long as the browser lives.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_PATH = os.environ.get("PIEWEB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
# Default viewport, CSS pixels: a 13" laptop. Phone tests pass their own (e.g. 390 x 844).
LAPTOP_VIEWPORT = {"width": 1366, "height": 900}
PHONE_VIEWPORT = {"width": 390, "height": 844}
# Playwright's per-action wait, milliseconds: generous because CI shares two cores.
DEFAULT_TIMEOUT_MS = 15_000


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` to artifacts/screenshots/<name>.png and return its path.

    ``name`` is reduced to ``[A-Za-z0-9._-]`` so any label is a safe file name.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "screenshot"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium per test session (per xdist worker)."""
    if not Path(CHROMIUM_PATH).exists() and not shutil.which(CHROMIUM_PATH):
        pytest.skip(f"Chromium not found at {CHROMIUM_PATH} (set PIEWEB_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        instance = manager.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught JavaScript errors and console errors seen by ``page``; assert it is empty."""
    return []


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh context (cookies, storage) whose relative URLs resolve against live_server."""
    context = browser.new_context(base_url=live_server.url, viewport=LAPTOP_VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    # Belt and braces next to the Chromium flags: the page may only talk to the live server.
    context.route(re.compile(r"^https?://(?!(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context, page_errors):
    """A page in its own context, pointed at pytest-django's live_server."""
    p = browser_context.new_page()
    p.on("pageerror", lambda exc: page_errors.append(f"pageerror: {exc}"))
    p.on("console", lambda msg: page_errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    try:
        yield p
    finally:
        p.close()
