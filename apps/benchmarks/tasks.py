"""Celery tasks of benchmark jobs. Thin: they receive ids and call ``services``.

A job is one task (fan-out per program), or one task per test for slow backends such as gem5
(fan-out per test, merged under a row lock by ``services.benchmark_job_run_test``). No task
needs a result backend: every result is written to the database. A task that crashes outside
the engine (database down, worker bug) ends its job FAILED instead of leaving it running.
"""
from __future__ import annotations

from typing import Any

from celery import shared_task


def _benchmark_job_failure(self: Any, exc: BaseException, task_id: str, args: tuple, kwargs: dict,
                           einfo: Any) -> None:
    from .services import benchmark_job_fail

    job_id = args[0] if args else kwargs.get("job_id")
    if job_id is not None:
        benchmark_job_fail(int(job_id), f"task {self.name} crashed: {type(exc).__name__}: {exc}")


@shared_task(name="benchmarks.run_job", acks_late=True, ignore_result=True, on_failure=_benchmark_job_failure)
def benchmark_job_run(job_id: int) -> None:
    """Evaluate job ``job_id`` (every selected test, progress written per test)."""
    from .services import benchmark_job_run

    benchmark_job_run(job_id)


@shared_task(name="benchmarks.run_job_test", acks_late=True, ignore_result=True, on_failure=_benchmark_job_failure)
def benchmark_job_run_test(job_id: int, test_index: int) -> None:
    """Evaluate test ``test_index`` of job ``job_id`` and merge it into the job."""
    from .services import benchmark_job_run_test

    benchmark_job_run_test(job_id, test_index)
