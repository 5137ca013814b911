"""Fixtures that run a real Celery worker against the configured broker (Redis in CI).

Use in a test::

    def test_job_runs(celery_worker, demo_problem):
        job = benchmark_job_create(problem=..., source=...)   # enqueued on commit
        job = wait_for_job(job.pk)                              # polls the database
        assert job.state == "done"

``celery_worker`` is a real Celery worker (solo pool) consuming the broker in
``CELERY_BROKER_URL`` from a thread of the test process, started once per session. It brings
``transactional_db``: the worker thread has its own database connection, so it only sees
committed rows, and ``transaction.on_commit`` callbacks (which enqueue jobs) fire at once.
Before and after each test the queue is purged and tasks still held by the worker (countdowns,
prefetched messages) are revoked, so one test's tasks never run during another's. Under
pytest-xdist each test process gets its own queue (``pieweb-gw0``...), because each has its own
test database and must not take the other's tasks.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

#: Longest wait for the worker to go idle between tests, seconds.
IDLE_TIMEOUT_S = 120.0
#: Default wait for a benchmark job to finish, seconds (cachegrind on two shared cores).
JOB_TIMEOUT_S = 180.0


def pytest_configure(config: pytest.Config) -> None:
    """Give each xdist worker its own Celery queue before the Celery app reads its settings."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from django.conf import settings

    from pieweb.celery import app

    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{worker}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue


def _close_thread_connections(**_: Any) -> None:
    """Close the worker thread's database connections after each task.

    Open connections would block the test database's flush/drop, and a connection must never
    be shared with the test thread (which runs on the main thread).
    """
    if threading.current_thread() is threading.main_thread():
        return
    from django.db import connections

    connections.close_all()


def _drain(app: Any, timeout_s: float = IDLE_TIMEOUT_S) -> None:
    """Purge queued messages, revoke held ones and wait until nothing is executing."""
    from celery.worker import state

    app.control.purge()
    for request in list(state.reserved_requests):
        state.revoked.add(request.id)
    deadline = time.monotonic() + timeout_s
    while state.active_requests and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker) -> Iterator[Any]:
    from celery import signals
    from celery.contrib.testing.worker import start_worker

    from pieweb.celery import app

    signals.task_postrun.connect(_close_thread_connections, weak=False)
    app.control.purge()
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                          shutdown_timeout=60.0, loglevel="WARNING") as worker:
            yield worker
    finally:
        signals.task_postrun.disconnect(_close_thread_connections)


@pytest.fixture
def celery_worker(_celery_worker_session, transactional_db) -> Iterator[Any]:
    """A running Celery worker that executes this test's tasks against the test database."""
    from pieweb.celery import app

    _drain(app)
    yield _celery_worker_session
    _drain(app)


def wait_until(predicate: Callable[[], Any], *, timeout_s: float = JOB_TIMEOUT_S, interval_s: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout_s`` seconds pass."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(interval_s)


def wait_for_job(job_id: int, *, timeout_s: float = JOB_TIMEOUT_S):
    """Wait until benchmark job ``job_id`` is finished (done or failed) and return it."""
    from apps.benchmarks.models import BenchmarkJob

    def finished():
        job = BenchmarkJob.objects.get(pk=job_id)
        return job if job.finished else None

    return wait_until(finished, timeout_s=timeout_s)
