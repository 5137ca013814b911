"""Scoring a model run: fan out benchmark jobs, then fold their verdicts into PIE's metrics.

Scoring has two halves so that no Celery worker ever blocks waiting for another task:

1. ``model_run_score_start`` creates one benchmark job per *distinct* program of the run
   (every sample's code, and each row's src and tgt, all on the run's backend and the pair's
   tests). Identical generations share a Program (sha256) and therefore a job, so they are
   measured once; jobs already done for another run or submission are reused.
2. ``model_run_score_collect`` is called repeatedly (the poll task) and only counts finished
   jobs for progress; once all are finished it copies each job's verdict onto its samples and
   rows, computes the metrics with ``apps.submissions.scoring`` and stores the Score.

``model_run_score_sync`` runs both halves in-process, executing jobs inline (management
commands, tests, the embedded deployment without a worker).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.benchmarks.models import BenchmarkJob

from .. import scoring, selectors
from ..models import ModelRun, ModelRunRow, Sample, Score
from .jobs import benchmark_job_get_or_create, problem_test_indices

logger = logging.getLogger(__name__)


def _job_ids(model_run: ModelRun) -> set[int]:
    ids: set[int] = set()
    for src, tgt in ModelRunRow.objects.filter(model_run=model_run).values_list("src_job_id", "tgt_job_id"):
        ids.update(i for i in (src, tgt) if i is not None)
    ids.update(
        i for i in Sample.objects.filter(row__model_run=model_run).values_list("job_id", flat=True) if i is not None
    )
    return ids


def model_run_score_start(*, model_run_id: int, enqueue: bool = True) -> int:
    """Create (or reuse) the benchmark jobs of a run and mark it running.

    Returns the number of distinct jobs the run waits for (also stored as ``progress_total``).
    Calling it again is harmless: rows and samples that already have a job keep it.
    """
    from apps.benchmarks.services import program_get_or_create

    with transaction.atomic():
        run = ModelRun.objects.select_for_update().get(pk=model_run_id)
        if run.state == ModelRun.State.DONE:
            return run.progress_total
        options = run.backend_options or {}
        jobs: dict[tuple[int, str, tuple[int, ...]], BenchmarkJob] = {}

        def job_for(program: Any, pair: Any, tests: list[int]) -> BenchmarkJob:
            key = (program.pk, pair.problem_id, tuple(tests))
            if key not in jobs:
                jobs[key] = benchmark_job_get_or_create(
                    program=program, problem=pair.problem, tests=tests, backend=run.backend_name,
                    backend_options=options, owner=run.owner, enqueue=enqueue,
                )
            return jobs[key]

        rows = ModelRunRow.objects.filter(model_run=run).select_related("pair", "pair__problem")
        for row in rows:
            pair = row.pair
            tests = problem_test_indices(problem=pair.problem, pair=pair)
            if row.src_job_id is None:
                row.src_job = job_for(program_get_or_create(source=pair.src_code), pair, tests)
            if row.tgt_job_id is None:
                row.tgt_job = job_for(program_get_or_create(source=pair.tgt_code), pair, tests)
            row.save(update_fields=["src_job", "tgt_job"])
            pending = [s for s in row.samples.select_related("program") if s.job_id is None and s.program_id]
            for sample in pending:
                sample.job = job_for(sample.program, pair, tests)
            Sample.objects.bulk_update(pending, ["job"])
        total = len(_job_ids(run))
        run.state = ModelRun.State.RUNNING
        run.progress_total = total
        run.progress_done = 0
        run.error = ""
        run.save(update_fields=["state", "progress_total", "progress_done", "error"])
    return total


def _sample_fields(job: BenchmarkJob | None) -> dict[str, Any]:
    """A sample's verdict from its job. A failed job (internal error) is ``IE``, never correct."""
    if job is None:
        return {"status": "", "correct": None, "mean_accuracy": None, "cost_s": None}
    if job.state == BenchmarkJob.State.FAILED:
        return {"status": "IE", "correct": False, "mean_accuracy": 0.0, "cost_s": None}
    accuracy = job.mean_accuracy
    if accuracy is None:
        accuracy = 1.0 if job.correct else 0.0
    return {
        "status": job.status or ("OK" if job.correct else ""),
        "correct": bool(job.correct),
        "mean_accuracy": float(accuracy),
        "cost_s": job.agg_cost_s if job.correct else None,
    }


def _baseline_cost(job: BenchmarkJob | None) -> float | None:
    """Seconds of a src/tgt program on the run's backend; None when it failed (speedup 1.0)."""
    if job is None or job.state != BenchmarkJob.State.DONE or not job.correct:
        return None
    return job.agg_cost_s


def model_run_score_collect(*, model_run_id: int) -> bool:
    """Update progress; when every job is finished, store samples' verdicts and the Score.

    Returns True when the run is finished (scored, or failed), False while jobs are pending.
    """
    run = ModelRun.objects.get(pk=model_run_id)
    if run.state in (ModelRun.State.DONE, ModelRun.State.FAILED):
        return True
    job_ids = _job_ids(run)
    jobs = {job.pk: job for job in BenchmarkJob.objects.filter(pk__in=job_ids)}
    done = sum(1 for job in jobs.values() if job.finished)
    if done < len(job_ids):
        ModelRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=len(job_ids))
        return False
    with transaction.atomic():
        run = ModelRun.objects.select_for_update().get(pk=model_run_id)
        if run.state in (ModelRun.State.DONE, ModelRun.State.FAILED):
            return True
        rows = list(ModelRunRow.objects.filter(model_run=run))
        for row in rows:
            row.src_cost_s = _baseline_cost(jobs.get(row.src_job_id))
            row.tgt_cost_s = _baseline_cost(jobs.get(row.tgt_job_id))
        ModelRunRow.objects.bulk_update(rows, ["src_cost_s", "tgt_cost_s"], batch_size=500)
        samples = list(Sample.objects.filter(row__model_run=run))
        for sample in samples:
            for name, value in _sample_fields(jobs.get(sample.job_id)).items():
                setattr(sample, name, value)
        Sample.objects.bulk_update(samples, ["status", "correct", "mean_accuracy", "cost_s"], batch_size=1000)
        score_store(model_run=run)
        run.state = ModelRun.State.DONE
        run.progress_done = run.progress_total = len(job_ids)
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "progress_done", "progress_total", "finished_at"])
    return True


def score_store(*, model_run: ModelRun) -> Score:
    """(Re)compute PIE's metrics from the stored samples and save them as the run's Score."""
    rows, samples, _ = selectors.model_run_frames(model_run=model_run)
    metrics = scoring.score_metrics(rows, samples)
    at_k = metrics["best_at"][str(metrics["k_max"])]
    score, _ = Score.objects.update_or_create(
        model_run=model_run,
        defaults={
            "k_max": metrics["k_max"],
            "n_rows": metrics["n_rows"],
            "pct_opt": at_k["pct_opt"],
            "mean_speedup": at_k["mean_speedup"],
            "pct_correct": at_k["pct_correct"],
            "metrics": metrics,
        },
    )
    return score


def model_run_fail(*, model_run_id: int, error: str) -> None:
    """Mark a run failed with the reason shown on its page (an internal error, not the model's)."""
    ModelRun.objects.filter(pk=model_run_id).update(
        state=ModelRun.State.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def model_run_score_sync(
    *, model_run_id: int, on_progress: Callable[[int, int], None] | None = None
) -> ModelRun:
    """Score a run in this process: create its jobs, run the unfinished ones inline, collect.

    ``on_progress(done, total)`` is called after each job (for a progress bar).
    """
    from apps.benchmarks.services import benchmark_job_run

    total = model_run_score_start(model_run_id=model_run_id, enqueue=False)
    run = ModelRun.objects.get(pk=model_run_id)
    pending = BenchmarkJob.objects.filter(pk__in=_job_ids(run)).exclude(
        state__in=[BenchmarkJob.State.DONE, BenchmarkJob.State.FAILED]
    )
    done = total - pending.count()
    for job_id in list(pending.values_list("pk", flat=True)):
        benchmark_job_run(job_id)
        done += 1
        if on_progress is not None:
            on_progress(done, total)
    model_run_score_collect(model_run_id=model_run_id)
    return ModelRun.objects.get(pk=model_run_id)
