"""Native timing: repeated, interleaved runs in the sandbox, reported with their noise.

Not deterministic: the figures move with machine load, which is why each result carries its
relative spread and a ``noisy`` flag. Each sample is the sandboxed run's wall time minus the
sandbox's own start-up cost, itself measured (median of runs of ``/usr/bin/true`` taken in
the same rounds), so that short programs are not swamped by bwrap's few milliseconds.

"Interleaved": samples of different tests (or programs) are taken in alternation, round by
round, so that a burst of load hits all of them alike instead of one of them.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from ..job import Measurement, TestSpec
from ..sandbox import Bind, Limits, Sandbox
from .base import Backend, CompiledProgram

_PROGRAM = "/prog/program"
_BASELINE_ARGV = ["/usr/bin/true"]


def summarize(samples: Sequence[float], noise_threshold: float) -> dict[str, Any]:
    """Median, min, max and relative spread of timing samples.

    Args:
        samples: times, seconds.
        noise_threshold: relative spread above which the result is flagged noisy.

    Returns:
        ``median_s``, ``min_s``, ``max_s``, ``rel_spread`` ((max - min) / median, 0 when the
        median is 0), ``samples_s``, ``noisy``.
    """
    median = statistics.median(samples)
    spread = (max(samples) - min(samples)) / median if median > 0 else 0.0
    return {
        "median_s": median,
        "min_s": min(samples),
        "max_s": max(samples),
        "rel_spread": spread,
        "samples_s": list(samples),
        "noisy": spread > noise_threshold,
    }


class WallclockBackend(Backend):
    """Median wall time of repeated native runs.

    Options (keyword arguments):
        repeats: timed runs per test (15).
        warmups: untimed runs first (2).
        noise_threshold: relative spread above which a result is noisy (0.1 = 10 %).
        time_limit_s: CPU limit of one run, seconds (10; wall limit is twice that).
        address_space_bytes: ``RLIMIT_AS`` of one run, bytes (2 GiB).
    """

    name = "wallclock"
    version = "1"
    deterministic = False

    def __init__(self, **options: Any) -> None:
        defaults: dict[str, Any] = {"repeats": 15, "warmups": 2, "noise_threshold": 0.1, "time_limit_s": 10.0,
                                    "address_space_bytes": 2 * 1024**3}
        super().__init__(**{**defaults, **options})
        self.sandbox = Sandbox()

    def _limits(self) -> Limits:
        t = float(self.options["time_limit_s"])
        return Limits(cpu_time_s=t, wall_time_s=2 * t, address_space_bytes=int(self.options["address_space_bytes"]))

    def _time_once(self, binary_path: str | None, input_path: str | None) -> tuple[float, float]:
        """One sandboxed run's (wall, CPU) time, seconds (``binary_path`` None times the empty sandbox)."""
        if binary_path is None:
            run = self.sandbox.run(_BASELINE_ARGV, limits=self._limits())
        else:
            run = self.sandbox.run([_PROGRAM], limits=self._limits(), stdin_path=input_path,
                                   binds=[Bind(binary_path, _PROGRAM)])
        if not run.ok:
            raise RuntimeError(f"run failed: exit {run.exit_code}, signal {run.signal}, timeout {run.wall_timeout}")
        return run.wall_time_s, run.cpu_time_s

    def sample_interleaved(self, items: Sequence[tuple[str, str]]) -> list[list[float]]:
        """Time several (binary, input) items in alternation, minus the sandbox start-up.

        Args:
            items: ``(binary_path, input_path)`` pairs, e.g. two programs on one test or one
                program on several tests.

        Returns:
            For each item, ``repeats`` samples in seconds (warm-ups discarded).

        Raises:
            RuntimeError: a run failed (crash or limit).
        """
        return self.sample_interleaved_with_cpu(items)[0]

    def sample_interleaved_with_cpu(self, items: Sequence[tuple[str, str]]) -> tuple[list[list[float]],
                                                                                   list[list[float]]]:
        """As ``sample_interleaved``, plus each run's CPU time (user + system of the whole tree), seconds.

        CPU time is far less sensitive than wall time to other processes competing for the
        cores; it is reported beside the wall figures, never instead of them.
        """
        repeats, warmups = int(self.options["repeats"]), int(self.options["warmups"])
        raw: list[list[float]] = [[] for _ in items]
        cpu: list[list[float]] = [[] for _ in items]
        baseline: list[float] = []
        for round_no in range(warmups + repeats):
            base, _ = self._time_once(None, None)
            times = [self._time_once(binary, inp) for binary, inp in items]
            if round_no >= warmups:
                baseline.append(base)
                for bucket, cpu_bucket, (wall, cpu_s) in zip(raw, cpu, times, strict=True):
                    bucket.append(wall)
                    cpu_bucket.append(cpu_s)
        overhead = statistics.median(baseline)
        return [[max(0.0, t - overhead) for t in bucket] for bucket in raw], cpu

    def measure(self, program: CompiledProgram, test: TestSpec) -> Measurement:
        """Time ``program`` on ``test``; ``cost_s`` is the median, seconds."""
        return self.measure_many(program, [test])[0]

    def measure_many(self, program: CompiledProgram, tests: Sequence[TestSpec]) -> list[Measurement]:
        """Time ``program`` on several tests, interleaving the tests round by round."""
        try:
            samples, cpu = self.sample_interleaved_with_cpu([(program.binary_path, t.input_path) for t in tests])
        except Exception as exc:  # noqa: BLE001 - a failed run is a failed measurement
            return [Measurement(float("inf"), success=False, error=str(exc)) for _ in tests]
        out = []
        for bucket, cpu_bucket in zip(samples, cpu, strict=True):
            stats = summarize(bucket, float(self.options["noise_threshold"]))
            stats["cpu_median_s"] = statistics.median(cpu_bucket)
            out.append(Measurement(cost_s=stats["median_s"], metrics=stats, noisy=stats["noisy"]))
        return out


def interleave_programs(backend: WallclockBackend, binaries: Sequence[str], input_path: str) -> list[dict[str, Any]]:
    """Time several programs on one input in alternation (for fidelity comparisons).

    Args:
        backend: a configured wallclock backend.
        binaries: host paths of the compiled programs.
        input_path: host path of the input.

    Returns:
        One ``summarize`` dict per binary (``median_s`` etc., seconds), plus ``cpu_median_s``.
    """
    samples, cpu = backend.sample_interleaved_with_cpu([(b, input_path) for b in binaries])
    out = []
    for bucket, cpu_bucket in zip(samples, cpu, strict=True):
        stats = summarize(bucket, float(backend.options["noise_threshold"]))
        stats["cpu_median_s"] = statistics.median(cpu_bucket)
        out.append(stats)
    return out


__all__ = ["WallclockBackend", "interleave_programs", "summarize"]
