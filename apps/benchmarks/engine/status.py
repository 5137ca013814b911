"""The closed set of per-test and per-program statuses, with one precedence order."""
from __future__ import annotations

import enum
from collections.abc import Iterable


class Status(enum.StrEnum):
    """Outcome of compiling or running a program on one test.

    IE (internal error) is never the program's fault: the sandbox, the backend or the host
    failed. It ranks first so that it is never hidden behind a program verdict.
    """

    OK = "OK"  # ran, output accepted by the checker
    WA = "WA"  # ran, output rejected
    RE = "RE"  # non-zero exit code or killed by a signal
    TLE = "TLE"  # CPU- or wall-time limit
    MLE = "MLE"  # address-space limit
    OLE = "OLE"  # stdout larger than the output limit
    CE = "CE"  # compilation failed (or hit its own limits)
    IE = "IE"  # internal error: not blamed on the program

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Status.OK: "Accepted",
    Status.WA: "Wrong answer",
    Status.RE: "Runtime error",
    Status.TLE: "Time limit exceeded",
    Status.MLE: "Memory limit exceeded",
    Status.OLE: "Output limit exceeded",
    Status.CE: "Compilation error",
    Status.IE: "Internal error",
}

# Worst first: the verdict shown for a program is the first of these among its tests.
PRECEDENCE: tuple[Status, ...] = (
    Status.IE,
    Status.CE,
    Status.TLE,
    Status.MLE,
    Status.OLE,
    Status.RE,
    Status.WA,
    Status.OK,
)


def worst(statuses: Iterable[Status]) -> Status:
    """Return the most severe status of ``statuses`` (OK for an empty iterable)."""
    present = set(statuses)
    for status in PRECEDENCE:
        if status in present:
            return status
    return Status.OK
