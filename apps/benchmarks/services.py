"""Benchmark jobs: create them, run them through the engine, store what the engine says.

This module is the only place that turns database rows into the engine's plain ``RunJob`` and
its ``RunResult`` back into rows. Views, API views, Celery tasks and management commands call
these functions and nothing below them.

Two identical submissions cost one measurement: programs are stored once per source hash, and
every test result the engine is willing to cache lands in ``Measurement`` under (binary hash,
test content hash, backend config key, checker) through ``DatabaseResultCache``.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.problems.models import Problem, TestCase

from .engine.backends import REGISTRY, get_backend
from .engine.cache import CacheKey
from .engine.checkers import get_checker
from .engine.config import EngineConfig
from .engine.job import BackendSpec, RunJob, RunResult, TestResult, TestSpec
from .engine.runner import run_job
from .engine.status import Status, worst
from .models import BenchmarkJob, Measurement, Program, source_sha256

logger = logging.getLogger(__name__)

#: Backends slow enough (seconds to minutes per test) that a job is split into one task per test,
#: so that more workers finish one program sooner. The fast backends run a job in one task.
PER_TEST_BACKENDS = frozenset({"gem5"})


class JobRejected(ValidationError):
    """The job cannot be created (unknown backend or checker, unknown tests, empty source...)."""


# --------------------------------------------------------------------------- configuration


def engine_config() -> EngineConfig:
    """The engine configuration from Django settings (cache folder, sandbox, output limit in bytes)."""
    return EngineConfig(
        cache_dir=str(settings.BENCH_CACHE_DIR),
        sandbox=settings.BENCH_SANDBOX,
        output_limit_bytes=int(settings.BENCH_OUTPUT_LIMIT_BYTES),
    )


# --------------------------------------------------------------------------- programs and jobs


def program_get_or_create(*, source: str) -> Program:
    """The ``Program`` holding ``source``; identical texts share one row (safe under concurrency)."""
    digest = source_sha256(source)
    try:
        program, _ = Program.objects.get_or_create(sha256=digest, defaults={"source": source})
    except IntegrityError:  # another process created it between our SELECT and INSERT
        program = Program.objects.get(sha256=digest)
    return program


def _validate(*, problem: Problem, tests: list[int], backend: str, checker: str, source: str) -> None:
    if not source or not source.strip():
        raise JobRejected("The program is empty.")
    if backend not in REGISTRY:
        raise JobRejected(f"Unknown backend {backend!r}; known: {', '.join(sorted(REGISTRY))}.")
    try:
        get_checker(checker)
    except Exception as exc:  # noqa: BLE001 - the engine's UnknownChecker or a bad name
        raise JobRejected(f"Unknown checker {checker!r}: {exc}") from exc
    if not tests:
        raise JobRejected(f"Problem {problem.pk} has no test cases to run.")
    known = set(problem.test_cases.filter(index__in=tests).values_list("index", flat=True))
    missing = [t for t in tests if t not in known]
    if missing:
        raise JobRejected(f"Problem {problem.pk} has no test(s) {', '.join(map(str, missing))}.")


def benchmark_job_create(
    *,
    problem: Problem,
    source: str | None = None,
    program: Program | None = None,
    tests: Sequence[int] | None = None,
    backend: str | None = None,
    backend_options: dict[str, Any] | None = None,
    checker: str = "pie",
    compiler: str | None = None,
    cflags: str | None = None,
    exit_early_on_fail: bool = True,
    time_limit_s: float | None = None,
    memory_limit_bytes: int | None = None,
    owner: AbstractBaseUser | None = None,
    enqueue: bool = True,
) -> BenchmarkJob:
    """Create a job evaluating one program on ``tests`` of ``problem`` and (by default) enqueue it.

    The program is stored once per source hash. ``tests`` defaults to every test of the problem,
    in index order. Unset compiler, flags and limits (seconds, bytes) come from settings
    (``BENCH_*``). Enqueueing happens when the surrounding transaction commits, so a worker never
    looks for a job that is not visible yet.

    Raises:
        JobRejected: empty source, unknown backend or checker, or tests the problem does not have.
    """
    if program is None and source is None:
        raise JobRejected("Give a source or a program.")
    text = program.source if program is not None else (source or "")
    test_list = [int(t) for t in tests] if tests is not None else list(
        problem.test_cases.order_by("index").values_list("index", flat=True))
    backend_name = backend or settings.BENCH_BACKEND
    _validate(problem=problem, tests=test_list, backend=backend_name, checker=checker, source=text)
    if program is None:
        program = program_get_or_create(source=text)
    job = BenchmarkJob.objects.create(
        program=program,
        problem=problem,
        owner=owner,
        tests=test_list,
        backend_name=backend_name,
        backend_options=dict(backend_options or {}),
        checker=checker,
        compiler=compiler or settings.BENCH_COMPILER,
        cflags=cflags if cflags is not None else settings.BENCH_CFLAGS,
        exit_early_on_fail=exit_early_on_fail,
        time_limit_s=time_limit_s if time_limit_s is not None else settings.BENCH_TIME_LIMIT_S,
        memory_limit_bytes=memory_limit_bytes if memory_limit_bytes is not None else settings.BENCH_MEMORY_LIMIT_BYTES,
        progress_total=len(test_list),
    )
    if enqueue:
        job_id = job.pk
        transaction.on_commit(lambda: benchmark_job_enqueue(job_id))
    return job


def benchmark_job_enqueue(job_id: int) -> None:
    """Send a job to the workers: one task, or one task per test for slow backends (gem5)."""
    from . import tasks

    job = BenchmarkJob.objects.only("backend_name", "tests").get(pk=job_id)
    try:
        if job.backend_name in PER_TEST_BACKENDS and len(job.tests) > 1:
            for index in job.tests:
                tasks.benchmark_job_run_test.delay(job_id, int(index))
        else:
            tasks.benchmark_job_run.delay(job_id)
    except Exception as exc:  # noqa: BLE001 - broker down: say so on the job instead of a silent queue
        logger.exception("could not enqueue benchmark job %s", job_id)
        benchmark_job_fail(job_id, f"could not reach the task queue: {type(exc).__name__}: {exc}")


def benchmark_job_requeue(job_id: int) -> None:
    """Reset a job to QUEUED (results cleared) and enqueue it again, e.g. after an internal error.

    Cached measurements make the rerun cheap for every test that had already been measured.
    """
    BenchmarkJob.objects.filter(pk=job_id).update(
        state=BenchmarkJob.State.QUEUED, status="", correct=None, mean_accuracy=None, agg_cost_s=None, results=[],
        progress_done=0, cache_hits=0, error="", compile_success=None, compile_output="", compiler_version="",
        binary_sha256="", started_at=None, finished_at=None)
    transaction.on_commit(lambda: benchmark_job_enqueue(job_id))


# --------------------------------------------------------------------------- the measurement cache


class DatabaseResultCache:
    """The engine's ``ResultCache`` over ``Measurement`` rows.

    ``get`` replays a stored ``TestResult``; ``put`` inserts once per key. Two workers measuring
    the same (binary, test, backend config, checker) at once both succeed: the loser of the
    unique-constraint race keeps the winner's row. ``hits`` and ``puts`` count calls, for the
    job's ``cache_hits`` and for tests.
    """

    def __init__(self, *, program: Program, backend_config: dict[str, Any],
                 test_cases: dict[str, TestCase] | None = None) -> None:
        self.program = program
        self.backend_config = backend_config
        self.test_cases = test_cases or {}
        self.hits = 0
        self.puts = 0

    @staticmethod
    def _filter(key: CacheKey) -> dict[str, str]:
        return {"binary_sha256": key.binary_sha256, "test_sha256": key.test_sha256,
                "backend_config_key": key.backend_config_key, "checker": key.checker}

    def get(self, key: CacheKey) -> TestResult | None:
        row = Measurement.objects.filter(**self._filter(key)).only("result").first()
        if row is None or not row.result:
            return None
        try:
            result = TestResult.from_dict(row.result)
        except (KeyError, TypeError, ValueError):
            logger.warning("unreadable cached measurement %s; measuring again", row.pk)
            return None
        self.hits += 1
        return result

    def put(self, key: CacheKey, result: TestResult) -> None:
        measurement = result.measurement
        config = self.backend_config if key.backend_config_key else {}
        defaults = {
            "program": self.program,
            "test_case": self.test_cases.get(key.test_sha256),
            "backend_name": str(config.get("name", "")),
            "backend_version": str(config.get("version", "")),
            "backend_config": config,
            "status": result.status.value,
            "accuracy": result.accuracy,
            "cost_s": measurement.cost_s if measurement is not None and measurement.success else None,
            "metrics": measurement.metrics if measurement is not None else {},
            "noisy": bool(measurement.noisy) if measurement is not None else False,
            "result": result.to_dict(),
        }
        try:
            _, created = Measurement.objects.get_or_create(**self._filter(key), defaults=defaults)
        except IntegrityError:  # lost a race outside get_or_create's own retry; the row exists
            created = False
        self.puts += int(created)


# --------------------------------------------------------------------------- running a job


@dataclass
class _Loaded:
    job: BenchmarkJob
    run_job: RunJob
    cache: DatabaseResultCache


def _test_specs(problem: Problem, indices: Iterable[int]) -> tuple[tuple[TestSpec, ...], dict[str, TestCase]]:
    """Engine test specs from the blob store, in ``indices`` order.

    Raises:
        FileNotFoundError: a test or its blob is missing (an operator problem, not the program's).
    """
    indices = [int(i) for i in indices]
    rows = {tc.index: tc for tc in TestCase.objects.filter(problem=problem, index__in=indices)}
    specs, by_sha = [], {}
    for index in indices:
        tc = rows.get(index)
        if tc is None:
            raise FileNotFoundError(f"problem {problem.pk} has no test {index}")
        spec = TestSpec(index=index, input_path=tc.input_path(), expected_path=tc.output_path(), sha256=tc.sha256)
        for path in (spec.input_path, spec.expected_path):
            with open(path, "rb"):
                pass
        specs.append(spec)
        by_sha[tc.sha256] = tc
    return tuple(specs), by_sha


def _backend_config(name: str, options: dict[str, Any]) -> dict[str, Any]:
    try:
        return get_backend(BackendSpec(name, dict(options))).config()
    except Exception:  # noqa: BLE001 - the runner reports a bad backend as IE itself
        return {}


def _load(job: BenchmarkJob, indices: Sequence[int]) -> _Loaded:
    specs, by_sha = _test_specs(job.problem, indices)
    spec = BackendSpec(job.backend_name, dict(job.backend_options or {}))
    run = RunJob(
        source=job.program.source,
        tests=specs,
        backend=spec,
        checker=job.checker,
        compiler=job.compiler,
        cflags=job.cflags,
        exit_early_on_fail=job.exit_early_on_fail,
        time_limit_s=job.time_limit_s,
        memory_limit_bytes=job.memory_limit_bytes,
    )
    cache = DatabaseResultCache(program=job.program, backend_config=_backend_config(spec.name, spec.options),
                                test_cases=by_sha)
    return _Loaded(job=job, run_job=run, cache=cache)


def job_result_row(result: TestResult) -> dict[str, Any]:
    """A JSON row of ``BenchmarkJob.results``: the engine's dict plus ``cached`` and ``cost_s`` (null = inf)."""
    row = result.to_dict()
    cost = result.cost_s
    row["cost_s"] = None if math.isinf(cost) else cost
    row["cached"] = bool(result.measurement is not None and result.measurement.cached)
    return row


def benchmark_job_fail(job_id: int, error: str) -> None:
    """End an unfinished job FAILED with an internal ``error`` (a task crashed outside the engine)."""
    BenchmarkJob.objects.filter(pk=job_id).exclude(state=BenchmarkJob.State.DONE).update(
        state=BenchmarkJob.State.FAILED, status=Status.IE.value, correct=False, error=error[:10_000],
        finished_at=timezone.now())


def _fail(job_id: int, message: str) -> None:
    BenchmarkJob.objects.filter(pk=job_id).update(
        state=BenchmarkJob.State.FAILED, status=Status.IE.value, correct=False, error=message[:10_000],
        finished_at=timezone.now())


def _store_final(job_id: int, result: RunResult, *, cache_hits: int) -> None:
    """Write the verdict; an internal error (IE) ends the job FAILED so that it is never reused."""
    agg = result.agg_cost_s
    internal = result.status is Status.IE
    errors = [t.message for t in result.tests if t.status is Status.IE and t.message]
    if internal and not result.compile.success:
        errors.insert(0, result.compile.diagnostics)
    BenchmarkJob.objects.filter(pk=job_id).update(
        state=BenchmarkJob.State.FAILED if internal else BenchmarkJob.State.DONE,
        error="\n".join(dict.fromkeys(e for e in errors if e))[:10_000] if internal else "",
        compile_success=result.compile.success,
        compile_output=result.compile.diagnostics,
        compiler_version=result.compile.compiler_version,
        binary_sha256=result.compile.binary_sha256,
        backend_config=result.backend_config,
        status=result.status.value,
        correct=result.correct,
        mean_accuracy=result.mean_accuracy,
        agg_cost_s=None if math.isinf(agg) else agg,
        results=[job_result_row(t) for t in result.tests],
        progress_done=len(result.tests),
        cache_hits=cache_hits,
        finished_at=timezone.now(),
    )


def benchmark_job_run(job_id: int, *, on_test: Callable[[dict[str, Any]], None] | None = None) -> BenchmarkJob | None:
    """Run a whole job in this process and store its results; progress is written per test.

    ``on_test`` receives each test's result row as soon as it is stored (a command's progress bar).

    Safe to call twice (a redelivered task): a finished job is left as it is. Engine faults end
    the job FAILED with the error; nothing a program does raises here.

    Returns:
        The refreshed job, or ``None`` when no job has that id.
    """
    job = BenchmarkJob.objects.select_related("program", "problem").filter(pk=job_id).first()
    if job is None:
        logger.warning("benchmark job %s does not exist", job_id)
        return None
    if job.finished:
        return job
    BenchmarkJob.objects.filter(pk=job_id).update(
        state=BenchmarkJob.State.RUNNING, started_at=timezone.now(), progress_done=0,
        progress_total=len(job.tests), results=[], error="")
    try:
        loaded = _load(job, job.tests)
    except (OSError, ValueError) as exc:
        _fail(job_id, f"test data unavailable: {exc}")
        job.refresh_from_db()
        return job
    rows: list[dict[str, Any]] = []

    def record(result: TestResult) -> None:
        rows.append(job_result_row(result))
        BenchmarkJob.objects.filter(pk=job_id).update(results=rows, progress_done=len(rows))
        if on_test is not None:
            on_test(rows[-1])

    try:
        result = run_job(loaded.run_job, engine_config(), cache=loaded.cache, on_test=record)
    except Exception as exc:  # noqa: BLE001 - an engine bug must end the job visibly, not hang it
        logger.exception("benchmark job %s failed", job_id)
        _fail(job_id, f"internal error: {type(exc).__name__}: {exc}")
    else:
        _store_final(job_id, result, cache_hits=loaded.cache.hits)
    job.refresh_from_db()
    return job


def benchmark_job_run_test(job_id: int, test_index: int) -> BenchmarkJob | None:
    """Run one test of a job (per-test fan-out) and merge it into the job's results.

    Each call compiles (served from the binary cache after the first) and evaluates one test,
    then, under a row lock, stores its row and counts it. The call that completes the set
    writes the job's verdict. Exit-early does not apply across tests run in parallel; a failed
    test still makes the whole program incorrect and its aggregate cost infinite, as in PIE.
    """
    job = BenchmarkJob.objects.select_related("program", "problem").filter(pk=job_id).first()
    if job is None:
        logger.warning("benchmark job %s does not exist", job_id)
        return None
    if job.finished:
        return job
    if job.state == BenchmarkJob.State.QUEUED:
        BenchmarkJob.objects.filter(pk=job_id, state=BenchmarkJob.State.QUEUED).update(
            state=BenchmarkJob.State.RUNNING, started_at=timezone.now())
    try:
        loaded = _load(job, [test_index])
        result = run_job(loaded.run_job, engine_config(), cache=loaded.cache)
    except (OSError, ValueError) as exc:
        _fail(job_id, f"test data unavailable: {exc}")
        return BenchmarkJob.objects.get(pk=job_id)
    except Exception as exc:  # noqa: BLE001
        logger.exception("benchmark job %s test %s failed", job_id, test_index)
        _fail(job_id, f"internal error: {type(exc).__name__}: {exc}")
        return BenchmarkJob.objects.get(pk=job_id)
    with transaction.atomic():
        locked = BenchmarkJob.objects.select_for_update().get(pk=job_id)
        if locked.finished:
            return locked
        rows = [r for r in locked.results if r.get("index") != test_index]
        rows.extend(job_result_row(t) for t in result.tests)
        order = {int(t): n for n, t in enumerate(locked.tests)}
        rows.sort(key=lambda r: order.get(int(r["index"]), len(order)))
        locked.results = rows
        locked.progress_done = len(rows)
        locked.cache_hits += loaded.cache.hits
        if not locked.compiler_version:
            locked.compile_success = result.compile.success
            locked.compile_output = result.compile.diagnostics
            locked.compiler_version = result.compile.compiler_version
            locked.binary_sha256 = result.compile.binary_sha256
            locked.backend_config = result.backend_config
        if len(rows) >= len(locked.tests):
            _finish_merged(locked, rows)
        locked.save()
        return locked


def _finish_merged(job: BenchmarkJob, rows: list[dict[str, Any]]) -> None:
    """Set the verdict of a job whose tests ran as separate tasks (PIE's aggregation rules)."""
    tests = [TestResult.from_dict({k: v for k, v in r.items() if k not in {"cached", "cost_s"}}) for r in rows]
    correct = bool(job.compile_success) and bool(tests) and all(
        t.status is Status.OK and t.accuracy == 1.0 for t in tests)
    job.state = BenchmarkJob.State.DONE
    job.status = (worst(t.status for t in tests) if job.compile_success else Status.CE).value
    job.correct = correct
    job.mean_accuracy = sum(t.accuracy for t in tests) / len(tests) if tests else 0.0
    agg = sum(t.cost_s for t in tests) if correct else math.inf
    job.agg_cost_s = None if math.isinf(agg) else agg
    job.finished_at = timezone.now()
