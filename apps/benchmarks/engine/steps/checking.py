"""Apply the job's checker to a program's output."""
from __future__ import annotations

from typing import Any

from ..checkers import CheckResult, get_checker


def checking_step(*, output: bytes, expected_path: str, checker: str, params: dict[str, Any] | None = None) -> CheckResult:
    """Compare ``output`` with the expected output file using the named checker.

    Args:
        output: the program's stdout.
        expected_path: host path of the expected output.
        checker: checker name (``pie``, ``exact``, ``tokens``).
        params: checker options (e.g. ``{"tolerance": 1e-3}``).

    Returns:
        The checker's ``CheckResult``.

    Raises:
        UnknownChecker: ``checker`` is not registered.
        OSError: the expected output cannot be read.
    """
    check = get_checker(checker)
    with open(expected_path, "rb") as fh:
        expected = fh.read()
    return check(output, expected, **(params or {}))
