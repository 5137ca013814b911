"""A gym-like Python API compatible with PIE's ``gem5/simulator.py``.

    from apps.benchmarks import simulator
    env = simulator.make(arch="X86-skylake", optimization_flag="-O3")          # cachegrind by default
    result = env.submit_single_submission(code, [0, 1], "p90001", "gem5")
    result.compilation, result.accs, result.tc2time, result.agg_runtime         # PIE's fields

Unlike PIE there is no HTTP server or container to start: the environment evaluates programs
in this process through the same services as the web app (problems must be imported, results
are stored and cached). ``timing_env`` is accepted for compatibility: ``"gem5"`` (PIE's
default) means *this environment's deterministic backend* (``backend=``, cachegrind unless
configured), ``"binary"`` means wallclock. Every result carries ``backend``, the labelled
configuration its times came from, because a cachegrind time is not a gem5 time.

PIE bugs not reproduced: override flags are appended with a space and honoured by the
multi-submission calls; ``to_dict`` works; a failed test makes ``agg_runtime`` inf.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: PIE's simulated machine; the only ``arch`` PIE accepts.
SUPPORTED_ARCH = "X86-skylake"
#: ``timing_env`` values of PIE mapped to backends here (``None`` = the environment's backend).
TIMING_ENVS: dict[str, str | None] = {"gem5": None, "binary": "wallclock", "both": None}


def _django_ready() -> None:
    """Configure Django when the API is used from a plain script or notebook."""
    import os

    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pieweb.settings")
        django.setup()


@dataclass
class PieSingleResult:
    """PIE's ``PieSingleResult``: one program on a list of tests.

    Attributes:
        compilation: whether the program compiled.
        accs: per test index, fraction of expected lines matched (0..1).
        mean_acc: mean of ``accs``.
        agg_runtime: sum of per-test times, seconds; inf when anything failed.
        agg_stdev: always 0 (deterministic backends), as PIE's gem5 mode.
        tc2time: per test index, seconds or inf.
        tc2success: per test index, whether it was measured.
        tc2stats: per test index, the backend's figures (instructions, cycles, misses...).
        backend: labelled backend configuration of every time above.
        job_id: the ``BenchmarkJob`` that holds the full results.
    """

    compilation: bool
    accs: dict[int, float]
    mean_acc: float
    agg_runtime: float
    agg_stdev: float = 0.0
    tc2time: dict[int, float] = field(default_factory=dict)
    tc2success: dict[int, bool] = field(default_factory=dict)
    tc2stats: dict[int, dict[str, Any]] = field(default_factory=dict)
    tc2error: dict[int, str | None] = field(default_factory=dict)
    backend: dict[str, Any] = field(default_factory=dict)
    compile_output: str = ""
    job_id: int | None = None
    timing_key: str = "gem5"

    @property
    def compile_success(self) -> bool:
        return self.compilation

    def to_dict(self) -> dict[str, Any]:
        """PIE's server JSON for one submission (test ids as string keys)."""
        timing = {
            str(tc): {"success": self.tc2success.get(tc, False), "error": self.tc2error.get(tc),
                      "stats": self.tc2stats.get(tc) or None, "stdout": None, "stderr": None,
                      "time": None if math.isinf(t) else t}
            for tc, t in self.tc2time.items()
        }
        data: dict[str, Any] = {
            "compile_success": self.compilation,
            "accs": {str(k): v for k, v in self.accs.items()},
            "gem5": {}, "binary": {},
            "agg_runtime": self.agg_runtime,
            "backend": self.backend,
        }
        data[self.timing_key] = timing
        return data


@dataclass
class PiePairResult:
    """PIE's ``PiePairResult``: two programs (v0 = slow/original, v1 = edited) on the same tests.

    Every field of ``PieSingleResult`` is available with a ``_v0``/``_v1`` suffix
    (``compilation_v0``, ``accs_v1``, ``agg_runtime_v0``, ``tc2time_v1``...).
    """

    v0: PieSingleResult
    v1: PieSingleResult

    def __getattr__(self, name: str) -> Any:
        base, sep, version = name.rpartition("_")
        if sep and version in {"v0", "v1"} and base:
            return getattr(self.v0 if version == "v0" else self.v1, base)
        raise AttributeError(name)

    @property
    def speedup(self) -> float:
        """``agg_runtime_v0 / agg_runtime_v1``: how many times faster v1 is; 0 when v1 failed."""
        if math.isinf(self.v1.agg_runtime) or self.v1.agg_runtime <= 0:
            return 0.0
        return self.v0.agg_runtime / self.v1.agg_runtime

    def to_dict(self) -> dict[str, Any]:
        """PIE's pair JSON: every key of the single result suffixed ``_v0``/``_v1``."""
        out: dict[str, Any] = {}
        for suffix, result in (("_v0", self.v0), ("_v1", self.v1)):
            out.update({f"{k}{suffix}": v for k, v in result.to_dict().items()})
        return out


class PieEnvironment:
    """What ``make`` returns; evaluates programs synchronously in this process."""

    def __init__(self, *, backend: str | None = None, backend_options: dict[str, Any] | None = None,
                 cstd: str = "--std=c++17", optimization_flag: str = "-O3", timeout_seconds_binary: float = 10,
                 exit_early_on_fail: bool = True, checker: str = "pie", owner: Any = None) -> None:
        self.backend = backend
        self.backend_options = dict(backend_options or {})
        self.cflags = f"{cstd.strip(chr(39) + chr(34))} {optimization_flag.strip(chr(39) + chr(34))}".strip()
        self.time_limit_s = float(timeout_seconds_binary)
        self.exit_early_on_fail = exit_early_on_fail
        self.checker = checker
        self.owner = owner

    def _backend_for(self, timing_env: str) -> str | None:
        if timing_env in TIMING_ENVS:
            return TIMING_ENVS[timing_env] or self.backend
        return timing_env  # a backend name of this project (cachegrind, wallclock, gem5)

    def submit_single_submission(self, code: str, testcases: Sequence[int], problem_id: str,
                                 timing_env: str = "gem5", override_flags: str | None = None) -> PieSingleResult:
        """Compile, check and time ``code`` on ``testcases`` of ``problem_id``.

        Raises:
            ValueError: empty code or tests, or an unknown problem/test/backend (PIE asserts).
        """
        from django.conf import settings

        from apps.problems.models import Problem

        from . import services

        if not code or not testcases:
            raise ValueError("code and testcases must be non-empty")
        problem = Problem.objects.filter(pk=problem_id).first()
        if problem is None:
            raise ValueError(f"unknown problem {problem_id!r}")
        cflags = self.cflags + (f" {override_flags.strip()}" if override_flags and override_flags.strip() else "")
        backend = self._backend_for(timing_env) or settings.BENCH_BACKEND
        try:
            job = services.benchmark_job_create(
                problem=problem, source=code, tests=[int(t) for t in testcases], backend=backend,
                backend_options=self.backend_options if backend == self.backend else {}, checker=self.checker,
                cflags=cflags, exit_early_on_fail=self.exit_early_on_fail, time_limit_s=self.time_limit_s,
                owner=self.owner, enqueue=False,
            )
        except services.JobRejected as exc:
            raise ValueError(" ".join(exc.messages)) from exc
        job = services.benchmark_job_run(job.pk)
        assert job is not None
        return result_of_job(job, timing_key="binary" if timing_env == "binary" else "gem5")

    def submit_multiple_single_submissions(self, code_list: Sequence[str], testcases_list: Sequence[Sequence[int]],
                                           problem_id_list: Sequence[str], timing_env: str = "gem5",
                                           override_flags_list: Sequence[str | None] | None = None,
                                           ) -> list[PieSingleResult]:
        """``submit_single_submission`` for each program, results in the same order."""
        if not (len(code_list) == len(testcases_list) == len(problem_id_list)):
            raise ValueError("code_list, testcases_list and problem_id_list must have the same length")
        flags = list(override_flags_list) if override_flags_list is not None else [None] * len(code_list)
        return [self.submit_single_submission(code, tests, pid, timing_env, flag)
                for code, tests, pid, flag in zip(code_list, testcases_list, problem_id_list, flags, strict=True)]

    def submit_single_submission_pair(self, code_v0: str, code_v1: str, testcases: Sequence[int], problem_id: str,
                                      timing_env: str = "gem5", override_flags: str | None = None) -> PiePairResult:
        """Both programs on the same tests and flags (PIE applied the flags to v0 only; here to both)."""
        return PiePairResult(
            v0=self.submit_single_submission(code_v0, testcases, problem_id, timing_env, override_flags),
            v1=self.submit_single_submission(code_v1, testcases, problem_id, timing_env, override_flags),
        )

    def submit_multiple_dual_submissions(self, code_list_v0: Sequence[str], code_list_v1: Sequence[str],
                                         testcases_list: Sequence[Sequence[int]], problem_id_list: Sequence[str],
                                         timing_env: str = "gem5",
                                         override_flags_list_v0: Sequence[str | None] | None = None,
                                         override_flags_list_v1: Sequence[str | None] | None = None,
                                         ) -> list[PiePairResult]:
        """``submit_single_submission_pair`` for each row, in order."""
        v0 = self.submit_multiple_single_submissions(code_list_v0, testcases_list, problem_id_list, timing_env,
                                                     override_flags_list_v0)
        v1 = self.submit_multiple_single_submissions(code_list_v1, testcases_list, problem_id_list, timing_env,
                                                     override_flags_list_v1)
        return [PiePairResult(a, b) for a, b in zip(v0, v1, strict=True)]

    def teardown(self) -> None:
        """Nothing to stop: no container or server is started (kept for PIE compatibility)."""


def result_of_job(job: Any, *, timing_key: str = "gem5") -> PieSingleResult:
    """PIE's result object from a finished ``BenchmarkJob``; failed or unmeasured tests take inf."""
    accs, times, success, stats, errors = {}, {}, {}, {}, {}
    for row in job.results:
        index = int(row["index"])
        accs[index] = float(row.get("accuracy") or 0.0)
        measurement = row.get("measurement") or {}
        cost = row.get("cost_s")
        times[index] = math.inf if cost is None else float(cost)
        success[index] = cost is not None
        stats[index] = dict(measurement.get("metrics") or {})
        errors[index] = None if cost is not None else (row.get("message") or row.get("status"))
    mean = sum(accs.values()) / len(accs) if accs else 0.0
    agg = job.agg_cost_s if job.correct and job.agg_cost_s is not None else math.inf
    return PieSingleResult(
        compilation=bool(job.compile_success), accs=accs, mean_acc=mean, agg_runtime=agg, tc2time=times,
        tc2success=success, tc2stats=stats, tc2error=errors, backend=dict(job.backend_config or {}),
        compile_output=job.compile_output, job_id=job.pk, timing_key=timing_key,
    )


def make(arch: str = SUPPORTED_ARCH, optimization_flag: str = "-O3", backend: str | None = None,
         **kwargs: Any) -> PieEnvironment:
    """PIE's ``simulator.make``: an environment that compiles, checks and times programs.

    Args:
        arch: must be ``"X86-skylake"`` (as PIE; anything else raises ``ValueError``).
        optimization_flag: appended to ``cstd`` (default ``--std=c++17``) as the compiler flags.
        backend: measurement backend (``cachegrind`` default from settings, ``gem5``, ``wallclock``).
        **kwargs: PIE's other arguments. Used: ``cstd``, ``timeout_seconds_binary`` (native run
            limit, seconds), ``exit_early_on_fail``, plus ``backend_options``, ``checker`` and
            ``owner``. Ignored (nothing to start here): ``cpuset_cpus``, ``working_dir``,
            ``use_logical_cpus``, ``workers``, ``threaded``, ``port``, ``api_key``, ``verbose``,
            ``do_run_without_container``, ``gem5_acc_threshold``, ``cpu_type``, ``timeout_seconds_gem5``.
    """
    if arch != SUPPORTED_ARCH:
        raise ValueError(f"arch {arch!r} is not supported; only {SUPPORTED_ARCH!r}")
    _django_ready()
    used = {k: kwargs[k] for k in ("cstd", "timeout_seconds_binary", "exit_early_on_fail", "backend_options",
                                   "checker", "owner") if k in kwargs}
    return PieEnvironment(backend=backend, optimization_flag=optimization_flag, **used)
