"""Benchmark job services against the real engine (bubblewrap, g++, cachegrind) and PostgreSQL."""
from __future__ import annotations

import pytest

from apps.benchmarks import services
from apps.benchmarks.engine.backends.cachegrind import CachegrindBackend
from apps.benchmarks.engine.cache import CacheKey
from apps.benchmarks.engine.job import Measurement as EngineMeasurement
from apps.benchmarks.engine.job import TestResult as EngineTestResult
from apps.benchmarks.engine.status import Status
from apps.benchmarks.models import BenchmarkJob, Measurement, Program

from .conftest import demo_source

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def measure_calls(monkeypatch):
    """Count real cachegrind measurements (the backend still runs)."""
    calls = []
    real = CachegrindBackend.measure

    def counting(self, program, test):
        calls.append(test.index)
        return real(self, program, test)

    monkeypatch.setattr(CachegrindBackend, "measure", counting)
    return calls


def test_identical_submissions_cost_one_measurement(problem, measure_calls):
    source = demo_source("p90001", "fast")
    first = services.benchmark_job_create(problem=problem, source=source, enqueue=False)
    second = services.benchmark_job_create(problem=problem, source=source, enqueue=False)
    assert first.program_id == second.program_id and Program.objects.count() == 1

    first = services.benchmark_job_run(first.pk)
    assert first.state == BenchmarkJob.State.DONE and first.correct, first.results
    assert measure_calls == [0, 1, 2]
    assert Measurement.objects.count() == 3
    assert first.cache_hits == 0 and not any(r["cached"] for r in first.results)

    second = services.benchmark_job_run(second.pk)
    assert measure_calls == [0, 1, 2], "the second identical job must not measure again"
    assert Measurement.objects.count() == 3
    assert second.cache_hits == 3 and all(r["cached"] for r in second.results)
    assert second.agg_cost_s == pytest.approx(first.agg_cost_s, rel=0, abs=0)
    assert second.backend_config["name"] == "cachegrind"
    row = Measurement.objects.first()
    assert row.backend_name == "cachegrind" and row.cost_s > 0 and row.test_case is not None


def test_job_results_and_progress(problem):
    job = services.benchmark_job_create(problem=problem, source=demo_source("p90001", "slow"), enqueue=False)
    assert job.state == BenchmarkJob.State.QUEUED and job.progress_total == 3 and job.tests == [0, 1, 2]
    seen = []

    def watch(row):  # what a poller sees in the database while the job runs
        current = BenchmarkJob.objects.get(pk=job.pk)
        seen.append((current.state, current.progress_done, [r["index"] for r in current.results], row["index"]))

    job = services.benchmark_job_run(job.pk, on_test=watch)
    assert seen == [("running", 1, [0], 0), ("running", 2, [0, 1], 1), ("running", 3, [0, 1, 2], 2)]
    assert job.progress_done == 3 and job.compile_success and job.compiler_version
    assert job.status == "OK" and job.mean_accuracy == 1.0
    assert [r["index"] for r in job.results] == [0, 1, 2]
    assert all(r["measurement"]["metrics"]["instructions"] > 0 for r in job.results)
    assert job.agg_cost_s == pytest.approx(sum(r["cost_s"] for r in job.results))


def test_wrong_program_stops_early_and_costs_inf(problem):
    source = '#include <cstdio>\nint main() { puts("-1"); }\n'
    job = services.benchmark_job_create(problem=problem, source=source, enqueue=False)
    job = services.benchmark_job_run(job.pk)
    assert job.state == BenchmarkJob.State.DONE
    assert job.correct is False and job.status == "WA" and job.agg_cost_s is None
    assert job.results[0]["status"] == "WA" and not job.results[0]["skipped"]
    assert [r["skipped"] for r in job.results[1:]] == [True, True]
    assert Measurement.objects.filter(status="WA").count() == 1


def test_compile_error_is_reported(problem):
    job = services.benchmark_job_create(problem=problem, source="int main() { return x; }\n", enqueue=False)
    job = services.benchmark_job_run(job.pk)
    assert job.state == BenchmarkJob.State.DONE and job.status == "CE" and job.compile_success is False
    assert "x" in job.compile_output and "error" in job.compile_output
    assert job.agg_cost_s is None and all(r["status"] == "CE" for r in job.results)


def test_rejects_bad_requests(problem):
    with pytest.raises(services.JobRejected, match="no test"):
        services.benchmark_job_create(problem=problem, source="int main(){}", tests=[0, 99], enqueue=False)
    with pytest.raises(services.JobRejected, match="Unknown backend"):
        services.benchmark_job_create(problem=problem, source="int main(){}", backend="abacus", enqueue=False)
    with pytest.raises(services.JobRejected, match="empty"):
        services.benchmark_job_create(problem=problem, source="  \n", enqueue=False)
    assert not BenchmarkJob.objects.exists() and not Program.objects.exists()


def test_database_cache_put_twice_keeps_one_row(problem):
    program = services.program_get_or_create(source="int main(){}")
    cache = services.DatabaseResultCache(program=program, backend_config={"name": "cachegrind", "version": "1"})
    key = CacheKey("b" * 64, "t" * 64, "k" * 64, "pie")
    result = EngineTestResult(index=4, status=Status.OK, accuracy=1.0, measurement=EngineMeasurement(cost_s=0.5))
    cache.put(key, result)
    cache.put(key, result)
    assert Measurement.objects.count() == 1 and cache.puts == 1
    hit = cache.get(key)
    assert hit is not None and hit.measurement.cost_s == 0.5 and cache.hits == 1
    assert cache.get(CacheKey("b" * 64, "t" * 64, "k" * 64, "exact")) is None


def test_per_test_fan_out_merges_like_one_task(problem):
    source = demo_source("p90001", "fast")
    whole = services.benchmark_job_run(
        services.benchmark_job_create(problem=problem, source=source, enqueue=False).pk)
    split = services.benchmark_job_create(problem=problem, source=source, enqueue=False)
    for index in (2, 0):
        split = services.benchmark_job_run_test(split.pk, index)
        assert split.state == BenchmarkJob.State.RUNNING
    assert split.progress_done == 2
    split = services.benchmark_job_run_test(split.pk, 1)
    assert split.state == BenchmarkJob.State.DONE and split.correct
    assert [r["index"] for r in split.results] == [0, 1, 2]
    assert split.agg_cost_s == pytest.approx(whole.agg_cost_s)


def test_missing_job_is_ignored(db):
    assert services.benchmark_job_run(987654) is None


def test_crashed_task_ends_its_job_failed(problem):
    from apps.benchmarks import tasks

    job = services.benchmark_job_create(problem=problem, source="int main(){}", enqueue=False)
    tasks.benchmark_job_run.on_failure(RuntimeError("database went away"), "task-id", (job.pk,), {}, None)
    job.refresh_from_db()
    assert job.state == BenchmarkJob.State.FAILED and job.status == "IE" and "database went away" in job.error


def test_missing_test_data_fails_the_job_not_the_program(problem):
    from apps.problems.blobs import blob_store

    job = services.benchmark_job_create(problem=problem, source="int main(){}", tests=[0], enqueue=False)
    blob_store().path(problem.test_cases.get(index=0).input_sha256).unlink()
    job = services.benchmark_job_run(job.pk)
    assert job.state == BenchmarkJob.State.FAILED and "test data unavailable" in job.error



def test_requeue_resets_a_failed_job(problem, django_capture_on_commit_callbacks):
    job = services.benchmark_job_create(problem=problem, source="int main(){}", tests=[0], enqueue=False)
    services.benchmark_job_fail(job.pk, "worker lost")
    with django_capture_on_commit_callbacks() as callbacks:
        services.benchmark_job_requeue(job.pk)
    job.refresh_from_db()
    assert job.state == BenchmarkJob.State.QUEUED and job.error == "" and job.results == [] and len(callbacks) == 1
    job = services.benchmark_job_run(job.pk)
    assert job.state == BenchmarkJob.State.DONE and job.status == "WA"
