import pytest

from tests.browser_support import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_theme_toggle(page, live_server, page_errors):
    page.goto("/problems/")
    before = page.get_attribute("html", "data-theme")
    page.click("[data-theme-toggle]")
    assert page.get_attribute("html", "data-theme") != before
    assert screenshot(page, "smoke").exists()
    assert page_errors == []
