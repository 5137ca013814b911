#!/usr/bin/env python3
"""Time of PIE's metrics (``apps.submissions.scoring``) at the size of PIE's test set and beyond.

Builds synthetic frames (rows = pairs of a split, K generations per row with a mix of verdicts:
20% compile errors, 20% wrong answers, 10% timeouts, the rest correct at random speedups) and
prints the median wall time (milliseconds) of ``score_metrics`` (every aggregate of a run, as
stored in a Score) and of ``per_row_frame`` (the report's per-row table) over several repeats.
Pure pandas/numpy: no database, no Django.

Target: a 978-row x 8-sample run scores in well under one second, so re-scoring on the report
page or after an upload never needs a background job of its own.

Usage:
    python bench/scoring_speed.py                       # 978x4, 978x8, 978x40, 10000x8
    python bench/scoring_speed.py --rows 978 --samples 8 --repeats 9
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.submissions import scoring  # noqa: E402  (pure module: no Django setup needed)

VERDICTS = np.array(["CE", "WA", "TLE", "OK"])
VERDICT_P = np.array([0.2, 0.2, 0.1, 0.5])


def frames(n_rows: int, k: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic ``rows`` and ``samples`` frames; costs in seconds."""
    rng = np.random.default_rng(seed)
    src = rng.uniform(0.5, 5.0, n_rows)
    rows = pd.DataFrame({
        "row_id": np.arange(n_rows),
        "src_cost_s": src,
        "tgt_cost_s": src / rng.uniform(1.0, 10.0, n_rows),
        "problem_id": [f"p{i % 300:05d}" for i in range(n_rows)],
    })
    status = rng.choice(VERDICTS, size=(n_rows, k), p=VERDICT_P)
    ok = status == "OK"
    cost = np.where(ok, src[:, None] / rng.uniform(0.5, 8.0, (n_rows, k)), np.nan)
    samples = pd.DataFrame({
        "row_id": np.repeat(np.arange(n_rows), k),
        "k": np.tile(np.arange(k), n_rows),
        "status": status.ravel(),
        "accuracy": np.where(ok, 1.0, 0.0).ravel(),
        "cost_s": cost.ravel(),
    })
    return rows, samples


def median_ms(fn, repeats: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows of the split (repeatable)")
    parser.add_argument("--samples", type=int, action="append", help="generations per row (pairs with --rows)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sizes = list(zip(args.rows, args.samples, strict=True)) if args.rows else [
        (978, 4), (978, 8), (978, 40), (10_000, 8)]
    print(f"{'rows':>7} {'K':>4} {'samples':>8} {'score_metrics ms':>17} {'per_row_frame ms':>17}")
    for n_rows, k in sizes:
        rows, samples = frames(n_rows, k)
        full = median_ms(lambda r=rows, s=samples: scoring.score_metrics(r, s), args.repeats)
        per_row = median_ms(lambda r=rows, s=samples: scoring.per_row_frame(r, s), args.repeats)
        print(f"{n_rows:>7} {k:>4} {len(samples):>8} {full:>17.1f} {per_row:>17.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
