"""A gem5 benchmark job end to end: Django service -> Redis -> real Celery worker -> Docker.

The job fans out one task per test (``PER_TEST_BACKENDS``); each task starts its own
container of the stand-in image, and the merged verdict carries the simulated seconds.
"""
from __future__ import annotations

import pytest

from apps.benchmarks import services
from apps.benchmarks.engine.backends.gem5 import LABEL
from apps.benchmarks.models import BenchmarkJob, Measurement
from tests.celery_support import wait_for_job

from .conftest import demo_source, make_problem
from .test_gem5_contract import demo_tests, leftovers, predicted_seconds

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_gem5_job_through_the_worker(celery_worker, bench_settings, gem5_standin_image, docker_client):
    problem = make_problem("p90001", (0, 1, 2))
    options = {"image": gem5_standin_image}
    job = services.benchmark_job_create(problem=problem, source=demo_source("p90001", "fast"), backend="gem5",
                                        backend_options=options)
    job = wait_for_job(job.pk)
    assert job.state == BenchmarkJob.State.DONE, job.error
    assert job.correct and [r["index"] for r in job.results] == [0, 1, 2]
    expected = [predicted_seconds(t) for t in demo_tests(0, 1, 2)]
    assert [r["cost_s"] for r in job.results] == pytest.approx(expected, rel=1e-12)
    assert job.agg_cost_s == pytest.approx(sum(expected), rel=1e-12)
    assert job.backend_config["name"] == "gem5" and job.backend_config["image_id"].startswith("sha256:")
    assert Measurement.objects.filter(backend_name="gem5").count() == 3
    assert leftovers(docker_client) == []

    # The same program again: served from the measurement cache, no container at all.
    again = services.benchmark_job_create(problem=problem, source=demo_source("p90001", "fast"), backend="gem5",
                                          backend_options=options)
    again = wait_for_job(again.pk)
    assert again.correct and again.cache_hits == 3
    assert again.agg_cost_s == job.agg_cost_s
    assert docker_client.containers.list(all=True, filters={"label": LABEL}) == []
