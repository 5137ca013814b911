"""PIE's metrics (pie-reference.md §3.3) as pure functions over pandas frames. No ORM here.

Inputs are two plain frames:

``rows`` — one row per pair of the evaluated split (ALL of them: rows the upload did not
cover are scored as if every generation failed, exactly as PIE appends missing reference rows):

    row_id        hashable id of the row (e.g. the pair id)
    src_cost_s    slow program's aggregate cost on the run's backend, seconds (NaN/inf = unknown)
    tgt_cost_s    human fast program's aggregate cost, seconds (NaN/inf = unknown)
    problem_id    optional; enables "best over all submissions" (per problem)

``samples`` — one row per generation (PIE's ``generated_answers_j``):

    row_id        the row it belongs to
    k             0-based position in the row's ``generated_answers`` list
    status        engine verdict of the program: OK, WA, RE, TLE, MLE, OLE, CE, IE ("" = not run)
    accuracy      mean accuracy over the tests, 0..1
    cost_s        aggregate cost, seconds; NaN/inf when not measured or failed

Definitions (PIE's ``report_results``):

* a sample is *correct* when ``accuracy >= threshold_accuracy`` (1.0); its adjusted cost is
  ``cost_s`` if correct, else ``inf``;
* best@i looks at the first ``i`` samples in list order (not random subsets):
  ``agg_runtime_best@i = min adj``, ``accuracy_best@i = max accuracy``,
  ``is_correct_best@i = accuracy_best@i >= threshold``,
  ``speedup_best@i = max(1, src_cost_s / agg_runtime_best@i)`` (incorrect ⇒ 1.0);
  ``i`` larger than a row's number of samples behaves like "all of its samples";
* aggregates are means over *all* rows; percentages are 0..100;
* %Opt = percentage of rows with ``speedup_best@i >= 1.10``; also at every ``THRESHOLDS``;
* the human reference is ``src_cost_s / tgt_cost_s`` *unclamped*, averaged over the rows where
  both are known;
* a row whose src could not be measured (unknown, zero or inf cost) gets speedup 1.0: there is
  nothing to be faster than on this backend.

Error breakdown. Each sample falls in exactly one category (``sample_category``):

    compile_error   status CE
    internal_error  status IE (the sandbox or backend failed; never the program's fault)
    timeout         status TLE
    runtime_error   status RE, MLE or OLE
    wrong_answer    status WA, or OK with accuracy below the threshold
    missing         no generation at this position, or not run
    slower          correct, ratio = src/cost <  1 - SAME_SPEED_TOLERANCE
    same_speed      correct, |ratio - 1| < SAME_SPEED_TOLERANCE (1%: a reproduced src lands here)
    faster          correct, 1 + SAME_SPEED_TOLERANCE <= ratio < 1.10 ("faster but < 1.1x")
    optimized       correct, ratio >= 1.10

A row's category at best@k is the best category among its first k samples in the order of
``CATEGORY_RANK`` (optimized first, missing last), so "rows optimized" at best@k equals %Opt.
A correct sample whose own cost or whose row's src cost is unknown has ratio 1.0 (same_speed),
matching its speedup of 1.0 (PIE: correct natively but not timed still counts as correct).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

#: PIE's speedup thresholds (gem5_eval.report_results); %Opt is the first one.
THRESHOLDS: tuple[float, ...] = (1.10, 1.25, 1.50, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 10.0)
OPT_THRESHOLD = 1.10
#: A correct sample within ±1% of the src is "same speed" (relative, dimensionless).
SAME_SPEED_TOLERANCE = 0.01

CATEGORY_RANK: tuple[str, ...] = (
    "optimized",
    "faster",
    "same_speed",
    "slower",
    "wrong_answer",
    "timeout",
    "runtime_error",
    "compile_error",
    "internal_error",
    "missing",
)
CATEGORY_LABELS: dict[str, str] = {
    "optimized": "optimized (>= 1.10x)",
    "faster": "faster but < 1.10x",
    "same_speed": "same speed (±1%)",
    "slower": "slower",
    "wrong_answer": "wrong answer",
    "timeout": "timeout",
    "runtime_error": "runtime error",
    "compile_error": "compile error",
    "internal_error": "internal error",
    "missing": "missing",
}
_STATUS_CATEGORY = {
    "CE": "compile_error",
    "IE": "internal_error",
    "TLE": "timeout",
    "RE": "runtime_error",
    "MLE": "runtime_error",
    "OLE": "runtime_error",
    "WA": "wrong_answer",
}


def threshold_key(threshold: float) -> str:
    """Format a threshold the way PIE's column names do (``1.10``, ``2.00``, ``10.00``)."""
    return f"{threshold:.2f}"


def reported_ks(k_max: int) -> list[int]:
    """Return the k shown to people: 1, 2, 4, 8, ... up to ``k_max``, plus ``k_max`` itself."""
    if k_max < 1:
        return []
    ks = []
    k = 1
    while k <= k_max:
        ks.append(k)
        k *= 2
    if ks[-1] != k_max:
        ks.append(k_max)
    return ks


def _finite_positive(value: Any) -> float:
    """Return ``value`` as a float, or inf when it is missing, NaN, inf or not > 0."""
    if value is None:
        return math.inf
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.inf
    if math.isnan(number) or number <= 0:
        return math.inf
    return number


def speedup_ratio(src_cost_s: float, cost_s: float) -> float:
    """Unclamped ``src / cost``; 1.0 when the src is unknown, 0.0 when the program failed."""
    src = _finite_positive(src_cost_s)
    cost = _finite_positive(cost_s)
    if math.isinf(src):
        return 1.0
    if math.isinf(cost):
        return 0.0
    return src / cost


def sample_category(
    *, status: str, accuracy: float | None, cost_s: float | None, src_cost_s: float | None,
    threshold_accuracy: float = 1.0,
) -> str:
    """Classify one generation (see the module docstring for the exact rules)."""
    status = (status or "").upper()
    if status in _STATUS_CATEGORY:
        return _STATUS_CATEGORY[status]
    if status != "OK":
        return "missing"
    acc = 0.0 if accuracy is None or (isinstance(accuracy, float) and math.isnan(accuracy)) else float(accuracy)
    if acc < threshold_accuracy:
        return "wrong_answer"
    ratio = speedup_ratio(src_cost_s, cost_s) if not math.isinf(_finite_positive(cost_s)) else 1.0
    if ratio >= OPT_THRESHOLD:
        return "optimized"
    if ratio >= 1 + SAME_SPEED_TOLERANCE:
        return "faster"
    if ratio > 1 - SAME_SPEED_TOLERANCE:
        return "same_speed"
    return "slower"


def _finite_positive_array(values: Any) -> np.ndarray:
    """Vector form of ``_finite_positive``: floats, with missing/NaN/non-positive as inf."""
    array = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(array) | (array <= 0), np.inf, array)


def _categories(
    status: np.ndarray, accuracy: np.ndarray, cost: np.ndarray, src: np.ndarray, threshold_accuracy: float
) -> np.ndarray:
    """Vector form of ``sample_category`` returning ``CATEGORY_RANK`` indexes.

    ``cost`` and ``src`` are already finite-positive-or-inf (``_finite_positive_array``).
    """
    rank_of = {name: i for i, name in enumerate(CATEGORY_RANK)}
    out = np.full(len(status), rank_of["missing"], dtype=int)
    for code, name in _STATUS_CATEGORY.items():
        out[status == code] = rank_of[name]
    ok = status == "OK"
    out[ok & (accuracy < threshold_accuracy)] = rank_of["wrong_answer"]
    correct = ok & (accuracy >= threshold_accuracy)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isinf(cost) | np.isinf(src), 1.0, src / cost)
    out[correct & (ratio >= OPT_THRESHOLD)] = rank_of["optimized"]
    out[correct & (ratio < OPT_THRESHOLD) & (ratio >= 1 + SAME_SPEED_TOLERANCE)] = rank_of["faster"]
    out[correct & (ratio < 1 + SAME_SPEED_TOLERANCE) & (ratio > 1 - SAME_SPEED_TOLERANCE)] = rank_of["same_speed"]
    out[correct & (ratio <= 1 - SAME_SPEED_TOLERANCE)] = rank_of["slower"]
    return out


def _matrices(
    rows: pd.DataFrame, samples: pd.DataFrame, k_max: int, threshold_accuracy: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (adjusted cost, accuracy, category rank) matrices of shape (n_rows, k_max).

    Vectorised (no Python loop per sample): a 978-row x 40-sample run is ~40K samples.
    Samples of unknown rows or with ``k`` outside ``0..k_max-1`` are ignored.
    """
    n = len(rows)
    adj = np.full((n, k_max), np.inf)
    acc = np.zeros((n, k_max))
    rank = np.full((n, k_max), CATEGORY_RANK.index("missing"), dtype=int)
    if n == 0 or k_max == 0 or samples.empty:
        return adj, acc, rank
    index = pd.Index(rows["row_id"])
    i = index.get_indexer(samples["row_id"])
    j = pd.to_numeric(samples["k"], errors="coerce").fillna(-1).to_numpy(dtype=int)
    keep = (i >= 0) & (j >= 0) & (j < k_max)
    if not keep.any():
        return adj, acc, rank
    i, j = i[keep], j[keep]
    accuracy = pd.to_numeric(samples["accuracy"], errors="coerce").fillna(0.0).to_numpy(dtype=float)[keep]
    cost = _finite_positive_array(samples["cost_s"].to_numpy())[keep]
    src = _finite_positive_array(rows["src_cost_s"].to_numpy())[i]
    status = np.char.upper(samples["status"].fillna("").to_numpy(dtype=str)[keep])
    acc[i, j] = accuracy
    adj[i, j] = np.where(accuracy >= threshold_accuracy, cost, np.inf)
    rank[i, j] = _categories(status, accuracy, cost, src, threshold_accuracy)
    return adj, acc, rank


def samples_per_row(samples: pd.DataFrame) -> int:
    """K: the largest number of generations of any row (1 + the largest ``k``), 0 if none."""
    if samples.empty:
        return 0
    return int(samples["k"].max()) + 1


def per_row_frame(
    rows: pd.DataFrame,
    samples: pd.DataFrame,
    *,
    k_max: int | None = None,
    threshold_accuracy: float = 1.0,
) -> pd.DataFrame:
    """Return PIE's per-row frame (``addtl_stats``): best@i columns for every i in 1..k_max.

    Columns: ``row_id``, ``src_cost_s``, ``tgt_cost_s``, ``speedup_tgt_over_src`` (unclamped,
    NaN when unknown), and for each i ``agg_runtime_best@i`` (seconds, inf = none correct),
    ``accuracy_best@i``, ``is_correct_best@i``, ``speedup_best@i``, ``category_best@i``;
    plus ``best_sample_k`` (0-based position of the fastest correct sample among all k_max,
    -1 if none). ``k_max`` defaults to K; a larger value repeats best@K (no more samples).
    """
    if k_max is None:
        k_max = samples_per_row(samples)
    k_max = max(int(k_max), 1)
    rows = rows.reset_index(drop=True)
    adj, acc, rank = _matrices(rows, samples, k_max, threshold_accuracy)
    src = np.array([_finite_positive(v) for v in rows["src_cost_s"]], dtype=float)
    tgt = np.array([_finite_positive(v) for v in rows.get("tgt_cost_s", pd.Series([np.nan] * len(rows)))], dtype=float)
    out = pd.DataFrame({"row_id": rows["row_id"], "src_cost_s": src, "tgt_cost_s": tgt})
    if "problem_id" in rows:
        out["problem_id"] = rows["problem_id"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        human = np.where(np.isfinite(src) & np.isfinite(tgt), src / tgt, np.nan)
    out["speedup_tgt_over_src"] = human

    best_cost = np.minimum.accumulate(adj, axis=1) if len(rows) else adj
    best_acc = np.maximum.accumulate(acc, axis=1) if len(rows) else acc
    best_rank = np.minimum.accumulate(rank, axis=1) if len(rows) else rank
    columns: dict[str, Any] = {}
    for i in range(1, k_max + 1):
        cost_i = best_cost[:, i - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(np.isfinite(src) & np.isfinite(cost_i), src / cost_i, 1.0)
        columns[f"agg_runtime_best@{i}"] = cost_i
        columns[f"accuracy_best@{i}"] = best_acc[:, i - 1]
        columns[f"is_correct_best@{i}"] = best_acc[:, i - 1] >= threshold_accuracy
        columns[f"speedup_best@{i}"] = np.maximum(1.0, ratio)
        columns[f"category_best@{i}"] = [CATEGORY_RANK[r] for r in best_rank[:, i - 1]]
    out = pd.concat([out, pd.DataFrame(columns)], axis=1)
    if len(rows):
        finite_any = np.isfinite(adj).any(axis=1)
        out["best_sample_k"] = np.where(finite_any, np.argmin(adj, axis=1), -1)
    else:
        out["best_sample_k"] = pd.Series(dtype=int)
    return out


def _pct(mask: pd.Series | np.ndarray) -> float:
    values = np.asarray(mask, dtype=bool)
    return float(values.mean() * 100.0) if values.size else 0.0


def _mean(values: pd.Series | np.ndarray) -> float:
    array = np.asarray(values, dtype=float)
    return float(array.mean()) if array.size else 0.0


def aggregate_at_k(per_row: pd.DataFrame, k: int, *, thresholds: Iterable[float] = THRESHOLDS) -> dict[str, Any]:
    """Aggregate one best@k over all rows of ``per_row`` (k beyond its columns is clamped).

    Returns ``mean_accuracy`` (0..1), ``pct_correct``, ``mean_speedup``, ``pct_opt`` and
    ``pct_speedup_ge`` {threshold key: percentage}; percentages are 0..100.
    """
    available = [int(c.split("@")[1]) for c in per_row.columns if c.startswith("speedup_best@")]
    k = min(k, max(available)) if available else k
    speedup = per_row[f"speedup_best@{k}"].to_numpy(dtype=float) if available else np.array([], dtype=float)
    pct_ge = {threshold_key(t): _pct(speedup >= t) for t in thresholds}
    return {
        "k": k,
        "mean_accuracy": _mean(per_row[f"accuracy_best@{k}"]) if available else 0.0,
        "pct_correct": _pct(per_row[f"is_correct_best@{k}"]) if available else 0.0,
        "mean_speedup": _mean(speedup) if available else 0.0,
        "pct_opt": _pct(speedup >= OPT_THRESHOLD),
        "pct_speedup_ge": pct_ge,
    }


def human_reference(per_row: pd.DataFrame, *, thresholds: Iterable[float] = THRESHOLDS) -> dict[str, Any]:
    """The human tgt row: unclamped ``src/tgt`` averaged over rows where both are known."""
    values = per_row["speedup_tgt_over_src"].dropna()
    return {
        "n_rows": int(len(values)),
        "mean_speedup": _mean(values),
        "pct_speedup_ge": {threshold_key(t): _pct(values >= t) for t in thresholds},
    }


def best_over_all_submissions(per_row: pd.DataFrame, *, k: int, thresholds: Iterable[float] = THRESHOLDS) -> dict:
    """PIE's "best over all submissions": per problem, the fastest correct generation of ANY row
    of that problem, compared with each row's own src. Needs a ``problem_id`` column."""
    if "problem_id" not in per_row or per_row.empty:
        return {}
    fastest = per_row.groupby("problem_id")[f"agg_runtime_best@{k}"].transform("min").to_numpy(dtype=float)
    src = per_row["src_cost_s"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(src) & np.isfinite(fastest), src / fastest, 1.0)
    speedup = np.maximum(1.0, ratio)
    return {
        "mean_speedup": _mean(speedup),
        "pct_correct": _pct(np.isfinite(fastest)),
        "pct_opt": _pct(speedup >= OPT_THRESHOLD),
        "pct_speedup_ge": {threshold_key(t): _pct(speedup >= t) for t in thresholds},
    }


def error_breakdown(
    rows: pd.DataFrame, samples: pd.DataFrame, per_row: pd.DataFrame, *, k: int, threshold_accuracy: float = 1.0
) -> dict[str, dict[str, int]]:
    """Counts per category: ``samples`` over every generation given (positions < K of each
    row; short rows' padding counts as missing), ``rows`` over the rows' best@k category."""
    k_max = max(samples_per_row(samples), 1)
    _, _, rank = _matrices(rows.reset_index(drop=True), samples, k_max, threshold_accuracy)
    sample_counts = {name: int((rank == i).sum()) for i, name in enumerate(CATEGORY_RANK)}
    column = f"category_best@{min(k, k_max)}"
    row_counts = {name: int((per_row[column] == name).sum()) for name in CATEGORY_RANK} if column in per_row else {}
    return {"samples": sample_counts, "rows": row_counts}


def score_metrics(
    rows: pd.DataFrame,
    samples: pd.DataFrame,
    *,
    threshold_accuracy: float = 1.0,
    thresholds: Iterable[float] = THRESHOLDS,
) -> dict[str, Any]:
    """Compute every aggregate of a run; the JSON stored in ``Score.metrics``.

    Keys: ``n_rows``, ``k_max`` (K), ``reported_k``, ``threshold_accuracy``, ``thresholds``,
    ``best_at`` {str(i): aggregate_at_k} for EVERY i in 1..K, ``human``, ``best_over_all``
    (at K, when problem ids are given), ``errors`` (samples, and rows at best@K).
    """
    thresholds = tuple(thresholds)
    k_max = max(samples_per_row(samples), 1)
    per_row = per_row_frame(rows, samples, k_max=k_max, threshold_accuracy=threshold_accuracy)
    return {
        "n_rows": int(len(per_row)),
        "k_max": k_max,
        "reported_k": reported_ks(k_max),
        "threshold_accuracy": threshold_accuracy,
        "thresholds": [threshold_key(t) for t in thresholds],
        "best_at": {str(i): aggregate_at_k(per_row, i, thresholds=thresholds) for i in range(1, k_max + 1)},
        "human": human_reference(per_row, thresholds=thresholds),
        "best_over_all": best_over_all_submissions(per_row, k=k_max, thresholds=thresholds),
        "errors": error_breakdown(rows, samples, per_row, k=k_max, threshold_accuracy=threshold_accuracy),
    }


def compare_runs(per_rows: dict[str, pd.DataFrame], *, k: int) -> pd.DataFrame:
    """Per-row wins and losses of several runs of the same split at best@k.

    ``per_rows`` maps a run label to its ``per_row_frame``. Returns one row per row_id with a
    ``speedup[<label>]`` column per run, ``best`` (labels tied at the top, ``|``-joined, empty
    when every run is 1.0) and, per run, ``wins[<label>]``/``losses[<label>]`` = how many other
    runs it beats / loses to on that row (strictly greater / smaller speedup).
    """
    labels = list(per_rows)
    merged: pd.DataFrame | None = None
    for label in labels:
        frame = per_rows[label]
        column = f"speedup_best@{min(k, max(int(c.split('@')[1]) for c in frame.columns if c.startswith('speedup_best@')))}"
        part = frame[["row_id", column]].rename(columns={column: f"speedup[{label}]"})
        merged = part if merged is None else merged.merge(part, on="row_id", how="outer")
    if merged is None:
        return pd.DataFrame(columns=["row_id"])
    speed = merged[[f"speedup[{label}]" for label in labels]].fillna(1.0).to_numpy(dtype=float)
    merged[[f"speedup[{label}]" for label in labels]] = speed
    top = speed.max(axis=1) if len(labels) else np.array([])
    merged["best"] = [
        "|".join(label for j, label in enumerate(labels) if speed[i, j] == top[i]) if top[i] > 1.0 else ""
        for i in range(len(merged))
    ]
    for j, label in enumerate(labels):
        merged[f"wins[{label}]"] = (speed[:, [j]] > speed).sum(axis=1)
        merged[f"losses[{label}]"] = (speed[:, [j]] < speed).sum(axis=1)
    return merged
