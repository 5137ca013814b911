"""Number formats shared by every page: runtimes and costs are seconds, shown with a readable unit."""
from __future__ import annotations

import math


def format_seconds(value: float | None, *, missing: str = "—") -> str:
    """Seconds as ``4.56 s``, ``1.234 ms`` or ``12.5 µs`` (4 significant digits).

    ``missing`` is shown for None and for infinite or NaN values (a program that was not
    measured, or failed, has no finite cost).
    """
    if value is None or not math.isfinite(value):
        return missing
    if value >= 1:
        return f"{value:.4g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.4g} ms"
    return f"{value * 1e6:.4g} µs"
