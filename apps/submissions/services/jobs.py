"""Benchmark jobs shared between submissions and model runs.

Identical work is done once: a job is identified by (program, problem, tests, backend,
backend options, checker), and an existing queued, running or finished job with that identity
is reused instead of creating a new one. Underneath, the benchmark engine's measurement cache
(binary hash, test hash, backend config) makes even a fresh job over known programs cheap.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from apps.benchmarks.models import BenchmarkJob, Program
from apps.problems.models import Pair, Problem


def problem_test_indices(*, problem: Problem, pair: Pair | None = None) -> list[int]:
    """The tests a program is measured on: the pair's ``tests`` subset, else all of the problem's."""
    if pair is not None and pair.tests:
        return [int(t) for t in pair.tests]
    return list(problem.test_cases.order_by("index").values_list("index", flat=True))


def benchmark_job_get_or_create(
    *,
    program: Program,
    problem: Problem,
    tests: list[int],
    backend: str,
    backend_options: dict[str, Any] | None = None,
    owner: AbstractBaseUser | None = None,
    checker: str = "pie",
    enqueue: bool = True,
) -> BenchmarkJob:
    """Reuse a non-failed job with the same identity, or create a new one (enqueued on commit
    unless ``enqueue`` is False: the caller then runs it inline)."""
    from apps.benchmarks.services import benchmark_job_create

    options = backend_options or {}
    existing = (
        BenchmarkJob.objects.filter(
            program=program,
            problem=problem,
            tests=tests,
            backend_name=backend,
            backend_options=options,
            checker=checker,
        )
        .exclude(state=BenchmarkJob.State.FAILED)
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        return existing
    return benchmark_job_create(
        program=program,
        problem=problem,
        tests=tests,
        backend=backend,
        backend_options=options,
        checker=checker,
        owner=owner,
        enqueue=enqueue,
    )
