"""Headless Chromium walks the dataset pages on the demo data, saving screenshots.

overview -> problem list -> filter -> problem -> pair -> diff toggle -> j/k -> theme -> "try to beat it".
Screenshots land in artifacts/screenshots/browse-*.png.
"""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.browser_support import PHONE_VIEWPORT, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(live_server):
    call_command("load_demo", verbosity=0)
    from django.core.cache import cache

    cache.clear()


def _log_in(browser_context, live_server) -> None:
    user = get_user_model().objects.create_user("walker", password="x-walker-pw-1")
    client = Client()
    client.force_login(user)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_walk_overview_to_try_to_beat_it(page, browser_context, live_server, demo, page_errors):
    from apps.problems.models import Pair

    _log_in(browser_context, live_server)

    page.goto("/")
    page.wait_for_function("window.Chart && Chart.getChart('chart-speedup') && Chart.getChart('chart-code-length')")
    assert page.locator("table.splits tbody tr").count() >= 3
    screenshot(page, "browse-1-overview")

    page.click("nav.main-nav >> text=Problems")
    page.wait_for_url(re.compile(r"/problems/$"))
    assert page.locator("table.problems tbody tr").count() == 10
    screenshot(page, "browse-2-problem-list")

    page.fill("input[name=min_pairs]", "2")
    page.click("#problem-filters button[type=submit]")
    page.wait_for_url(re.compile(r"min_pairs=2"))
    rows = page.locator("table.problems tbody tr")
    assert rows.count() == 1
    screenshot(page, "browse-3-filtered")

    problem_id = rows.first.locator("td.id a").inner_text()
    rows.first.locator("td.id a").click()
    page.wait_for_url(re.compile(rf"/problems/{problem_id}/$"))
    assert page.locator(".statement").count() >= 1
    assert page.locator("table.testcases tbody tr").count() >= 1
    screenshot(page, "browse-4-problem")

    pairs = list(Pair.objects.filter(problem_id=problem_id).order_by("id").values_list("id", flat=True))
    page.goto(f"/pairs/{pairs[0]}/")
    sbs = page.locator('.diff-pane[data-pane="side-by-side"]')
    inline = page.locator('.diff-pane[data-pane="inline"]')
    assert sbs.is_visible() and not inline.is_visible()
    assert page.locator("table.diff-sbs td.code.add").count() > 0
    screenshot(page, "browse-5-pair-side-by-side")

    page.click('.diff-toolbar [data-layout="inline"]')
    assert inline.is_visible() and not sbs.is_visible()
    assert "layout=inline" in page.url
    screenshot(page, "browse-6-pair-inline")

    page.keyboard.press("j")
    page.wait_for_url(re.compile(rf"/pairs/{pairs[1]}/\?layout=inline"))
    assert page.locator('.diff-pane[data-pane="inline"]').is_visible()
    page.keyboard.press("k")
    page.wait_for_url(re.compile(rf"/pairs/{pairs[0]}/"))

    page.click(".topbar [data-theme-toggle]")
    theme = page.get_attribute("html", "data-theme")
    screenshot(page, f"browse-7-pair-{theme}")
    page.click(".topbar [data-theme-toggle]")

    page.click("#try-to-beat")
    page.wait_for_url(re.compile(rf"/submit/\?pair={pairs[0]}$"))
    src = Pair.objects.get(pk=pairs[0]).src_code
    first_line = next(line for line in src.splitlines() if line.strip())
    assert first_line.strip() in page.content().replace("&lt;", "<").replace("&gt;", ">")
    screenshot(page, "browse-8-try-to-beat-it")
    assert page_errors == []


def test_phone_layout(page, live_server, demo, page_errors):
    from apps.problems.models import Pair

    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto("/")
    assert not page.locator("nav.main-nav").is_visible()  # folded behind the menu button
    page.click(".nav-toggle")
    assert page.locator("nav.main-nav").is_visible()
    screenshot(page, "browse-phone-overview")
    page.goto(f"/pairs/{Pair.objects.order_by('id').first().pk}/?layout=inline")
    # nothing but the code panel may scroll sideways
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    screenshot(page, "browse-phone-pair")
    assert page_errors == []
