"""Celery tasks of benchmark jobs. Thin: they receive ids and call ``services``.

A job is one task (fan-out per program), or one task per test for slow backends such as gem5
(fan-out per test, merged under a row lock by ``services.benchmark_job_run_test``). No task
needs a result backend: every result is written to the database.
"""
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="benchmarks.run_job", acks_late=True, ignore_result=True)
def benchmark_job_run(job_id: int) -> None:
    """Evaluate job ``job_id`` (every selected test, progress written per test)."""
    services.benchmark_job_run(job_id)


@shared_task(name="benchmarks.run_job_test", acks_late=True, ignore_result=True)
def benchmark_job_run_test(job_id: int, test_index: int) -> None:
    """Evaluate test ``test_index`` of job ``job_id`` and merge it into the job."""
    services.benchmark_job_run_test(job_id, test_index)
