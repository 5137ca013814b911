"""Template helpers of job pages: the per-test table and number formats (seconds, counts)."""
from __future__ import annotations

from typing import Any

from django import template

from apps.problems.formatting import format_seconds

from ..selectors import SHOWN_METRICS, job_test_rows

register = template.Library()

#: Column titles of the metrics shown per test (units in the title).
METRIC_TITLES = {
    "instructions": "Instructions", "cycles": "Est. cycles", "l1i_misses": "L1i misses", "l1d_misses": "L1d misses",
    "ll_misses": "LL misses", "branch_mispredicts": "Branch mispred.", "median_s": "Median (s)", "min_s": "Min (s)",
    "max_s": "Max (s)", "rel_spread": "Spread", "sim_ticks": "Sim ticks", "sim_insts": "Sim insts",
}


@register.filter
def job_table(job: Any) -> dict[str, Any]:
    """Rows of the job's per-test table plus the metric columns that any row has."""
    rows = job_test_rows(job)
    present = {k for row in rows for k in row["metrics"]}
    columns = [k for k in SHOWN_METRICS if k in present]
    for row in rows:
        row["values"] = [row["metrics"].get(k) for k in columns]
    return {"columns": [METRIC_TITLES.get(k, k) for k in columns], "keys": columns, "rows": rows}


@register.filter
def cost_s(value: float | None) -> str:
    """Seconds with enough digits for estimated times (microseconds); ``inf`` when not measured."""
    return format_seconds(value, missing="inf")


@register.filter
def figure(value: Any) -> str:
    """A metric value: integers with thin separators, floats with 4 significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and abs(value) >= 1000):
        return f"{round(value):,}".replace(",", "\u2009")
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
