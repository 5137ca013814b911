"""Plain job and result types: the whole contract between the engine and its callers.

Only ``apps/benchmarks/services.py`` turns database rows into a ``RunJob`` and a ``RunResult``
back into rows. Everything here is JSON-serialisable through ``to_dict``/``from_dict``.
Units are in the field names: ``_s`` seconds, ``_bytes`` bytes.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from .status import Status, worst


@dataclass(frozen=True)
class TestSpec:
    """One test case as the engine sees it: files on disk plus their content hash.

    Attributes:
        index: the N of PIE's ``input.N.txt``.
        input_path: file fed to the program's stdin.
        expected_path: file holding the expected stdout.
        sha256: hash identifying the test's content (input and expected output); part of
            the measurement cache key.
    """

    index: int
    input_path: str
    expected_path: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestSpec:
        return cls(**data)


@dataclass(frozen=True)
class BackendSpec:
    """Which measurement backend to use and its options (e.g. ``{"clock_hz": 3.5e9}``)."""

    name: str = "cachegrind"
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "options": dict(self.options)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BackendSpec:
        return cls(name=data["name"], options=dict(data.get("options") or {}))


@dataclass(frozen=True)
class RunJob:
    """A request to evaluate one program on a set of tests.

    Attributes:
        source: the C++ program text.
        tests: tests to run, in order.
        backend: measurement backend; ``None`` checks correctness only.
        checker: output checker name (``pie``, ``exact``, ``tokens``).
        compiler: compiler executable, e.g. ``g++``.
        cflags: compiler flags, e.g. ``-std=c++17 -O3``.
        exit_early_on_fail: stop at the first failing test (PIE's default).
        time_limit_s: CPU/wall limit for one native run, seconds.
        memory_limit_bytes: address-space limit of one run, bytes.
    """

    source: str
    tests: tuple[TestSpec, ...]
    backend: BackendSpec | None = field(default_factory=BackendSpec)
    checker: str = "pie"
    compiler: str = "g++"
    cflags: str = "-std=c++17 -O3"
    exit_early_on_fail: bool = True
    time_limit_s: float = 10.0
    memory_limit_bytes: int = 2 * 1024**3

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["tests"] = [t.to_dict() for t in self.tests]
        data["backend"] = self.backend.to_dict() if self.backend else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunJob:
        data = dict(data)
        data["tests"] = tuple(TestSpec.from_dict(t) for t in data["tests"])
        data["backend"] = BackendSpec.from_dict(data["backend"]) if data.get("backend") else None
        return cls(**data)


@dataclass(frozen=True)
class CompileResult:
    """Outcome of compiling a program.

    Attributes:
        success: whether a binary was produced.
        binary_path: path of the cached binary when ``success``.
        binary_sha256: hash of (source, compiler version, flags): the binary cache key.
        compiler_version: first line of ``<compiler> --version``.
        diagnostics: compiler stderr (truncated), shown to users.
        status: OK, CE, or IE when the sandbox itself failed.
        time_s: wall time of the compilation, seconds (0 when served from cache).
        cached: whether the binary came from the cache.
    """

    success: bool
    binary_path: str | None
    binary_sha256: str
    compiler_version: str
    diagnostics: str = ""
    status: Status = Status.OK
    time_s: float = 0.0
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompileResult:
        data = dict(data)
        data["status"] = Status(data["status"])
        return cls(**data)


@dataclass(frozen=True)
class Measurement:
    """A backend's figures for one (binary, test).

    Attributes:
        cost_s: the backend's time for this test, seconds (estimated seconds for
            cachegrind, simulated seconds for gem5, median seconds for wallclock).
        metrics: backend-specific figures with units in their names (``instructions``,
            ``cycles``, ``l1d_misses``, ``median_s``, ``rel_spread``, ...).
        success: False when the backend could not measure (error explains).
        error: message when not ``success``.
        noisy: True when a non-deterministic backend's spread exceeds its threshold.
        cached: True when served from the measurement cache.
    """

    cost_s: float
    metrics: dict[str, Any] = field(default_factory=dict)
    success: bool = True
    error: str | None = None
    noisy: bool = False
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        return cls(**data)


@dataclass(frozen=True)
class TestResult:
    """Outcome of one test: the native correctness run plus, if correct, its measurement.

    Attributes:
        index: test index N.
        status: verdict of the native run (OK/WA/RE/TLE/MLE/OLE/IE).
        accuracy: fraction of expected lines matched by the checker, 0..1.
        exit_code: process exit code, or ``None`` when killed by a signal.
        signal: terminating signal number, if any.
        cpu_time_s: CPU time of the native run, seconds.
        wall_time_s: wall time of the native run, seconds.
        memory_bytes: peak resident memory of the native run, bytes (0 if unknown).
        stderr: program stderr, truncated.
        measurement: backend figures, only for correct runs.
        skipped: not run because an earlier test failed (exit_early_on_fail).
        message: human-readable detail (e.g. which limit was hit).
    """

    index: int
    status: Status
    accuracy: float = 0.0
    exit_code: int | None = None
    signal: int | None = None
    cpu_time_s: float = 0.0
    wall_time_s: float = 0.0
    memory_bytes: int = 0
    stderr: str = ""
    measurement: Measurement | None = None
    skipped: bool = False
    message: str = ""

    @property
    def cost_s(self) -> float:
        """Measured seconds, or inf when the test failed or was not measured (as PIE)."""
        if self.status is not Status.OK or self.measurement is None or not self.measurement.success:
            return math.inf
        return self.measurement.cost_s

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = self.status.value
        data["measurement"] = self.measurement.to_dict() if self.measurement else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        data = dict(data)
        data["status"] = Status(data["status"])
        data["measurement"] = Measurement.from_dict(data["measurement"]) if data.get("measurement") else None
        return cls(**data)


@dataclass(frozen=True)
class RunResult:
    """Outcome of a ``RunJob``.

    Attributes:
        compile: the compilation outcome.
        tests: per-test results in job order (skipped ones included).
        backend_config: the full, labelled backend configuration the figures came from
            (``{"name", "version", ...options}``); empty when no backend was asked for.
    """

    compile: CompileResult
    tests: tuple[TestResult, ...] = ()
    backend_config: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        if not self.compile.success:
            return self.compile.status if self.compile.status is not Status.OK else Status.CE
        return worst(t.status for t in self.tests)

    @property
    def correct(self) -> bool:
        """PIE's rule: compiled, every selected test ran and matched fully (accuracy 1.0)."""
        return (
            self.compile.success
            and len(self.tests) > 0
            and all(t.status is Status.OK and t.accuracy == 1.0 for t in self.tests)
        )

    @property
    def accs(self) -> dict[int, float]:
        return {t.index: t.accuracy for t in self.tests}

    @property
    def mean_accuracy(self) -> float:
        return sum(t.accuracy for t in self.tests) / len(self.tests) if self.tests else 0.0

    @property
    def agg_cost_s(self) -> float:
        """Sum of per-test cost in seconds; inf if anything failed (PIE's ``agg_runtime``)."""
        if not self.correct:
            return math.inf
        return sum(t.cost_s for t in self.tests)

    def to_dict(self) -> dict[str, Any]:
        return {
            "compile": self.compile.to_dict(),
            "tests": [t.to_dict() for t in self.tests],
            "backend_config": dict(self.backend_config),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        return cls(
            compile=CompileResult.from_dict(data["compile"]),
            tests=tuple(TestResult.from_dict(t) for t in data["tests"]),
            backend_config=dict(data.get("backend_config") or {}),
        )
