"""Whitespace-insensitive token comparison with relative + absolute float tolerance.

Layout (spaces, tabs, line breaks) does not matter. Two tokens match when identical, or when
both are numbers with ``|a - b| <= max(abs_tol, rel_tol * |b|)``. Accuracy is matched tokens
/ expected tokens; any extra or missing token rejects the output.
"""
from __future__ import annotations

import math

from .base import CheckResult, parse_float


def _token_matches(got: bytes, want: bytes, rel_tol: float, abs_tol: float) -> bool:
    if got == want:
        return True
    a, b = parse_float(got.decode("ascii", "replace")), parse_float(want.decode("ascii", "replace"))
    if a is None or b is None or math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= max(abs_tol, rel_tol * abs(b))


def check(
    output: bytes, expected: bytes, *, rel_tol: float = 1e-6, abs_tol: float = 1e-6, **params: object
) -> CheckResult:
    """Compare whitespace-separated tokens.

    Args:
        output: the program's stdout.
        expected: the test's expected output.
        rel_tol: relative tolerance for numeric tokens (fraction of the expected value).
        abs_tol: absolute tolerance for numeric tokens.
        **params: ignored.

    Returns:
        ``CheckResult``; accepted only when the token counts agree and every token matches.
    """
    got, want = output.split(), expected.split()
    if not want:
        accepted = not got
        return CheckResult(accepted, 1.0 if accepted else 0.0, "" if accepted else "expected empty output")
    matched = 0
    first_bad = ""
    for number, (g, w) in enumerate(zip(got, want, strict=False), start=1):
        if _token_matches(g, w, rel_tol, abs_tol):
            matched += 1
        elif not first_bad:
            first_bad = f"token {number}: expected {w[:40]!r}, got {g[:40]!r}"
    if len(got) != len(want) and not first_bad:
        first_bad = f"output has {len(got)} tokens, expected {len(want)}"
    accuracy = matched / len(want)
    return CheckResult(accuracy == 1.0 and len(got) == len(want), accuracy, first_bad)
