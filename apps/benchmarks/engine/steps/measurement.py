"""Ask a backend session for one test's figures, turning backend crashes into failed measurements."""
from __future__ import annotations

from ..backends.base import BackendSession
from ..job import Measurement, TestSpec


def measurement_step(session: BackendSession, test: TestSpec) -> Measurement:
    """Measure one already-correct test.

    A backend must not raise for program faults; if it raises anyway (a bug or a host
    problem) the failure is reported as an unsuccessful measurement, never propagated.

    Args:
        session: an open backend session for the program.
        test: the test to measure.

    Returns:
        The backend's ``Measurement`` (``success=False`` with ``error`` on failure).
    """
    try:
        return session.measure(test)
    except Exception as exc:  # noqa: BLE001 - any backend fault becomes a failed measurement
        return Measurement(cost_s=float("inf"), success=False, error=f"{type(exc).__name__}: {exc}")
