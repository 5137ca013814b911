"""The wallclock backend: summary figures and a short real interleaved run."""
from __future__ import annotations

import pytest

from apps.benchmarks.engine.backends.wallclock import summarize
from apps.benchmarks.engine.cache import MemoryResultCache
from apps.benchmarks.engine.job import BackendSpec, RunJob
from apps.benchmarks.engine.runner import run_job

from .conftest import DEMO, demo_test


def test_summarize_reports_median_spread_and_noise():
    stats = summarize([1.0, 1.2, 0.9, 1.1, 1.0], noise_threshold=0.1)
    assert stats["median_s"] == 1.0 and stats["min_s"] == 0.9 and stats["max_s"] == 1.2
    assert stats["rel_spread"] == pytest.approx(0.3)
    assert stats["noisy"] is True
    assert summarize([1.0, 1.01, 1.0], noise_threshold=0.1)["noisy"] is False


@pytest.mark.slow
def test_wallclock_measures_and_is_never_cached(engine_config):
    source = (DEMO / "programs" / "p90001" / "fast.cpp").read_text()
    backend = BackendSpec("wallclock", {"repeats": 3, "warmups": 1})
    cache = MemoryResultCache()
    result = run_job(RunJob(source=source, tests=(demo_test("p90001", 2),), backend=backend), engine_config,
                     cache=cache)
    assert len(cache) == 0  # noisy figures are never reused
    assert result.correct, result.tests[0].message
    measurement = result.tests[0].measurement
    assert measurement is not None and measurement.success
    assert len(measurement.metrics["samples_s"]) == 3
    assert measurement.metrics["min_s"] <= measurement.cost_s <= measurement.metrics["max_s"]
    assert measurement.metrics["cpu_median_s"] >= 0.0
    assert result.backend_config["name"] == "wallclock" and result.backend_config["repeats"] == 3
