"""Evaluate one program: compile -> run each test natively and check it -> measure correct runs.

This is PIE's order (pie-reference section 2.4) with its exit-early rule: at the first
failing test the remaining tests are not run. A skipped test is reported with
``skipped=True``, accuracy 0, **the status of the failure that stopped the job** and a
message naming that test, so that a program's verdict (``worst`` of its tests) is the real
failure and never an invented one. PIE likewise marks later tests failed without running them.

Caching: a test's whole ``TestResult`` is cached under (binary hash, test content hash,
backend config key, checker). Only verdicts that do not depend on limits or load are cached
(OK, WA, RE), measurements only from deterministic backends, and never a failed measurement.
Two identical submissions therefore cost one compilation and one measurement per test.

``run_job`` never raises for anything a program does; faults of the engine, the sandbox or a
backend become IE (internal error) with a message.
"""
from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable

from .backends import Backend, BackendSession, BackendUnavailable, CompiledProgram, UnknownBackend, get_backend
from .cache import CacheKey, ResultCache
from .checkers import UnknownChecker, get_checker
from .config import EngineConfig
from .job import CompileResult, RunJob, RunResult, TestResult, TestSpec
from .sandbox import Limits, Sandbox, SandboxError
from .status import Status
from .steps.checking import checking_step
from .steps.compilation import compilation_step
from .steps.execution import execution_step, native_limits
from .steps.measurement import measurement_step

#: Verdicts that depend only on the binary and the test, so they may be reused from the cache.
CACHEABLE = frozenset({Status.OK, Status.WA, Status.RE})
#: Program stderr kept per test, bytes.
STDERR_KEPT_BYTES = 4096

OnTest = Callable[[TestResult], None]


def _failed(result: TestResult) -> bool:
    """Whether this test stops an exit-early job: bad verdict, partial accuracy or no measurement."""
    if result.status is not Status.OK or result.accuracy < 1.0:
        return True
    return result.measurement is not None and not result.measurement.success


def _internal(index: int, message: str) -> TestResult:
    return TestResult(index=index, status=Status.IE, message=message)


class _Evaluator:
    """State of one ``run_job`` call: sandbox, binary, backend and a lazily opened session."""

    def __init__(self, job: RunJob, sandbox: Sandbox, compiled: CompileResult, backend: Backend | None,
                 limits: Limits, cache: ResultCache | None, stack: contextlib.ExitStack) -> None:
        self.job, self.sandbox, self.compiled, self.backend = job, sandbox, compiled, backend
        self.limits, self.cache, self.stack = limits, cache, stack
        self.session: BackendSession | None = None
        self.backend_key = backend.config_key() if backend else ""
        self.measurements_cacheable = backend is None or backend.deterministic

    def key(self, test: TestSpec) -> CacheKey:
        return CacheKey(self.compiled.binary_sha256, test.sha256, self.backend_key, self.job.checker)

    def from_cache(self, test: TestSpec) -> TestResult | None:
        if self.cache is None or not self.measurements_cacheable:
            return None
        hit = self.cache.get(self.key(test))
        if hit is None:
            return None
        measurement = dataclasses.replace(hit.measurement, cached=True) if hit.measurement else None
        return dataclasses.replace(hit, index=test.index, measurement=measurement, skipped=False)

    def to_cache(self, test: TestSpec, result: TestResult) -> None:
        if self.cache is None or not self.measurements_cacheable or result.status not in CACHEABLE:
            return
        if result.measurement is not None and not result.measurement.success:
            return
        if result.status is Status.OK and self.backend is not None and result.measurement is None:
            return
        self.cache.put(self.key(test), result)

    def evaluate(self, test: TestSpec) -> TestResult:
        """Run, check and (if correct) measure one test."""
        assert self.compiled.binary_path is not None
        try:
            executed = execution_step(self.sandbox, binary_path=self.compiled.binary_path,
                                      input_path=test.input_path, limits=self.limits)
        except SandboxError as exc:
            return _internal(test.index, f"sandbox failed: {exc}")
        run = executed.run
        common = dict(
            index=test.index, exit_code=run.exit_code, signal=run.signal, cpu_time_s=run.cpu_time_s,
            wall_time_s=run.wall_time_s, memory_bytes=run.memory_bytes,
            stderr=run.stderr[:STDERR_KEPT_BYTES].decode(errors="replace"),
        )
        if executed.status is not Status.OK:
            return TestResult(status=executed.status, accuracy=0.0, message=executed.message, **common)
        try:
            checked = checking_step(output=run.stdout, expected_path=test.expected_path, checker=self.job.checker)
        except OSError as exc:
            return _internal(test.index, f"expected output unreadable: {exc}")
        if not checked.accepted:
            return TestResult(status=Status.WA, accuracy=checked.accuracy, message=checked.message, **common)
        measurement = None
        if self.backend is not None:
            if self.session is None:
                program = CompiledProgram(self.job.source, self.compiled.binary_path,
                                          self.compiled.binary_sha256, self.job.cflags)
                self.session = self.stack.enter_context(self.backend.session(program))
            measurement = measurement_step(self.session, test)
        message = "" if measurement is None or measurement.success else f"measurement failed: {measurement.error}"
        return TestResult(status=Status.OK, accuracy=checked.accuracy, measurement=measurement, message=message,
                          **common)


def _fail_all(job: RunJob, compiled: CompileResult, status: Status, message: str, on_test: OnTest | None,
              backend_config: dict | None = None) -> RunResult:
    tests = tuple(TestResult(index=t.index, status=status, skipped=True, message=message) for t in job.tests)
    for result in tests:
        if on_test is not None:
            on_test(result)
    return RunResult(compile=compiled, tests=tests, backend_config=backend_config or {})


def run_job(
    job: RunJob,
    config: EngineConfig,
    *,
    cache: ResultCache | None = None,
    on_test: OnTest | None = None,
) -> RunResult:
    """Evaluate ``job`` and return every test's verdict, accuracy and figures.

    Args:
        job: program, tests, backend, checker, compiler and limits (seconds, bytes).
        config: engine configuration (cache folder, sandbox and compile limits).
        cache: result cache consulted before running a test and filled after.
        on_test: called with each ``TestResult`` as soon as it is known (progress), skipped
            tests included, in job order.

    Returns:
        ``RunResult``. A compile failure yields every test skipped with status CE (or IE).
    """
    try:
        sandbox = Sandbox()
    except SandboxError as exc:
        compiled = CompileResult(False, None, "", "", diagnostics=str(exc), status=Status.IE)
        return _fail_all(job, compiled, Status.IE, str(exc), on_test)
    compiled = compilation_step(sandbox, source=job.source, compiler=job.compiler, cflags=job.cflags, config=config)
    backend: Backend | None = None
    backend_config: dict = {}
    try:
        get_checker(job.checker)
        if job.backend is not None:
            backend = get_backend(job.backend)
            backend_config = backend.config()
    except (UnknownChecker, UnknownBackend, BackendUnavailable, TypeError, ValueError) as exc:
        return _fail_all(job, compiled, Status.IE, f"bad configuration: {exc}", on_test)
    if not compiled.success:
        return _fail_all(job, compiled, compiled.status if compiled.status is not Status.OK else Status.CE,
                         "compilation failed", on_test, backend_config)
    limits = native_limits(job.time_limit_s, job.memory_limit_bytes, processes=config.max_processes,
                           output_bytes=config.output_limit_bytes, file_size_bytes=config.file_size_limit_bytes)
    results: list[TestResult] = []
    stop: TestResult | None = None
    with contextlib.ExitStack() as stack:
        evaluator = _Evaluator(job, sandbox, compiled, backend, limits, cache, stack)
        for test in job.tests:
            if stop is not None:
                result = TestResult(index=test.index, status=stop.status, skipped=True,
                                    message=f"not run: test {stop.index} failed ({stop.status.value})")
            else:
                try:
                    result = evaluator.from_cache(test)
                    if result is None:
                        result = evaluator.evaluate(test)
                        evaluator.to_cache(test, result)
                except Exception as exc:  # noqa: BLE001 - an engine bug must not kill the job
                    result = _internal(test.index, f"internal error: {type(exc).__name__}: {exc}")
                if job.exit_early_on_fail and _failed(result):
                    stop = result
            results.append(result)
            if on_test is not None:
                on_test(result)
    return RunResult(compile=compiled, tests=tuple(results), backend_config=backend_config)
