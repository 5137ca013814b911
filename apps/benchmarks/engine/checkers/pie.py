"""PIE's correctness rule (``get_accuracy`` in PIE's gem5 benchmarking code).

Both outputs are stripped and split into lines; lines are zipped, so extra output lines are
ignored and missing ones count as wrong. A line matches when it is identical or when both
lines parse as floats with ``|a - b| < tolerance`` (absolute, 1e-3 in PIE). Accuracy is
matched lines / expected lines, and the test passes only at accuracy 1.0.

Deliberate fix: PIE divides by zero for an empty expected output and scores 0. Here an empty
expected output is matched by an empty output (accuracy 1.0) and by nothing else (0.0).
Windows line ends (``\r\n``) are read as ``\n`` so that a test file's line ends never decide
a verdict.
"""
from __future__ import annotations

from .base import CheckResult, parse_float

DEFAULT_TOLERANCE = 1e-3


def _line_matches(got: str, want: str, tolerance: float) -> bool:
    if got == want:
        return True
    a, b = parse_float(got), parse_float(want)
    return a is not None and b is not None and abs(a - b) < tolerance


def check(output: bytes, expected: bytes, *, tolerance: float = DEFAULT_TOLERANCE, **params: object) -> CheckResult:
    """Apply PIE's line-wise rule.

    Args:
        output: the program's stdout.
        expected: the test's expected output.
        tolerance: absolute float tolerance per line (PIE: 1e-3).
        **params: ignored (every checker takes the same call).

    Returns:
        ``CheckResult`` with accuracy = matched lines / expected lines.
    """
    got_text = output.decode("utf-8", errors="replace").replace("\r\n", "\n").strip()
    want_text = expected.decode("utf-8", errors="replace").replace("\r\n", "\n").strip()
    if not want_text:
        accepted = not got_text
        return CheckResult(accepted, 1.0 if accepted else 0.0, "" if accepted else "expected empty output")
    got, want = got_text.split("\n"), want_text.split("\n")
    matched = 0
    first_bad = None
    for number, (g, w) in enumerate(zip(got, want, strict=False), start=1):
        if _line_matches(g, w, tolerance):
            matched += 1
        elif first_bad is None:
            first_bad = f"line {number}: expected {w[:60]!r}, got {g[:60]!r}"
    if first_bad is None and len(got) < len(want):
        first_bad = f"output has {len(got)} lines, expected {len(want)}"
    accuracy = matched / len(want)
    return CheckResult(accuracy == 1.0, accuracy, first_bad or "")
