"""Downloads of a scored model run: PIE's ``aggregated_results.csv``, per-row CSV, and JSON.

``aggregated_results_csv`` keeps the column layout of PIE's ``gem5_eval.report_results``
(pie-reference.md §3.3), so spreadsheets and scripts written for PIE's output read ours:
one data row; per best@i (i = 1..K) ``mean_accuracy_best@i`` and ``is_correct_best@i``
(fractions 0..1, as PIE's means of per-row columns), ``mean_speedup_best@i`` (×) and
``percent_programs_speedup_best@i>=speedup_threshold_T`` (0..100); then the human reference
(``mean_speedup_tgt_over_src``, unclamped) and "best over all submissions". We add a few
labelled columns PIE lacks (run id, backend, split, row count) at the front, so a file always
says which backend measured it.

The figures come from the stored ``Score.metrics`` (written by the scoring task) and, for the
per-row files, from ``scoring.per_row_frame`` over the stored samples: nothing is re-measured.
"""
from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from apps.problems.models import Pair

from . import scoring
from .models import ModelRun, ModelRunRow, Sample
from .selectors import model_run_frames


def _number(value: Any) -> Any:
    """JSON/CSV-safe number: inf and NaN become None (JSON has neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _number(value.item())
    return value


def _clean(value: Any) -> Any:
    """``value`` with every non-finite float (at any depth) replaced by None."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return _number(value)


def aggregated_results_row(*, model_run: ModelRun) -> dict[str, Any]:
    """The one row of ``aggregated_results.csv`` as an ordered dict (column name -> value)."""
    metrics = model_run.score.metrics or {}
    thresholds = metrics.get("thresholds") or [scoring.threshold_key(t) for t in scoring.THRESHOLDS]
    row: dict[str, Any] = {
        "run_id": model_run.pk,
        "run_name": model_run.name,
        "split": model_run.split.name,
        "backend": model_run.backend_name,
        "n_rows": metrics.get("n_rows", model_run.score.n_rows),
        "k_max": metrics.get("k_max", model_run.score.k_max),
    }
    best_at = metrics.get("best_at") or {}
    for i in sorted(best_at, key=int):
        agg = best_at[i]
        row[f"mean_accuracy_best@{i}"] = agg.get("mean_accuracy")
        row[f"is_correct_best@{i}"] = (agg.get("pct_correct") or 0.0) / 100.0
        row[f"mean_speedup_best@{i}"] = agg.get("mean_speedup")
        for t in thresholds:
            row[f"percent_programs_speedup_best@{i}>=speedup_threshold_{t}"] = (agg.get("pct_speedup_ge") or {}).get(t)
    human = metrics.get("human") or {}
    row["mean_speedup_tgt_over_src"] = human.get("mean_speedup")
    for t in thresholds:
        row[f"percent_programs_speedup_tgt_over_src>=speedup_threshold_{t}"] = (human.get("pct_speedup_ge") or {}).get(t)
    overall = metrics.get("best_over_all") or {}
    if overall:
        row["mean_speedup_fastest_generated_over_all_submissions"] = overall.get("mean_speedup")
        row["percent_correct_fastest_generated_over_all_submissions"] = overall.get("pct_correct")
        for t in thresholds:
            row[f"percent_programs_speedup_fastest_generated_over_all_submissions>=speedup_threshold_{t}"] = (
                overall.get("pct_speedup_ge") or {}
            ).get(t)
    return {key: _number(value) for key, value in row.items()}


def aggregated_results_csv(*, model_run: ModelRun) -> str:
    """PIE's ``aggregated_results.csv`` (header + one row) for a scored run."""
    row = aggregated_results_row(model_run=model_run)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def _per_row_records(model_run: ModelRun) -> list[dict[str, Any]]:
    """PIE's per-row frame (``addtl_stats``) over every pair of the split, with the pair's ids.

    Costs in seconds, inf -> None. Pairs the upload did not cover are included (all generations
    failed, as PIE appends missing rows) and flagged ``uploaded: false``.
    """
    rows, samples, row_ids = model_run_frames(model_run=model_run)
    if rows.empty:
        return []
    per_row = scoring.per_row_frame(rows, samples, k_max=max(model_run.samples_per_row, 1))
    ids = {
        pk: {"src_id": src_id, "tgt_id": tgt_id}
        for pk, src_id, tgt_id in Pair.objects.filter(split_id=model_run.split_id).values_list("id", "src_id", "tgt_id")
    }
    records = []
    for rec in per_row.to_dict("records"):
        pair_id = int(rec.pop("row_id"))
        records.append(
            {"pair_id": pair_id, **ids.get(pair_id, {}), "uploaded": pair_id in row_ids,
             **{k: _number(v) for k, v in rec.items()}}
        )
    return records


def rows_csv(*, model_run: ModelRun) -> str:
    """One CSV line per row: ids, src/tgt cost (seconds) and every best@i column."""
    records = _per_row_records(model_run)
    out = io.StringIO()
    if records:
        writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue()


def model_run_json(*, model_run: ModelRun) -> str:
    """The whole report as JSON: run, aggregates (PIE's layout and ours), rows and samples."""
    samples_by_row: dict[int, list[dict[str, Any]]] = {}
    for row_id, k, status, accuracy, cost_s, sha in Sample.objects.filter(row__model_run=model_run).order_by(
        "row_id", "k"
    ).values_list("row_id", "k", "status", "mean_accuracy", "cost_s", "program__sha256"):
        samples_by_row.setdefault(row_id, []).append(
            {"k": k, "status": status, "accuracy": _number(accuracy), "cost_s": _number(cost_s), "program_sha256": sha}
        )
    row_ids = dict(ModelRunRow.objects.filter(model_run=model_run).values_list("pair_id", "id"))
    rows = []
    for record in _per_row_records(model_run):
        record["samples"] = samples_by_row.get(row_ids.get(record.get("pair_id")), [])
        rows.append(record)
    document = {
        "run": {
            "id": model_run.pk,
            "name": model_run.name,
            "owner": model_run.owner.get_username(),
            "visibility": model_run.visibility,
            "split": model_run.split.name,
            "backend": model_run.backend_name,
            "backend_options": model_run.backend_options,
            "row_count": model_run.row_count,
            "sample_count": model_run.sample_count,
            "samples_per_row": model_run.samples_per_row,
            "created_at": model_run.created_at.isoformat(),
            "finished_at": model_run.finished_at.isoformat() if model_run.finished_at else None,
        },
        "metrics": _clean(model_run.score.metrics),
        "aggregated_results": aggregated_results_row(model_run=model_run),
        "rows": rows,
    }
    return json.dumps(document, indent=2, allow_nan=False, default=_number)
