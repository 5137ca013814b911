"""Job page, JSON endpoint and results fragment: content and who may see them."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.benchmarks import services
from apps.benchmarks.models import BenchmarkJob

from .conftest import DEMO, demo_source

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def users(db):
    model = get_user_model()
    return {
        "alice": model.objects.create_user("alice"),  # no password: force_login needs none, and hashing is slow
        "bob": model.objects.create_user("bob"),
        "staff": model.objects.create_user("staff", is_staff=True),
    }


@pytest.fixture(scope="module")
def fast_result(tmp_path_factory):
    """One real engine run of the demo's fast program on tests 0 and 1, shared by the module."""
    import hashlib

    from apps.benchmarks.engine.config import EngineConfig
    from apps.benchmarks.engine.job import RunJob, TestSpec
    from apps.benchmarks.engine.runner import run_job

    folder = DEMO / "test_cases" / "p90001"
    tests = tuple(
        TestSpec(i, str(folder / f"input.{i}.txt"), str(folder / f"output.{i}.txt"), hashlib.sha256(b"%d" % i).hexdigest())
        for i in (0, 1))
    config = EngineConfig(cache_dir=str(tmp_path_factory.getbasetemp() / "bench-cache"))
    result = run_job(RunJob(source=demo_source("p90001", "fast"), tests=tests), config)
    assert result.correct
    return result


@pytest.fixture
def finished_job(problem, users, fast_result):
    """A job whose results are that engine run, stored by the service that stores every job's results."""
    job = services.benchmark_job_create(problem=problem, source=demo_source("p90001", "fast"), tests=[0, 1],
                                        owner=users["alice"], enqueue=False)
    services._store_final(job.pk, fast_result, cache_hits=0)
    job.refresh_from_db()
    return job


def test_job_page_shows_results(client, finished_job, users):
    client.force_login(users["alice"])
    page = client.get(f"/benchmarks/jobs/{finished_job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Benchmark job" in html and "job-tests" in html and "Instructions" in html
    assert html.count('<span class="status-OK"') == 2 and "correct" in html
    assert f'data-json-url="/benchmarks/jobs/{finished_job.pk}.json"' in html
    fragment = client.get(f"/benchmarks/jobs/{finished_job.pk}/results/")
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b"job-tests" in fragment.content


def test_job_json_has_progress_and_results(client, finished_job, users):
    client.force_login(users["alice"])
    data = client.get(f"/benchmarks/jobs/{finished_job.pk}.json").json()
    assert data["state"] == "done" and data["finished"] is True
    assert data["progress_done"] == data["progress_total"] == 2
    assert data["correct"] is True and data["agg_cost_s"] > 0 and data["backend_config"]["name"] == "cachegrind"
    assert [t["test"] for t in data["tests"]] == [0, 1]
    assert data["tests"][0]["metrics"]["instructions"] > 0


def test_queued_job_json_shows_no_results_yet(client, problem):
    job = services.benchmark_job_create(problem=problem, source="int main(){}", enqueue=False)
    data = client.get(f"/benchmarks/jobs/{job.pk}.json").json()
    assert data["state"] == "queued" and data["finished"] is False and data["progress_done"] == 0
    assert b"Waiting for a worker" in client.get(f"/benchmarks/jobs/{job.pk}/").content


def test_private_job_is_404_to_others(client, finished_job, users):
    for url in (f"/benchmarks/jobs/{finished_job.pk}/", f"/benchmarks/jobs/{finished_job.pk}.json",
                f"/benchmarks/jobs/{finished_job.pk}/results/"):
        assert client.get(url).status_code == 404, url
        client.force_login(users["bob"])
        assert client.get(url).status_code == 404, url
        client.force_login(users["staff"])
        assert client.get(url).status_code == 200, url
        client.logout()
    assert client.get("/benchmarks/jobs/999999/").status_code == 404


def test_public_submission_shows_its_job_to_everyone(client, finished_job, users):
    from apps.submissions.models import Submission

    url = f"/benchmarks/jobs/{finished_job.pk}.json"
    submission = Submission.objects.create(owner=users["alice"], problem=finished_job.problem,
                                           program=finished_job.program, job=finished_job)
    assert client.get(url).status_code == 404
    submission.visibility = "public"
    submission.save()
    assert client.get(url).status_code == 200


def test_ownerless_job_is_public(client, problem):
    job = services.benchmark_job_create(problem=problem, source="int main(){}", enqueue=False)
    assert BenchmarkJob.objects.get(pk=job.pk).owner is None
    assert client.get(f"/benchmarks/jobs/{job.pk}/").status_code == 200


def test_runtime_error_shows_exit_code_and_stderr(client, problem):
    source = '#include <cstdio>\nint main() { fprintf(stderr, "boom at line 3\\n"); return 3; }\n'
    job = services.benchmark_job_create(problem=problem, source=source, tests=[0], enqueue=False)
    job = services.benchmark_job_run(job.pk)
    assert job.status == "RE"
    html = client.get(f"/benchmarks/jobs/{job.pk}/").content.decode()
    assert "exit code 3" in html and "boom at line 3" in html
