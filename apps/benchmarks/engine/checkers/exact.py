"""Byte-for-byte equality after stripping leading/trailing whitespace of the whole output."""
from __future__ import annotations

from .base import CheckResult


def check(output: bytes, expected: bytes, **params: object) -> CheckResult:
    """Accept only an output identical to the expected one once both are stripped.

    Args:
        output: the program's stdout.
        expected: the test's expected output.
        **params: ignored.

    Returns:
        ``CheckResult`` with accuracy 1.0 or 0.0.
    """
    if output.strip() == expected.strip():
        return CheckResult(True, 1.0)
    return CheckResult(False, 0.0, "output differs from expected output")
