"""Single program submissions."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.problems.models import Pair, Problem

from ..models import Submission, Visibility
from .jobs import benchmark_job_get_or_create, problem_test_indices


class SubmissionRejected(ValidationError):
    """The program cannot be accepted (empty, too large, wrong pair, no tests...)."""


@transaction.atomic
def program_submit(
    *,
    owner: AbstractBaseUser,
    problem: Problem,
    source: str,
    pair: Pair | None = None,
    backend: str | None = None,
    visibility: str = Visibility.PRIVATE,
    backend_options: dict[str, Any] | None = None,
) -> Submission:
    """Create a submission and its benchmark job; with a pair, also measure the pair's src and
    tgt on the same backend and tests (reusing identical jobs), so speedups compare like with like.

    Raises:
        SubmissionRejected: the source is empty or larger than ``settings.MAX_SOURCE_BYTES``
            (bytes), the pair belongs to another problem, or there are no tests to run.
    """
    from apps.benchmarks.services import program_get_or_create

    if not source or not source.strip():
        raise SubmissionRejected("The program is empty.")
    size = len(source.encode("utf-8"))
    if size > settings.MAX_SOURCE_BYTES:
        raise SubmissionRejected(f"The program is {size} bytes; the limit is {settings.MAX_SOURCE_BYTES} bytes.")
    if visibility not in Visibility.values:
        raise SubmissionRejected(f"Visibility must be one of {', '.join(Visibility.values)}.")
    if pair is not None and pair.problem_id != problem.pk:
        raise SubmissionRejected(f"Pair {pair.pk} belongs to problem {pair.problem_id}, not {problem.pk}.")
    tests = problem_test_indices(problem=problem, pair=pair)
    if not tests:
        raise SubmissionRejected(f"Problem {problem.pk} has no test cases to run.")
    backend_name = backend or settings.BENCH_BACKEND
    common = {"problem": problem, "tests": tests, "backend": backend_name, "backend_options": backend_options,
              "owner": owner}
    program = program_get_or_create(source=source)
    job = benchmark_job_get_or_create(program=program, **common)
    src_job = tgt_job = None
    if pair is not None:
        src_job = benchmark_job_get_or_create(program=program_get_or_create(source=pair.src_code), **common)
        tgt_job = benchmark_job_get_or_create(program=program_get_or_create(source=pair.tgt_code), **common)
    return Submission.objects.create(
        owner=owner,
        visibility=visibility,
        problem=problem,
        pair=pair,
        program=program,
        job=job,
        src_job=src_job,
        tgt_job=tgt_job,
        backend_name=backend_name,
    )
