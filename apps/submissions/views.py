"""Pages for submissions, model runs, comparisons and the leaderboard.

Views parse the request, call one service or selector and render. Access control lives in
the selectors (another user's private item raises ``Http404``), so no template ever
decides who may see what. The few helpers below only shape already-loaded rows for the
templates (ratios, chart series, table pages); they never query on their own.
"""
from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.benchmarks.models import BenchmarkJob
from apps.problems.diff import render_code, render_diff, undouble_newlines
from apps.problems.formatting import format_seconds
from apps.problems.models import Pair, Problem, Split

from . import exports, scoring, selectors
from .forms import ModelRunUploadForm, ProgramSubmitForm, RunCompareForm, backend_choices
from .models import ModelRun, Visibility
from .services.submissions import program_submit as submission_create
from .services.uploads import ModelRunRejected, model_run_upload

ROWS_PER_PAGE = 50
#: Upper edges of the speedup histogram's bins (dimensionless ratios); the last bin is open.
HISTOGRAM_EDGES: tuple[float, ...] = (1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)
ROW_SORTS = {
    "speedup": "speedup, highest first",
    "-speedup": "speedup, lowest first",
    "row": "upload order",
    "problem": "problem",
}
LEADERBOARD_SORTS = ("pct_opt", "mean_speedup", "pct_correct", "created_at")


# ---------------------------------------------------------------------------------------
# Shaping helpers (pure: loaded objects in, template data out)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator`` for two costs in seconds, or None when either is unknown."""
    if numerator is None or denominator is None or denominator <= 0 or not math.isfinite(denominator):
        return None
    if not math.isfinite(numerator):
        return None
    return numerator / denominator


def _job_state(job: BenchmarkJob | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "id": job.pk,
        "state": job.state,
        "finished": job.finished,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "status": job.status,
        "correct": job.correct,
        "agg_cost_s": job.agg_cost_s,
    }


def _test_cost(result: dict[str, Any]) -> float | None:
    """Cost of one engine TestResult dict in seconds, None when the test failed or was not measured."""
    measurement = result.get("measurement") or {}
    if result.get("status") != "OK" or not measurement.get("success", True):
        return None
    cost = measurement.get("cost_s")
    return float(cost) if cost is not None and math.isfinite(cost) else None


def _test_rows(job: BenchmarkJob, src_job: BenchmarkJob | None, tgt_job: BenchmarkJob | None) -> list[dict[str, Any]]:
    """One table row per test of ``job``, with the baselines' cost on the same test."""
    src_costs = {r["index"]: _test_cost(r) for r in (src_job.results if src_job else [])}
    tgt_costs = {r["index"]: _test_cost(r) for r in (tgt_job.results if tgt_job else [])}
    rows = []
    for result in job.results or []:
        cost = _test_cost(result)
        index = result["index"]
        metrics = (result.get("measurement") or {}).get("metrics") or {}
        rows.append(
            {
                "index": index,
                "status": result.get("status", ""),
                "skipped": result.get("skipped", False),
                "accuracy": result.get("accuracy"),
                "cost_s": cost,
                "instructions": metrics.get("instructions"),
                "cycles": metrics.get("cycles"),
                "wall_time_s": result.get("wall_time_s"),
                "memory_bytes": result.get("memory_bytes"),
                "message": result.get("message") or result.get("stderr") or "",
                "src_cost_s": src_costs.get(index),
                "tgt_cost_s": tgt_costs.get(index),
                "speedup_vs_src": _ratio(src_costs.get(index), cost),
                "cost_label": format_seconds(cost),
                "src_cost_label": format_seconds(src_costs.get(index)),
                "tgt_cost_label": format_seconds(tgt_costs.get(index)),
            }
        )
    return rows


def _histogram(speedups: list[float]) -> dict[str, list]:
    """Counts of rows per speedup bin; labels like ``1.1–1.25×`` and a last ``≥10×`` bin."""
    labels, counts = [], [0] * len(HISTOGRAM_EDGES)
    for i, low in enumerate(HISTOGRAM_EDGES):
        high = HISTOGRAM_EDGES[i + 1] if i + 1 < len(HISTOGRAM_EDGES) else None
        labels.append(f"{low:g}–{high:g}×" if high else f"≥{low:g}×")
    for value in speedups:
        for i in range(len(HISTOGRAM_EDGES) - 1, -1, -1):
            if value >= HISTOGRAM_EDGES[i]:
                counts[i] += 1
                break
    return {"labels": labels, "counts": counts}


def _best_at_cards(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """The metric cards: %Opt, Speedup and %Correct at best@1 and best@K."""
    best_at = metrics.get("best_at") or {}
    k_max = int(metrics.get("k_max") or 1)
    cards = []
    for k in sorted({1, k_max}):
        agg = best_at.get(str(k))
        if agg:
            cards.append({"k": k, **agg})
    return cards


def _best_at_series(metrics: dict[str, Any]) -> dict[str, list]:
    best_at = metrics.get("best_at") or {}
    ks = sorted(int(k) for k in best_at)
    return {
        "k": ks,
        "pct_opt": [best_at[str(k)]["pct_opt"] for k in ks],
        "mean_speedup": [best_at[str(k)]["mean_speedup"] for k in ks],
        "pct_correct": [best_at[str(k)]["pct_correct"] for k in ks],
    }


def _error_rows(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    errors = metrics.get("errors") or {}
    samples, rows = errors.get("samples") or {}, errors.get("rows") or {}
    return [
        {"key": key, "label": scoring.CATEGORY_LABELS[key], "samples": samples.get(key, 0), "rows": rows.get(key, 0)}
        for key in scoring.CATEGORY_RANK
        if samples.get(key) or rows.get(key)
    ]


def _sorted_rows(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "-speedup":
        return sorted(rows, key=lambda r: (r["speedup"], r["row_id"]))
    if sort == "row":
        return sorted(rows, key=lambda r: r["row_id"])
    if sort == "problem":
        return sorted(rows, key=lambda r: (r["problem_id"], r["row_id"]))
    return sorted(rows, key=lambda r: (-r["speedup"], r["row_id"]))


def _row_labels(row: dict[str, Any]) -> dict[str, Any]:
    """Add display labels (costs in seconds, verdict) to one ``model_run_row_speedups`` dict."""
    return {
        **row,
        "category_label": scoring.CATEGORY_LABELS.get(row["category"], row["category"]),
        "cost_label": format_seconds(row["best_cost_s"]),
        "src_cost_label": format_seconds(row["src_cost_s"]),
        "tgt_cost_label": format_seconds(row["tgt_cost_s"]),
    }


def _compare_summary(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per run: its best@k figures and its totals of rows won and pairwise wins/losses."""
    totals = comparison["totals"]
    return [
        {**metric, "rows_best": totals[metric["label"]]["best"], "wins": totals[metric["label"]]["wins"],
         "losses": totals[metric["label"]]["losses"]}
        for metric in comparison["metrics"]
    ]


def _compare_cells(row: dict[str, Any], runs: list[ModelRun], labels: list[str]) -> dict[str, Any]:
    """One comparison row with a cell per run (speedup, whether it is the row's best, wins, losses)."""
    cells = [
        {"run_id": run.pk, "label": label, "speedup": speedup, "best": label in row["best"], "wins": wins,
         "losses": losses}
        for run, label, speedup, wins, losses in zip(runs, labels, row["speedups"], row["wins"], row["losses"],
                                                     strict=True)
    ]
    return {**row, "cells": cells, "best_runs": [c["run_id"] for c in cells if c["best"]]}


def _leaderboard_table(runs: list[ModelRun]) -> list[dict[str, Any]]:
    """Ranked lines of the leaderboard: the stored score at K plus best@1 from its metrics."""
    lines = []
    for rank, run in enumerate(runs, start=1):
        first = ((run.score.metrics or {}).get("best_at") or {}).get("1") or {}
        lines.append(
            {"rank": rank, "run": run, "score": run.score, "k_max": run.score.k_max,
             "best1_pct_opt": first.get("pct_opt"), "best1_mean_speedup": first.get("mean_speedup"),
             "best1_pct_correct": first.get("pct_correct")}
        )
    return lines


def _run_ids(raw: str) -> list[int]:
    form = RunCompareForm({"runs": raw})
    if not form.is_valid():
        raise ValidationError(form.errors["runs"])
    return form.cleaned_data["runs"]


# ---------------------------------------------------------------------------------------
# Single submissions


@login_required
@require_http_methods(["GET", "POST"])
def program_submit(request: HttpRequest) -> HttpResponse:
    """``/submit/``: the code-editor form; ``?pair=ID`` pre-fills the pair's slow program."""
    pair = None
    if request.method == "POST":
        form = ProgramSubmitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submission = submission_create(
                    owner=request.user,
                    problem=data["problem"],
                    source=data["source"],
                    pair=data["pair"],
                    backend=data["backend"],
                    visibility=data["visibility"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return redirect(submission.get_absolute_url())
        pair = form.cleaned_data.get("pair") if hasattr(form, "cleaned_data") else None
    else:
        initial: dict[str, Any] = {"visibility": Visibility.PRIVATE}
        pair_id = request.GET.get("pair", "")
        if pair_id.isdigit():
            pair = Pair.objects.select_related("problem").filter(pk=int(pair_id)).first()
            if pair is None:
                raise Http404(f"There is no pair {pair_id}.")
            initial.update(pair=pair.pk, problem=pair.problem_id, source=undouble_newlines(pair.src_code))
        elif request.GET.get("problem"):
            initial["problem"] = request.GET["problem"].strip()
        form = ProgramSubmitForm(initial=initial)
    problem_ids = Problem.objects.order_by("id").values_list("id", flat=True)[:2000]
    return render(request, "submissions/submit.html", {"form": form, "pair": pair, "problem_ids": problem_ids})


@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A submission's job: progress, compile output, per-test results, speedups and the diff."""
    submission = selectors.submission_get_for_user(submission_id=pk, user=request.user)
    job, src_job, tgt_job = submission.job, submission.src_job, submission.tgt_job
    source = submission.program.source
    if submission.pair is not None:
        diff_html = render_diff(
            undouble_newlines(submission.pair.src_code),
            source,
            old_label=f"slow program (src {submission.pair.src_id or ''})".replace(" )", ")"),
            new_label=f"submission {submission.pk}",
            layout="inline" if request.GET.get("layout") == "inline" else "side-by-side",
        )
    else:
        diff_html = None
    context = {
        "submission": submission,
        "job": job,
        "src_job": src_job,
        "tgt_job": tgt_job,
        "tests": _test_rows(job, src_job, tgt_job),
        "speedup_vs_src": _ratio(src_job.agg_cost_s if src_job else None, job.agg_cost_s) if job.correct else None,
        "speedup_vs_tgt": _ratio(tgt_job.agg_cost_s if tgt_job else None, job.agg_cost_s) if job.correct else None,
        "cost_label": format_seconds(job.agg_cost_s),
        "src_cost_label": format_seconds(src_job.agg_cost_s if src_job else None),
        "tgt_cost_label": format_seconds(tgt_job.agg_cost_s if tgt_job else None),
        "finished": all(j.finished for j in (job, src_job, tgt_job) if j is not None),
        "diff_html": diff_html,
        "code_html": None if diff_html is not None else render_code(source),
        "layout": request.GET.get("layout", "side-by-side"),
    }
    return render(request, "submissions/submission_detail.html", context)


@require_GET
def submission_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """JSON the submission page polls: the state of its job and of the src/tgt baselines."""
    submission = selectors.submission_get_for_user(submission_id=pk, user=request.user)
    jobs = {"submission": submission.job, "src": submission.src_job, "tgt": submission.tgt_job}
    states = {name: _job_state(job) for name, job in jobs.items() if job is not None}
    return JsonResponse(
        {"id": submission.pk, "finished": all(s["finished"] for s in states.values()), "jobs": states}
    )


# ---------------------------------------------------------------------------------------
# Model runs


@require_GET
def model_run_list(request: HttpRequest) -> HttpResponse:
    """``/runs/``: the user's runs and everyone's public runs, newest first."""
    runs = selectors.model_run_list_for_user(user=request.user)
    page = Paginator(runs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "submissions/model_run_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def model_run_new(request: HttpRequest) -> HttpResponse:
    """``/runs/new/``: upload a jsonl; a rejected file lists every ``line N: problem``."""
    upload_errors: list[str] = []
    if request.method == "POST":
        form = ModelRunUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = model_run_upload(
                    owner=request.user,
                    file=data["file"],
                    name=data["name"],
                    split=data["split"],
                    backend=data["backend"],
                    visibility=data["visibility"],
                    columns=form.columns(),
                    description=data.get("description") or "",
                )
            except ModelRunRejected as exc:
                upload_errors = list(exc.errors)
            else:
                return redirect(run.get_absolute_url())
    else:
        form = ModelRunUploadForm()
    status = 400 if upload_errors else 200
    return render(request, "submissions/model_run_new.html", {"form": form, "upload_errors": upload_errors}, status=status)


@require_GET
def model_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's report: progress while scoring, then metric cards, charts, rows and errors."""
    run = selectors.model_run_get_for_user(model_run_id=pk, user=request.user)
    score = getattr(run, "score", None) if run.state == ModelRun.State.DONE else None
    context: dict[str, Any] = {"run": run, "score": score}
    if score is not None:
        metrics = score.metrics or {}
        rows = [_row_labels(r) for r in selectors.model_run_row_speedups(model_run=run)]
        sort = request.GET.get("sort", "speedup")
        sort = sort if sort in ROW_SORTS else "speedup"
        page = Paginator(_sorted_rows(rows, sort), ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            metrics=metrics,
            cards=_best_at_cards(metrics),
            reported=[
                {"k": k, **metrics["best_at"][str(k)]} for k in metrics.get("reported_k", []) if str(k) in metrics.get("best_at", {})
            ],
            chart={"best_at": _best_at_series(metrics), "histogram": _histogram([r["speedup"] for r in rows])},
            error_rows=_error_rows(metrics),
            page=page,
            sort=sort,
            sorts=ROW_SORTS,
        )
    return render(request, "submissions/model_run_detail.html", context)


@require_GET
def model_run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """JSON the run page polls while the run is scored."""
    run = selectors.model_run_get_for_user(model_run_id=pk, user=request.user)
    return JsonResponse(
        {
            "id": run.pk,
            "state": run.state,
            "finished": run.state in (ModelRun.State.DONE, ModelRun.State.FAILED),
            "progress_done": run.progress_done,
            "progress_total": run.progress_total,
            "error": run.error,
        }
    )


@require_GET
def model_run_row_detail(request: HttpRequest, pk: int, row_id: int) -> HttpResponse:
    """One row of a run: every sample's verdict and cost, and one sample's diff and tests."""
    run = selectors.model_run_get_for_user(model_run_id=pk, user=request.user)
    row = run.rows.select_related("pair", "pair__problem", "src_job", "tgt_job").filter(pk=row_id).first()
    if row is None:
        raise Http404(f"Run {run.pk} has no row {row_id}.")
    samples = list(row.samples.select_related("program", "job"))
    for sample in samples:
        sample.speedup = _ratio(row.src_cost_s, sample.cost_s) if sample.correct else None
    k = request.GET.get("k", "")
    current = next((s for s in samples if str(s.k) == k), None)
    if current is None and samples:
        measured = [s for s in samples if s.speedup is not None]
        current = max(measured, key=lambda s: s.speedup) if measured else samples[0]
    diff_html = None
    tests: list[dict[str, Any]] = []
    if current is not None and current.program is not None:
        diff_html = render_diff(
            undouble_newlines(row.pair.src_code),
            current.program.source,
            old_label="slow program (src)",
            new_label=f"generation {current.k}",
            layout="inline" if request.GET.get("layout") == "inline" else "side-by-side",
        )
        if current.job is not None:
            tests = _test_rows(current.job, row.src_job, row.tgt_job)
    context = {
        "run": run,
        "row": row,
        "samples": samples,
        "current": current,
        "diff_html": diff_html,
        "tests": tests,
        "human_speedup": _ratio(row.src_cost_s, row.tgt_cost_s),
    }
    return render(request, "submissions/model_run_row.html", context)


EXPORTS = {
    # fmt: (builder, content type, file name suffix)
    "csv": (exports.aggregated_results_csv, "text/csv; charset=utf-8", "aggregated_results.csv"),
    "rows.csv": (exports.rows_csv, "text/csv; charset=utf-8", "rows.csv"),
    "json": (exports.model_run_json, "application/json", "report.json"),
}


@require_GET
def model_run_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """``/runs/<pk>/export.csv`` (PIE's aggregated_results.csv layout), ``export.rows.csv``
    (one line per row, PIE's per-row best@i columns) or ``export.json`` (the whole report)."""
    run = selectors.model_run_get_for_user(model_run_id=pk, user=request.user)
    if fmt not in EXPORTS:
        raise Http404(f"Unknown export format {fmt!r}; use one of {', '.join(EXPORTS)}.")
    if run.state != ModelRun.State.DONE or getattr(run, "score", None) is None:
        raise Http404("This run has no score yet.")
    build, content_type, suffix = EXPORTS[fmt]
    response = HttpResponse(build(model_run=run), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="run-{run.pk}-{suffix}"'
    return response


@require_GET
def model_run_compare(request: HttpRequest) -> HttpResponse:
    """``/runs/compare/?runs=1,2,3``: metrics side by side and per-row wins/losses."""
    raw = request.GET.get("runs", "")
    context: dict[str, Any] = {"raw": raw, "error": None, "comparison": None}
    if raw:
        try:
            ids = _run_ids(raw)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            runs = [selectors.model_run_get_for_user(model_run_id=i, user=request.user) for i in ids]
            not_done = [r for r in runs if r.state != ModelRun.State.DONE]
            if not_done:
                context["error"] = "Not scored yet: " + ", ".join(f"run {r.pk} ({r.state})" for r in not_done)
            elif len({r.split_id for r in runs}) > 1 or len({r.backend_name for r in runs}) > 1:
                context["error"] = "Runs can only be compared on the same split and backend."
            else:
                comparison = selectors.model_run_compare(runs=runs)
                page = Paginator(comparison["rows"], ROWS_PER_PAGE).get_page(request.GET.get("page"))
                page.object_list = [_compare_cells(r, runs, comparison["labels"]) for r in page.object_list]
                context.update(comparison=comparison, summary=_compare_summary(comparison), runs=runs, page=page)
    context["choices"] = selectors.model_run_list_for_user(user=request.user).filter(state=ModelRun.State.DONE)[:100]
    return render(request, "submissions/model_run_compare.html", context)


@require_GET
def leaderboard(request: HttpRequest) -> HttpResponse:
    """``/leaderboard/``: scored public runs of one split and backend, sortable."""
    splits = list(Split.objects.all())
    split_name = request.GET.get("split") or ("test" if any(s.name == "test" for s in splits) else "")
    split = next((s for s in splits if s.name == split_name), splits[0] if splits else None)
    backends = [name for name, _ in backend_choices()]
    backend = request.GET.get("backend") if request.GET.get("backend") in backends else backends[0]
    sort = request.GET.get("sort", "pct_opt")
    sort = sort if sort in LEADERBOARD_SORTS else "pct_opt"
    rows = _leaderboard_table(selectors.leaderboard_rows(split=split, backend=backend, sort=sort)) if split else []
    context = {"splits": splits, "split": split, "backends": backends, "backend": backend, "sort": sort, "rows": rows}
    return render(request, "submissions/leaderboard.html", context)
