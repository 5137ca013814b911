"""The pair page's "benchmark this pair" button: run src and tgt through the engine, same tests.

Benchmarks sit above problems in the dependency order, so they are imported lazily here and
the dataset pages keep working (button hidden) without that app. No extra table is needed:
the jobs of a pair are the latest jobs of its two programs (found by source hash) on its
problem, so results show to every visitor and survive reloads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diff import undouble_newlines
from .models import Pair

#: Newest jobs of a pair's two programs read per page view (both sides' latest are among them).
RECENT_JOBS = 20


def benchmarks_available() -> bool:
    try:
        from apps.benchmarks import services  # noqa: F401
    except ImportError:
        return False
    return hasattr(services, "benchmark_job_create")


def pair_sources(pair: Pair) -> tuple[str, str]:
    """The programs as they are compiled: CodeNet's doubled line breaks undone (as /submit/ does)."""
    return undouble_newlines(pair.src_code), undouble_newlines(pair.tgt_code)


def pair_benchmark_start(*, pair: Pair, owner: Any = None, backend: str | None = None) -> tuple[Any, Any]:
    """Create (and enqueue on commit) one job for src and one for tgt, on the pair's tests.

    The pair's ``tests`` subset is used when present, otherwise every test of the problem.

    Raises:
        apps.benchmarks.services.JobRejected: no tests, empty program, unknown backend.
    """
    from apps.benchmarks.services import benchmark_job_create

    src, tgt = pair_sources(pair)
    tests = [int(t) for t in pair.tests] if pair.tests else None
    user = owner if getattr(owner, "is_authenticated", False) else None
    src_job = benchmark_job_create(problem=pair.problem, source=src, tests=tests, backend=backend, owner=user)
    tgt_job = benchmark_job_create(problem=pair.problem, source=tgt, tests=tests, backend=backend, owner=user)
    return src_job, tgt_job


@dataclass
class PairBenchmark:
    """The latest src and tgt jobs of a pair, and their speedup when both are done on one backend."""

    src: Any = None
    tgt: Any = None

    @property
    def started(self) -> bool:
        return self.src is not None or self.tgt is not None

    @property
    def finished(self) -> bool:
        return all(j is not None and j.finished for j in (self.src, self.tgt))

    @property
    def speedup(self) -> float | None:
        """src cost / tgt cost, only for correct runs of the same backend configuration."""
        s, t = self.src, self.tgt
        if s is None or t is None or not (s.correct and t.correct):
            return None
        if s.backend_name != t.backend_name or s.backend_config != t.backend_config:
            return None
        if not s.agg_cost_s or not t.agg_cost_s:
            return None
        return s.agg_cost_s / t.agg_cost_s

    def as_json(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "finished": self.finished,
            "speedup": self.speedup,
            "src": _job_json(self.src),
            "tgt": _job_json(self.tgt),
        }


def _job_json(job: Any) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "id": job.pk,
        "url": f"/benchmarks/jobs/{job.pk}/",
        "state": job.state,
        "status": job.status,
        "correct": job.correct,
        "compile_success": job.compile_success,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "agg_cost_s": job.agg_cost_s,
        "backend": job.backend_name,
        "error": job.error,
    }


def pair_benchmark(*, pair: Pair) -> PairBenchmark:
    """The newest job of each side of ``pair`` (two indexed queries; none when benchmarks are absent)."""
    if not benchmarks_available():
        return PairBenchmark()
    from apps.benchmarks.models import BenchmarkJob, source_sha256

    src, tgt = pair_sources(pair)
    fields = (
        "id", "state", "status", "correct", "compile_success", "progress_done", "progress_total", "agg_cost_s",
        "backend_name", "backend_config", "error", "created_at", "program_id", "problem_id",
    )

    shas = {"src": source_sha256(src), "tgt": source_sha256(tgt)}
    # One query for both sides: their newest jobs are created together, so the newest few
    # rows hold the latest of each.
    jobs = list(
        BenchmarkJob.objects.filter(problem_id=pair.problem_id, program__sha256__in=set(shas.values()))
        .select_related("program")
        .only(*fields, "program__sha256")
        .order_by("-created_at", "-id")[:RECENT_JOBS]
    )

    def latest(sha: str) -> Any:
        return next((job for job in jobs if job.program.sha256 == sha), None)

    return PairBenchmark(src=latest(shas["src"]), tgt=latest(shas["tgt"]))
