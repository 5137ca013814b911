"""The one result type every checker returns."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """Verdict of a checker on one test.

    Attributes:
        accepted: the output is correct (a program is correct only when every test is).
        accuracy: fraction of expected lines (or tokens) matched, 0..1; kept per test as PIE does.
        message: short human-readable reason when not accepted (first mismatch).
    """

    accepted: bool
    accuracy: float
    message: str = ""


def parse_float(text: str) -> float | None:
    """Return ``text`` as a float, or ``None`` when it is not a number (nan/inf count as numbers)."""
    try:
        return float(text)
    except ValueError:
        return None
