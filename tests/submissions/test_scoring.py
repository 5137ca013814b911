"""PIE's metrics held to hand-computed examples (pie-reference.md §3.3)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from apps.submissions import scoring

NAN = float("nan")


def _rows() -> pd.DataFrame:
    # r3 is a split row the upload did not cover: it must count as 1.0 / incorrect.
    return pd.DataFrame(
        {
            "row_id": ["r1", "r2", "r3", "r4"],
            "src_cost_s": [10.0, 8.0, 6.0, 5.0],
            "tgt_cost_s": [2.0, 4.0, 3.0, 5.0],
            "problem_id": ["p1", "p1", "p2", "p2"],
        }
    )


def _samples() -> pd.DataFrame:
    records = [
        # r1: wrong, 2.0x, 2.5x, compile error
        ("r1", 0, "WA", 0.5, NAN),
        ("r1", 1, "OK", 1.0, 5.0),
        ("r1", 2, "OK", 1.0, 4.0),
        ("r1", 3, "CE", 0.0, NAN),
        # r2: only two samples: exactly as fast as src (tie -> 1.0), then 8/7.5 = 16/15 (< 1.10)
        ("r2", 0, "OK", 1.0, 8.0),
        ("r2", 1, "OK", 1.0, 7.5),
        # r4: every sample wrong in a different way
        ("r4", 0, "WA", 0.25, NAN),
        ("r4", 1, "RE", 0.0, NAN),
        ("r4", 2, "TLE", 0.0, math.inf),
        ("r4", 3, "CE", 0.0, NAN),
    ]
    return pd.DataFrame(records, columns=["row_id", "k", "status", "accuracy", "cost_s"])


@pytest.fixture
def metrics() -> dict:
    return scoring.score_metrics(_rows(), _samples())


def test_k_max_and_reported_ks(metrics):
    assert metrics["k_max"] == 4
    assert metrics["n_rows"] == 4
    assert metrics["reported_k"] == [1, 2, 4]
    assert sorted(metrics["best_at"]) == ["1", "2", "3", "4"]  # every k internally


def test_reported_ks_adds_k_max_when_not_a_power_of_two():
    assert scoring.reported_ks(1) == [1]
    assert scoring.reported_ks(6) == [1, 2, 4, 6]
    assert scoring.reported_ks(8) == [1, 2, 4, 8]
    assert scoring.reported_ks(0) == []


def test_best_at_1(metrics):
    b1 = metrics["best_at"]["1"]
    # r1 wrong, r2 a tie with src (max(1, 8/8) = 1), r3 missing, r4 wrong.
    assert b1["mean_speedup"] == 1.0
    assert b1["pct_opt"] == 0.0
    assert b1["pct_correct"] == 25.0
    assert b1["mean_accuracy"] == pytest.approx((0.5 + 1.0 + 0.0 + 0.25) / 4, abs=1e-15)


def test_best_at_2(metrics):
    b2 = metrics["best_at"]["2"]
    # r1: 10/5 = 2.0; r2: 8/7.5 = 16/15; r3, r4: 1.0  ->  (2 + 16/15 + 1 + 1) / 4 = 76/60 = 19/15
    assert b2["mean_speedup"] == pytest.approx(19 / 15, rel=1e-15)
    assert b2["pct_opt"] == 25.0
    assert b2["pct_correct"] == 50.0
    assert b2["pct_speedup_ge"]["2.00"] == 25.0
    assert b2["pct_speedup_ge"]["2.50"] == 0.0


def test_best_at_4_with_short_row(metrics):
    b4 = metrics["best_at"]["4"]
    # r1 best is 10/4 = 2.5; r2 has only 2 samples and keeps 16/15.
    assert b4["mean_speedup"] == pytest.approx((2.5 + 16 / 15 + 1 + 1) / 4, rel=1e-15)
    assert b4["pct_opt"] == 25.0
    assert b4["pct_correct"] == 50.0
    assert b4["pct_speedup_ge"]["2.50"] == 25.0
    assert b4["pct_speedup_ge"]["3.00"] == 0.0
    assert list(b4["pct_speedup_ge"]) == ["1.10", "1.25", "1.50", "1.75", "2.00", "2.50", "3.00", "4.00", "5.00", "10.00"]


def test_k_larger_than_number_of_samples_equals_all_samples():
    per_row = scoring.per_row_frame(_rows(), _samples(), k_max=8)
    assert (per_row["speedup_best@8"] == per_row["speedup_best@4"]).all()
    at_16 = scoring.aggregate_at_k(per_row, 16)
    assert at_16["k"] == 8
    assert at_16["mean_speedup"] == pytest.approx((2.5 + 16 / 15 + 1 + 1) / 4, rel=1e-15)


def test_missing_row_counts_one_and_incorrect():
    per_row = scoring.per_row_frame(_rows(), _samples()).set_index("row_id")
    assert per_row.loc["r3", "speedup_best@4"] == 1.0
    assert not per_row.loc["r3", "is_correct_best@4"]
    assert per_row.loc["r3", "category_best@4"] == "missing"
    assert per_row.loc["r3", "best_sample_k"] == -1


def test_all_wrong_row():
    per_row = scoring.per_row_frame(_rows(), _samples()).set_index("row_id")
    assert per_row.loc["r4", "speedup_best@4"] == 1.0
    assert per_row.loc["r4", "accuracy_best@4"] == 0.25
    assert math.isinf(per_row.loc["r4", "agg_runtime_best@4"])
    assert per_row.loc["r4", "category_best@4"] == "wrong_answer"


def test_all_rows_wrong_gives_floor_metrics():
    samples = _samples().assign(status="WA", accuracy=0.0, cost_s=NAN)
    metrics = scoring.score_metrics(_rows(), samples)
    assert metrics["best_at"]["4"]["mean_speedup"] == 1.0
    assert metrics["best_at"]["4"]["pct_correct"] == 0.0
    assert metrics["best_at"]["4"]["pct_opt"] == 0.0


def test_exact_threshold_tie_counts_as_optimized():
    rows = pd.DataFrame({"row_id": [1], "src_cost_s": [11.0], "tgt_cost_s": [5.0]})
    samples = pd.DataFrame({"row_id": [1], "k": [0], "status": ["OK"], "accuracy": [1.0], "cost_s": [10.0]})
    metrics = scoring.score_metrics(rows, samples)
    assert metrics["best_at"]["1"]["mean_speedup"] == 1.1
    assert metrics["best_at"]["1"]["pct_opt"] == 100.0
    assert metrics["errors"]["rows"]["optimized"] == 1


def test_equal_cost_samples_pick_first_as_best():
    rows = pd.DataFrame({"row_id": [1], "src_cost_s": [4.0], "tgt_cost_s": [1.0]})
    samples = pd.DataFrame(
        {"row_id": [1, 1, 1], "k": [0, 1, 2], "status": ["WA", "OK", "OK"], "accuracy": [0.0, 1.0, 1.0],
         "cost_s": [NAN, 2.0, 2.0]}
    )
    per_row = scoring.per_row_frame(rows, samples)
    assert per_row.loc[0, "best_sample_k"] == 1
    assert per_row.loc[0, "speedup_best@3"] == 2.0


def test_accuracy_below_threshold_is_not_correct_even_if_fast():
    rows = pd.DataFrame({"row_id": [1], "src_cost_s": [10.0], "tgt_cost_s": [1.0]})
    samples = pd.DataFrame({"row_id": [1], "k": [0], "status": ["OK"], "accuracy": [0.99], "cost_s": [1.0]})
    metrics = scoring.score_metrics(rows, samples)
    assert metrics["best_at"]["1"]["mean_speedup"] == 1.0
    assert metrics["best_at"]["1"]["pct_correct"] == 0.0
    assert metrics["errors"]["samples"]["wrong_answer"] == 1


def test_human_reference_is_unclamped(metrics):
    human = metrics["human"]
    # src/tgt = 5, 2, 2, 1
    assert human["n_rows"] == 4
    assert human["mean_speedup"] == 2.5
    assert human["pct_speedup_ge"]["1.10"] == 75.0
    assert human["pct_speedup_ge"]["5.00"] == 25.0
    slower_human = scoring.per_row_frame(
        pd.DataFrame({"row_id": [1], "src_cost_s": [1.0], "tgt_cost_s": [4.0]}), _samples().iloc[0:0]
    )
    assert slower_human.loc[0, "speedup_tgt_over_src"] == 0.25


def test_best_over_all_submissions_per_problem(metrics):
    best = metrics["best_over_all"]
    # p1 fastest correct = 4.0: r1 10/4 = 2.5, r2 8/4 = 2.0; p2 none: 1.0, 1.0
    assert best["mean_speedup"] == pytest.approx(6.5 / 4, rel=1e-15)
    assert best["pct_correct"] == 50.0
    assert best["pct_opt"] == 50.0


def test_error_breakdown(metrics):
    samples = metrics["errors"]["samples"]
    assert samples == {
        "optimized": 2, "faster": 1, "same_speed": 1, "slower": 0, "wrong_answer": 2, "timeout": 1,
        "runtime_error": 1, "compile_error": 2, "internal_error": 0, "missing": 6,
    }
    assert sum(samples.values()) == 16
    rows = metrics["errors"]["rows"]
    assert rows["optimized"] == 1 and rows["faster"] == 1 and rows["missing"] == 1 and rows["wrong_answer"] == 1
    assert sum(rows.values()) == 4


@pytest.mark.parametrize(
    ("status", "accuracy", "cost", "src", "expected"),
    [
        ("OK", 1.0, 20.0, 10.0, "slower"),
        ("OK", 1.0, 10.0, 10.05, "same_speed"),
        ("OK", 1.0, 10.0, 10.2, "faster"),
        ("OK", 1.0, 10.0, 11.0, "optimized"),
        ("MLE", 0.0, NAN, 10.0, "runtime_error"),
        ("OLE", 0.0, NAN, 10.0, "runtime_error"),
        ("IE", 0.0, NAN, 10.0, "internal_error"),
        ("", None, None, 10.0, "missing"),
        ("OK", 1.0, 5.0, NAN, "same_speed"),
    ],
)
def test_sample_category(status, accuracy, cost, src, expected):
    assert scoring.sample_category(status=status, accuracy=accuracy, cost_s=cost, src_cost_s=src) == expected


def test_src_unmeasured_gives_speedup_one():
    rows = pd.DataFrame({"row_id": [1], "src_cost_s": [NAN], "tgt_cost_s": [1.0]})
    samples = pd.DataFrame({"row_id": [1], "k": [0], "status": ["OK"], "accuracy": [1.0], "cost_s": [0.5]})
    per_row = scoring.per_row_frame(rows, samples)
    assert per_row.loc[0, "speedup_best@1"] == 1.0
    assert bool(per_row.loc[0, "is_correct_best@1"])
    assert np.isnan(per_row.loc[0, "speedup_tgt_over_src"])


def test_empty_split():
    rows = pd.DataFrame({"row_id": [], "src_cost_s": [], "tgt_cost_s": []})
    samples = pd.DataFrame(columns=["row_id", "k", "status", "accuracy", "cost_s"])
    metrics = scoring.score_metrics(rows, samples)
    assert metrics["n_rows"] == 0
    assert metrics["best_at"]["1"]["mean_speedup"] == 0.0


def test_compare_runs_wins_and_losses():
    rows = _rows()
    run_a = scoring.per_row_frame(rows, _samples(), k_max=4)
    faster_b = pd.DataFrame(
        {"row_id": ["r1", "r3"], "k": [0, 0], "status": ["OK", "OK"], "accuracy": [1.0, 1.0], "cost_s": [2.0, 3.0]}
    )
    run_b = scoring.per_row_frame(rows, faster_b, k_max=1)
    table = scoring.compare_runs({"a": run_a, "b": run_b}, k=4).set_index("row_id")
    assert table.loc["r1", "speedup[a]"] == 2.5 and table.loc["r1", "speedup[b]"] == 5.0
    assert table.loc["r1", "best"] == "b"
    assert table.loc["r1", "wins[b]"] == 1 and table.loc["r1", "losses[a]"] == 1
    assert table.loc["r2", "best"] == "a"
    assert table.loc["r3", "best"] == "b"
    assert table.loc["r4", "best"] == ""
    assert table["wins[a]"].sum() == 1 and table["wins[b]"].sum() == 2


def test_vectorised_categories_agree_with_sample_category():
    """The matrices are built without a Python loop; each cell must equal the scalar rule."""
    rng = np.random.default_rng(7)
    n, k = 60, 5
    rows = pd.DataFrame({"row_id": [f"r{i}" for i in range(n)],
                         "src_cost_s": rng.choice([1.0, 2.0, 0.0, NAN, math.inf, 3.3], n)})
    statuses = ["OK", "ok", "WA", "RE", "MLE", "OLE", "TLE", "CE", "IE", "", "??"]
    samples = pd.DataFrame({
        "row_id": np.repeat(rows["row_id"].to_numpy(), k),
        "k": np.tile(np.arange(k), n),
        "status": rng.choice(statuses, n * k),
        "accuracy": rng.choice([1.0, 0.99, 0.0, NAN], n * k),
        "cost_s": rng.choice([1.0, 2.0, 1.0 / 1.1, 1.005, 0.5, NAN, math.inf, -1.0, 3.0], n * k),
    })
    _, _, rank = scoring._matrices(rows, samples, k, 1.0)
    src = dict(zip(rows["row_id"], rows["src_cost_s"], strict=True))
    for rec in samples.itertuples(index=False):
        i, j = int(rec.row_id[1:]), int(rec.k)
        expected = scoring.sample_category(status=rec.status, accuracy=rec.accuracy, cost_s=rec.cost_s,
                                           src_cost_s=src[rec.row_id])
        assert scoring.CATEGORY_RANK[rank[i, j]] == expected, rec
