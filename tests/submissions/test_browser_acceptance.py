"""Issue 4's acceptance, tried as a new user would, in headless Chromium against a live server and
a real Celery worker measuring on cachegrind:

sign up -> submit the fast program of a demo pair (speedup > 1, a diff) -> upload the demo model
run A (demo/model_outputs/run_a.jsonl) and read %Opt, Speedup, %Correct at best@1/2/4 off the
page -> upload run B -> compare both -> another user gets a 404 on the private run.

The expected metrics are the hand-derived formulas of demo/model_outputs/README.md, evaluated
with the src/tgt costs this very run measured (s_i = src_i / tgt_i); they are not computed with
apps.submissions.scoring. Screenshots: artifacts/screenshots/acceptance-*.png.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.browser_support import PHONE_VIEWPORT, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODEL_OUTPUTS = Path(settings.BASE_DIR) / "demo" / "model_outputs"
#: Longest wait for a page whose jobs run on cachegrind (two shared cores), milliseconds.
SCORING_TIMEOUT_MS = 420_000
#: Row order of the demo test split in the model-output files (see the README there).
ROW_PROBLEMS = ("p90003", "p90008", "p90010")
#: Expected (%Opt, %Correct) per run and k, and the Speedup as a function of s = (s1, s2, s3).
EXPECTED = {
    "A": {
        1: (100 / 3, 200 / 3, lambda s: (s[0] + 1 + 1) / 3),
        2: (200 / 3, 200 / 3, lambda s: (s[0] + s[1] + 1) / 3),
        4: (100.0, 100.0, lambda s: (s[0] + s[1] + s[2]) / 3),
    },
    "B": {
        1: (100 / 3, 200 / 3, lambda s: (1 + s[1] + 1) / 3),
        2: (200 / 3, 100.0, lambda s: (1 + s[1] + s[2]) / 3),
        4: (200 / 3, 100.0, lambda s: (1 + s[1] + s[2]) / 3),
    },
}

#: Generations per outcome (README: fast = optimized, slow = same speed, wrong, ce).
EXPECTED_OUTCOMES = {
    "A": {"optimized": 3, "same_speed": 3, "wrong_answer": 3, "compile_error": 3},
    "B": {"optimized": 2, "same_speed": 4, "wrong_answer": 3, "compile_error": 3},
}


@pytest.fixture
def demo(celery_worker, live_server):
    call_command("load_demo", verbosity=0, no_progress=True)


def _number(text: str) -> float:
    match = re.search(r"-?\d+(?:\.\d+)?", text.replace(",", ""))
    assert match, f"no number in {text!r}"
    return float(match.group())


def _sign_up(page, username: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password1]", "a-long-Passphrase-42")
    page.fill("input[name=password2]", "a-long-Passphrase-42")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert username in page.locator("nav.account").inner_text()


def _wait_until_finished(page) -> None:
    """The page polls its progress JSON and reloads itself once everything finished."""
    page.locator(".progress-panel").wait_for(state="detached", timeout=SCORING_TIMEOUT_MS)


def _upload(page, filename: str, name: str, visibility: str) -> int:
    page.goto("/runs/new/")
    page.set_input_files("input[name=file]", str(MODEL_OUTPUTS / filename))
    page.fill("input[name=name]", name)
    page.select_option("select[name=split]", "test")
    page.select_option("select[name=backend]", "cachegrind")
    page.select_option("select[name=visibility]", visibility)
    page.click("form.upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    return int(re.search(r"/runs/(\d+)/$", page.url).group(1))


def _measured_speedups(run_id: int) -> tuple[float, float, float]:
    """s_i = src/tgt of each row, from the costs the run measured (seconds on cachegrind)."""
    from apps.submissions.models import ModelRunRow

    rows = {r.pair.problem_id: r for r in ModelRunRow.objects.filter(model_run_id=run_id).select_related("pair")}
    speedups = tuple(rows[p].src_cost_s / rows[p].tgt_cost_s for p in ROW_PROBLEMS)
    assert all(s >= 1.10 for s in speedups), speedups  # every fast program is a real optimization
    return speedups


def _check_report(page, run: str, run_id: int) -> None:
    s = _measured_speedups(run_id)
    table = page.locator("table[data-testid=best-at-table]")
    for k, (pct_opt, pct_correct, speedup) in EXPECTED[run].items():
        line = table.locator(f'tr[data-k="{k}"]')
        assert _number(line.locator("td[data-metric=pct_opt]").inner_text()) == pytest.approx(pct_opt, abs=0.006)
        assert _number(line.locator("td[data-metric=pct_correct]").inner_text()) == pytest.approx(pct_correct, abs=0.006)
        assert _number(line.locator("td[data-metric=mean_speedup]").inner_text()) == pytest.approx(speedup(s), abs=6e-4)
    breakdown = page.locator("table[data-testid=error-breakdown] tbody tr")
    outcomes = {
        line.get_attribute("data-category"): int(_number(line.locator("td").nth(1).inner_text()))
        for line in breakdown.all()
    }
    assert outcomes == EXPECTED_OUTCOMES[run]
    for k in (1, 4):  # the metric cards show best@1 and best@K
        pct_opt, pct_correct, speedup = EXPECTED[run][k]
        assert _number(page.get_by_test_id(f"card-pct-opt-{k}").inner_text()) == pytest.approx(pct_opt, abs=0.006)
        assert _number(page.get_by_test_id(f"card-pct-correct-{k}").inner_text()) == pytest.approx(pct_correct, abs=0.006)
        assert _number(page.get_by_test_id(f"card-speedup-{k}").inner_text()) == pytest.approx(speedup(s), abs=6e-4)


def test_new_user_submits_uploads_and_compares(page, browser, live_server, demo, page_errors):
    from apps.problems.models import Pair

    _sign_up(page, "newcomer")
    screenshot(page, "acceptance-1-signed-up")

    # --- one submission: the fast program of a demo test pair ---------------------------------
    pair = Pair.objects.get(split__name="test", problem_id="p90003")
    page.goto(f"/submit/?pair={pair.pk}")
    assert page.input_value("textarea[name=source]").strip() == pair.src_code.strip()
    editor = page.locator("textarea[name=source]")
    editor.fill("")
    editor.press("Tab")  # the editor indents instead of moving the focus away
    editor.type("x")
    assert editor.input_value() == "    x"
    editor.fill(pair.tgt_code)
    screenshot(page, "acceptance-2-submit")
    page.click("form.submit-form button[type=submit]")
    page.wait_for_url(re.compile(r"/submissions/\d+/$"))
    _wait_until_finished(page)
    speedup = _number(page.get_by_test_id("speedup-src").inner_text())
    assert speedup > 1.1
    assert page.locator("[data-testid=diff] table.diff-sbs").is_visible()
    changed = page.locator("[data-testid=diff] td.add").count()
    assert 0 < changed < len(pair.tgt_code.splitlines())  # unchanged lines are not marked
    screenshot(page, "acceptance-3-submission")

    # --- model run A: private, scored by the worker, metrics equal the hand-computed ones -----
    run_a = _upload(page, "run_a.jsonl", "demo run A", "private")
    screenshot(page, "acceptance-4-run-scoring")
    _wait_until_finished(page)
    page.wait_for_function("window.Chart && Chart.getChart('chart-best-at') && Chart.getChart('chart-histogram')")
    _check_report(page, "A", run_a)
    rows = page.locator("table[data-testid=rows-table] tbody tr")
    assert rows.count() == 3
    speeds = [_number(t) for t in rows.locator("td.speedup").all_inner_texts()]
    assert speeds == sorted(speeds, reverse=True)
    screenshot(page, "acceptance-5-run-report")
    rows.first.locator("text=diff & tests").click()
    page.wait_for_url(re.compile(rf"/runs/{run_a}/rows/\d+/"))
    assert page.locator("[data-testid=diff] table.diff-sbs").is_visible()
    screenshot(page, "acceptance-6-run-row")

    # --- model run B: public; identical generations reuse A's measurements ---------------------
    run_b = _upload(page, "run_b.jsonl", "demo run B", "public")
    _wait_until_finished(page)
    _check_report(page, "B", run_b)

    # --- compare A and B from the run list ------------------------------------------------------
    page.goto("/runs/")
    screenshot(page, "acceptance-7-run-list")
    page.check(f"input[name=pick][value='{run_a}']")
    page.check(f"input[name=pick][value='{run_b}']")
    page.click("form[data-compare-picker] button[type=submit]")
    page.wait_for_url(re.compile(r"/runs/compare/\?runs="))
    summary = page.locator("table[data-testid=compare-summary]")
    # best@4: A = (s1, s2, s3), B = (1, s2, s3): A alone wins p90003, the rest are ties.
    assert _number(summary.locator(f'tr[data-run="{run_a}"] td[data-metric=rows_best]').inner_text()) == 1
    assert _number(summary.locator(f'tr[data-run="{run_b}"] td[data-metric=rows_best]').inner_text()) == 0
    assert _number(summary.locator(f'tr[data-run="{run_b}"] td[data-metric=losses]').inner_text()) == 1
    winner = page.locator(f'table[data-testid=compare-rows] tr[data-pair="{pair.pk}"] td[data-run="{run_a}"]')
    assert "win" in winner.get_attribute("class")
    screenshot(page, "acceptance-8-compare")

    page.goto("/leaderboard/?split=test&backend=cachegrind")
    board = page.locator("table[data-testid=leaderboard]")
    assert board.locator(f'tr[data-run="{run_b}"]').count() == 1
    assert board.locator(f'tr[data-run="{run_a}"]').count() == 0  # private runs stay off the board
    screenshot(page, "acceptance-9-leaderboard")
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(f"/runs/{run_a}/")
    page.wait_for_function("window.Chart && Chart.getChart('chart-best-at')")
    screenshot(page, "acceptance-10-run-report-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"] + 1  # no sideways scroll
    assert page_errors == []

    # --- another user: the private run is a 404, the public one is visible ----------------------
    other = browser.new_context(base_url=live_server.url)
    try:
        stranger = other.new_page()
        _sign_up(stranger, "stranger")
        assert stranger.goto(f"/runs/{run_a}/").status == 404
        assert stranger.goto(f"/runs/{run_a}/export.csv").status == 404
        assert stranger.goto(f"/runs/{run_b}/").status == 200
    finally:
        other.close()
