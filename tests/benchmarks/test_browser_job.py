"""Headless Chromium watches a job page update itself while a real worker runs the job."""
from __future__ import annotations

import pytest

from apps.benchmarks import services
from tests.browser_support import screenshot
from tests.celery_support import wait_for_job

from .conftest import demo_source, make_problem

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_job_page_shows_live_progress_then_results(celery_worker, live_server, page, page_errors, bench_settings):
    problem = make_problem("p90001", (0, 1, 2))
    job = services.benchmark_job_create(problem=problem, source=demo_source("p90001", "slow"), enqueue=False)
    page.goto(f"/benchmarks/jobs/{job.pk}/")
    assert page.locator(".job-results").get_attribute("data-finished") == "0"
    assert page.get_by_text("Waiting for a worker").is_visible()

    services.benchmark_job_enqueue(job.pk)
    wait_for_job(job.pk)
    # No reload: the polling script swaps the fragment in when the state changes.
    page.wait_for_selector('.job-results[data-finished="1"]', timeout=30_000)
    rows = page.locator("table.job-tests tbody tr")
    assert rows.count() == 3
    assert page.locator("table.job-tests .status-OK").count() == 3
    assert page.locator(".job-summary .badge.good").inner_text() == "correct"
    assert page.locator(".job-summary progress").get_attribute("value") == "3"
    screenshot(page, "benchmarks-job-done")
    assert page_errors == []
