"""The embedded deployment's worker: ``celery -A pieweb worker`` on the serverless filesystem broker.

scripts/run.sh starts exactly this process beside the web server when no Redis is configured.
Here it runs as a real subprocess with ``CELERY_BROKER_URL=filesystem://`` under its own var/
folder and the test database; the test sends it a job through the same broker settings.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from apps.benchmarks import services
from apps.benchmarks.models import BenchmarkJob
from tests.celery_support import wait_for_job

from .conftest import demo_source, make_problem

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_filesystem_broker_worker_process_runs_a_job(transactional_db, bench_settings, tmp_path):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.skip("an in-memory SQLite test database is invisible to another process")
    var = tmp_path / "var"
    env = {**os.environ, "PIEWEB_VAR_DIR": str(var), "CELERY_BROKER_URL": "filesystem://",
           "DATABASE_URL": _database_url(), "BLOB_ROOT": str(bench_settings.BLOB_ROOT),
           "BENCH_CACHE_DIR": str(bench_settings.BENCH_CACHE_DIR), "DJANGO_SETTINGS_MODULE": "pieweb.settings"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pieweb", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        problem = make_problem("p90002", (0, 1))
        job = services.benchmark_job_create(problem=problem, source=demo_source("p90002", "fast"), enqueue=False)
        # Publish as the embedded web server would: through a producer on the same filesystem broker.
        from kombu import Connection

        from pieweb.celery import app

        queue = var / "broker" / "queue"
        queue.mkdir(parents=True, exist_ok=True)
        options = {"data_folder_in": str(queue), "data_folder_out": str(queue)}
        with Connection("filesystem://", transport_options=options) as conn:
            app.send_task("benchmarks.run_job", (job.pk,), connection=conn, queue=app.conf.task_default_queue)
        job = wait_for_job(job.pk, timeout_s=120)
        assert job.state == BenchmarkJob.State.DONE, job.error
        assert job.correct and job.progress_done == 2
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            out, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            out, _ = worker.communicate()
    assert b"benchmarks.run_job" in out, out.decode(errors="replace")[-2000:]


def test_unreachable_broker_fails_the_job_visibly(transactional_db, bench_settings, tmp_path):
    """A web process whose broker is down marks the job FAILED with the reason instead of leaving it queued."""
    if connection.vendor == "sqlite":
        pytest.skip("needs a database another process can open")
    problem = make_problem("p90002", (0,))
    job = services.benchmark_job_create(problem=problem, source="int main(){}", enqueue=False)
    env = {**os.environ, "PIEWEB_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": _database_url(),
           "CELERY_BROKER_URL": "redis://127.0.0.1:9/0"}  # nothing listens on the discard port
    code = f"from apps.benchmarks import services; services.benchmark_job_enqueue({job.pk})"
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    job.refresh_from_db()
    assert job.state == BenchmarkJob.State.FAILED and "task queue" in job.error
