"""Jobs run by a real Celery worker (Redis broker in CI) against the test database."""
from __future__ import annotations

import pytest

from apps.benchmarks import services
from apps.benchmarks.models import BenchmarkJob
from tests.celery_support import wait_for_job

from .conftest import demo_source, make_problem

pytestmark = [pytest.mark.slow]


def test_worker_runs_an_enqueued_job(celery_worker, bench_settings):
    problem = make_problem()
    job = services.benchmark_job_create(problem=problem, source=demo_source("p90001", "fast"))
    job = wait_for_job(job.pk)
    assert job.state == BenchmarkJob.State.DONE, job.error
    assert job.correct and job.progress_done == job.progress_total == 3
    assert [r["status"] for r in job.results] == ["OK", "OK", "OK"] and job.agg_cost_s > 0


def test_worker_fans_a_slow_backend_out_per_test(celery_worker, bench_settings, monkeypatch):
    """Per-test tasks (as for gem5) merge into one verdict; cachegrind stands in for the slow backend."""
    monkeypatch.setattr(services, "PER_TEST_BACKENDS", frozenset({"cachegrind"}))
    problem = make_problem()
    job = services.benchmark_job_create(problem=problem, source=demo_source("p90001", "slow"))
    job = wait_for_job(job.pk)
    assert job.state == BenchmarkJob.State.DONE, job.error
    assert job.correct and [r["index"] for r in job.results] == [0, 1, 2]
    assert job.progress_done == 3 and job.agg_cost_s == pytest.approx(sum(r["cost_s"] for r in job.results))
