"""Read-side queries for submissions, model runs and scores.

Access control lives here and only here: every ``*_for_user`` selector returns the items the
user may see (their own, everyone's public ones, and everything for staff), and every
``*_get_for_user`` raises ``Http404`` for an item that is private to someone else, so its
existence is never disclosed (pages and the API behave the same).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from apps.problems.models import Pair, Split

from . import scoring
from .models import ModelRun, ModelRunRow, Sample, Score, Submission, Visibility

#: Leaderboard orderings (field of Score or ModelRun); best first.
LEADERBOARD_ORDER = {
    "pct_opt": ("-score__pct_opt", "-score__mean_speedup"),
    "mean_speedup": ("-score__mean_speedup", "-score__pct_opt"),
    "pct_correct": ("-score__pct_correct", "-score__pct_opt"),
    "created_at": ("-created_at",),
}


def visible_filter(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    """The ``Q`` of items with an ``owner`` and a ``visibility`` that ``user`` may see."""
    if user is not None and getattr(user, "is_staff", False) and user.is_active:
        return Q()
    public = Q(visibility=Visibility.PUBLIC)
    if user is None or not user.is_authenticated:
        return public
    return public | Q(owner=user)


def can_see(user: AbstractBaseUser | AnonymousUser | None, item: Submission | ModelRun) -> bool:
    """Whether ``user`` may see one already-loaded item (same rule as ``visible_filter``)."""
    if item.visibility == Visibility.PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    return bool(item.owner_id == user.pk or (user.is_staff and user.is_active))


# ---------------------------------------------------------------------------------------
# Submissions


def submission_list_for_user(*, user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(visible_filter(user))
        .select_related("owner", "problem", "pair", "program", "job", "src_job", "tgt_job")
        .order_by("-created_at", "-id")
    )


def submission_get_for_user(*, submission_id: int, user: AbstractBaseUser | AnonymousUser | None) -> Submission:
    """One submission, or ``Http404`` when it does not exist or is private to someone else."""
    submission = submission_list_for_user(user=user).filter(pk=submission_id).first()
    if submission is None:
        raise Http404(f"No submission {submission_id}.")
    return submission


# ---------------------------------------------------------------------------------------
# Model runs


def model_run_list_for_user(*, user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[ModelRun]:
    return (
        ModelRun.objects.filter(visible_filter(user))
        .select_related("owner", "split", "score")
        .order_by("-created_at", "-id")
    )


def model_run_get_for_user(*, model_run_id: int, user: AbstractBaseUser | AnonymousUser | None) -> ModelRun:
    """One model run, or ``Http404`` when it does not exist or is private to someone else."""
    run = model_run_list_for_user(user=user).filter(pk=model_run_id).first()
    if run is None:
        raise Http404(f"No model run {model_run_id}.")
    return run


def model_run_frames(*, model_run: ModelRun) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, int]]:
    """The ``rows`` and ``samples`` frames ``scoring`` takes, over ALL pairs of the run's split.

    Pairs of the split the upload did not cover appear as rows with an unknown src cost and no
    samples, so they count as 1.0 / incorrect in every mean (PIE appends missing rows the same
    way). ``row_id`` is the pair id. Also returns {pair id: ModelRunRow id} for linking.
    """
    split_pairs = list(Pair.objects.filter(split_id=model_run.split_id).order_by("id").values_list("id", "problem_id"))
    run_rows = {
        pair_id: (row_id, src, tgt)
        for row_id, pair_id, src, tgt in ModelRunRow.objects.filter(model_run=model_run).values_list(
            "id", "pair_id", "src_cost_s", "tgt_cost_s"
        )
    }
    rows = pd.DataFrame(
        {
            "row_id": [pair_id for pair_id, _ in split_pairs],
            "problem_id": [problem_id for _, problem_id in split_pairs],
            "src_cost_s": [_nan(run_rows.get(pair_id, (None, None, None))[1]) for pair_id, _ in split_pairs],
            "tgt_cost_s": [_nan(run_rows.get(pair_id, (None, None, None))[2]) for pair_id, _ in split_pairs],
        }
    )
    records = Sample.objects.filter(row__model_run=model_run).values_list(
        "row__pair_id", "k", "status", "mean_accuracy", "cost_s"
    )
    samples = pd.DataFrame(
        [(pair_id, k, status or "", _nan(acc), _nan(cost)) for pair_id, k, status, acc, cost in records],
        columns=["row_id", "k", "status", "accuracy", "cost_s"],
    )
    return rows, samples, {pair_id: value[0] for pair_id, value in run_rows.items()}


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _finite_or_none(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def model_run_per_row(*, model_run: ModelRun, k: int | None = None) -> list[dict[str, Any]]:
    """One dict per uploaded row at best@k (default K), for tables and the API.

    Keys: ``row_id`` (ModelRunRow id), ``pair_id``, ``problem_id``, ``src_id``, ``speedup``
    (clamped, PIE's), ``is_correct``, ``category``, ``best_k`` (0-based sample, None if none
    correct), ``src_cost_s``/``tgt_cost_s``/``best_cost_s`` (seconds, None = unknown) and
    ``human_speedup`` (src/tgt, unclamped, None = unknown).
    """
    rows, samples, row_ids = model_run_frames(model_run=model_run)
    k_max = max(model_run.samples_per_row, scoring.samples_per_row(samples), 1)
    k = k_max if k is None else max(1, min(int(k), k_max))
    per_row = scoring.per_row_frame(rows, samples, k_max=k_max)
    per_row = per_row[per_row["row_id"].isin(list(row_ids))]
    src_ids = dict(Pair.objects.filter(pk__in=list(row_ids)).values_list("id", "src_id"))
    best_costs = per_row[f"agg_runtime_best@{k}"].to_numpy(dtype=float)
    # best_sample_k is over all K samples; at a smaller k, recompute among the first k.
    out = []
    for position, rec in enumerate(per_row.to_dict("records")):
        pair_id = int(rec["row_id"])
        best_k = int(rec["best_sample_k"]) if rec["best_sample_k"] >= 0 else None
        if best_k is not None and best_k >= k:
            best_k = _first_best_k(samples, pair_id, k, best_costs[position])
        out.append(
            {
                "row_id": row_ids[pair_id],
                "pair_id": pair_id,
                "problem_id": rec.get("problem_id", ""),
                "src_id": src_ids.get(pair_id, ""),
                "speedup": float(rec[f"speedup_best@{k}"]),
                "is_correct": bool(rec[f"is_correct_best@{k}"]),
                "category": rec[f"category_best@{k}"],
                "best_k": best_k if np.isfinite(best_costs[position]) else None,
                "src_cost_s": _finite_or_none(rec["src_cost_s"]),
                "tgt_cost_s": _finite_or_none(rec["tgt_cost_s"]),
                "best_cost_s": _finite_or_none(best_costs[position]),
                "human_speedup": _finite_or_none(rec["speedup_tgt_over_src"]),
            }
        )
    return out


def _first_best_k(samples: pd.DataFrame, pair_id: int, k: int, best_cost: float) -> int | None:
    if not np.isfinite(best_cost):
        return None
    mine = samples[(samples["row_id"] == pair_id) & (samples["k"] < k) & (samples["cost_s"] == best_cost)]
    return int(mine["k"].min()) if len(mine) else None


def model_run_row_speedups(*, model_run: ModelRun) -> list[dict[str, Any]]:
    """The report page's per-row table at best@K (see ``model_run_per_row``)."""
    return model_run_per_row(model_run=model_run)


def model_run_compare(*, runs: list[ModelRun], k: int | None = None) -> dict[str, Any]:
    """Several scored runs of one split and backend side by side at best@k (default: the
    smallest K among them, so every run is judged on as many samples).

    Returns ``k``, ``labels`` (one per run, ``#<id> <name>``), ``metrics`` (one aggregate dict
    per run at k), ``totals`` {label: {"wins", "losses", "best"}} and ``rows``: one dict per
    pair with ``pair_id``, ``problem_id``, ``speedups`` (list in run order), ``best`` (labels
    tied at the top) and ``wins``/``losses`` lists (other runs beaten / lost to on that row).
    """
    frames = {}
    k_values = []
    for run in runs:
        rows, samples, _ = model_run_frames(model_run=run)
        k_run = max(run.samples_per_row, scoring.samples_per_row(samples), 1)
        k_values.append(k_run)
        frames[run.pk] = (rows, samples, k_run)
    k = min(k_values) if k is None else max(1, int(k))
    labels = [f"#{run.pk} {run.name}" for run in runs]
    per_rows = {}
    metrics = []
    for run, label in zip(runs, labels, strict=True):
        rows, samples, k_run = frames[run.pk]
        per_row = scoring.per_row_frame(rows, samples, k_max=max(k_run, k))
        per_rows[label] = per_row
        metrics.append({"label": label, "run": run, **scoring.aggregate_at_k(per_row, k)})
    table = scoring.compare_runs(per_rows, k=k)
    problems = dict(Pair.objects.filter(pk__in=list(table["row_id"])).values_list("id", "problem_id"))
    totals = {label: {"wins": 0, "losses": 0, "best": 0} for label in labels}
    out_rows = []
    for rec in table.to_dict("records"):
        best = [b for b in rec["best"].split("|") if b] if rec["best"] else []
        wins = [int(rec[f"wins[{label}]"]) for label in labels]
        losses = [int(rec[f"losses[{label}]"]) for label in labels]
        for label, win, loss in zip(labels, wins, losses, strict=True):
            totals[label]["wins"] += win
            totals[label]["losses"] += loss
            totals[label]["best"] += int(label in best and len(best) == 1)
        out_rows.append(
            {
                "pair_id": int(rec["row_id"]),
                "problem_id": problems.get(int(rec["row_id"]), ""),
                "speedups": [float(rec[f"speedup[{label}]"]) for label in labels],
                "best": best,
                "wins": wins,
                "losses": losses,
            }
        )
    out_rows.sort(key=lambda r: (-max(r["speedups"]) if r["speedups"] else 0, r["pair_id"]))
    return {"k": k, "labels": labels, "metrics": metrics, "totals": totals, "rows": out_rows}


def leaderboard_rows(*, split: Split, backend: str, sort: str = "pct_opt") -> list[ModelRun]:
    """Scored public runs of one split and backend, best first (ties: older first)."""
    order = LEADERBOARD_ORDER.get(sort, LEADERBOARD_ORDER["pct_opt"])
    return list(
        ModelRun.objects.filter(
            split=split, backend_name=backend, visibility=Visibility.PUBLIC, state=ModelRun.State.DONE,
            score__isnull=False,
        )
        .select_related("owner", "score", "split")
        .order_by(*order, "created_at")
    )


def score_get_for_user(*, model_run_id: int, user: AbstractBaseUser | AnonymousUser | None) -> Score:
    """The score of a visible run, or ``Http404`` (not visible, or not scored yet)."""
    run = model_run_get_for_user(model_run_id=model_run_id, user=user)
    score = Score.objects.filter(model_run=run).first()
    if score is None:
        raise Http404(f"Model run {model_run_id} has no score yet.")
    return score


# ---------------------------------------------------------------------------------------
# Benchmark jobs


def job_get_for_user(*, job_id: int, user: AbstractBaseUser | AnonymousUser | None) -> Any:
    """A benchmark job the user may see, or ``Http404``.

    Jobs are shared between users (identical programs are measured once), so a job is visible
    when the user owns it, or when a submission or model run the user may see refers to it;
    staff see every job. A job's program text is only as public as the items that use it.
    """
    from django.db.models import Exists, OuterRef

    from apps.benchmarks.models import BenchmarkJob

    job = BenchmarkJob.objects.select_related("program").filter(pk=job_id).first()
    if job is None:
        raise Http404(f"No job {job_id}.")
    if user is not None and user.is_authenticated and ((user.is_staff and user.is_active) or job.owner_id == user.pk):
        return job
    visible_subs = Submission.objects.filter(visible_filter(user))
    visible_runs = ModelRun.objects.filter(visible_filter(user))
    used = BenchmarkJob.objects.filter(pk=job_id).filter(
        Exists(visible_subs.filter(Q(job=OuterRef("pk")) | Q(src_job=OuterRef("pk")) | Q(tgt_job=OuterRef("pk"))))
        | Exists(
            ModelRunRow.objects.filter(model_run__in=visible_runs).filter(
                Q(src_job=OuterRef("pk")) | Q(tgt_job=OuterRef("pk"))
            )
        )
        | Exists(Sample.objects.filter(row__model_run__in=visible_runs, job=OuterRef("pk")))
    )
    if not used.exists():
        raise Http404(f"No job {job_id}.")
    return job
