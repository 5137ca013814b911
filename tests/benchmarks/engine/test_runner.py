"""The runner's order, exit-early rule, compile cache and measurement cache, on real programs."""
from __future__ import annotations

import dataclasses
import math

import pytest

from apps.benchmarks.engine.cache import CacheKey, MemoryResultCache
from apps.benchmarks.engine.job import BackendSpec, RunJob, RunResult
from apps.benchmarks.engine.runner import run_job
from apps.benchmarks.engine.status import Status

from .conftest import DEMO, demo_test

pytestmark = pytest.mark.slow

FAST = (DEMO / "programs" / "p90001" / "fast.cpp").read_text()
SLOW = (DEMO / "programs" / "p90001" / "slow.cpp").read_text()
WRONG = (DEMO / "programs" / "p90001" / "wrong.cpp").read_text()
TESTS = tuple(demo_test("p90001", i) for i in (0, 1, 2))


class CountingCache(MemoryResultCache):
    """A ``MemoryResultCache`` that counts lookups, hits and stores."""

    def __init__(self) -> None:
        super().__init__()
        self.gets = self.hits = self.puts = 0

    def get(self, key: CacheKey):
        self.gets += 1
        hit = super().get(key)
        self.hits += hit is not None
        return hit

    def put(self, key: CacheKey, result) -> None:
        self.puts += 1
        super().put(key, result)


def test_correct_program_is_measured_on_every_test(engine_config):
    result = run_job(RunJob(source=FAST, tests=TESTS), engine_config)
    assert result.correct, [(t.status, t.message) for t in result.tests]
    assert result.status is Status.OK
    assert result.backend_config["name"] == "cachegrind"
    for test in result.tests:
        assert test.measurement is not None and test.measurement.success
        assert test.measurement.metrics["instructions"] > 0
        assert test.cost_s == pytest.approx(test.measurement.metrics["cycles"] / 3.5e9)
    assert result.agg_cost_s == pytest.approx(sum(t.cost_s for t in result.tests))
    assert math.isfinite(result.agg_cost_s)


def test_two_identical_submissions_cost_one_measurement(engine_config):
    cache = CountingCache()
    first = run_job(RunJob(source=FAST, tests=TESTS), engine_config, cache=cache)
    assert cache.puts == len(TESTS) and cache.hits == 0
    assert not first.compile.cached or first.compile.time_s == 0.0
    second = run_job(RunJob(source=FAST, tests=TESTS), engine_config, cache=cache)
    assert cache.puts == len(TESTS)  # nothing new was measured
    assert cache.hits == len(TESTS)
    assert second.compile.cached and second.compile.time_s == 0.0
    assert all(t.measurement is not None and t.measurement.cached for t in second.tests)
    assert [t.cost_s for t in second.tests] == [t.cost_s for t in first.tests]
    assert second.agg_cost_s == first.agg_cost_s


def test_other_backend_config_is_another_cache_entry(engine_config):
    cache = CountingCache()
    run_job(RunJob(source=FAST, tests=TESTS[:1]), engine_config, cache=cache)
    run_job(RunJob(source=FAST, tests=TESTS[:1], backend=BackendSpec("cachegrind", {"clock_hz": 3.0e9})),
            engine_config, cache=cache)
    assert cache.hits == 0 and cache.puts == 2


def test_slow_program_costs_more_than_fast(engine_config):
    test = (demo_test("p90001", 6),)
    fast = run_job(RunJob(source=FAST, tests=test), engine_config)
    slow = run_job(RunJob(source=SLOW, tests=test), engine_config)
    assert fast.correct and slow.correct
    assert slow.agg_cost_s > 1.5 * fast.agg_cost_s


def test_wrong_program_is_not_measured_and_stops_early(engine_config):
    order = (0, 7, 1, 2)  # the demo's wrong program fails only on the large test 7
    tests = tuple(demo_test("p90001", i) for i in order)
    seen: list = []
    result = run_job(RunJob(source=WRONG, tests=tests), engine_config, on_test=seen.append)
    assert [t.index for t in seen] == list(order)  # progress for every test, in job order
    assert not result.correct and result.agg_cost_s == math.inf
    failed = next(t for t in result.tests if t.status is not Status.OK)
    assert failed.status is Status.WA and not failed.skipped and failed.measurement is None
    after = result.tests[result.tests.index(failed) + 1:]
    assert failed.index == 7 and [t.index for t in after] == [1, 2]
    assert all(t.skipped and t.status is Status.WA and t.accuracy == 0.0 for t in after)
    for test in result.tests[: result.tests.index(failed)]:
        assert test.measurement is not None  # correct tests before the failure were measured


def test_without_exit_early_every_test_runs(engine_config):
    tests = tuple(demo_test("p90001", i) for i in range(8))
    job = RunJob(source=WRONG, tests=tests, backend=None, exit_early_on_fail=False)
    result = run_job(job, engine_config)
    assert not any(t.skipped for t in result.tests)
    assert 0.0 < result.mean_accuracy < 1.0


def test_compile_error_has_diagnostics_and_no_runs(engine_config):
    result = run_job(RunJob(source="int main() { return undefined_name; }", tests=TESTS), engine_config)
    assert not result.compile.success and result.status is Status.CE
    assert "undefined_name" in result.compile.diagnostics
    assert "/box/" not in result.compile.diagnostics
    assert all(t.status is Status.CE and t.skipped for t in result.tests)
    again = run_job(RunJob(source="int main() { return undefined_name; }", tests=TESTS), engine_config)
    assert again.compile.cached and again.compile.diagnostics == result.compile.diagnostics


def test_binary_key_depends_on_flags(engine_config):
    o3 = run_job(RunJob(source=FAST, tests=TESTS[:1], backend=None), engine_config)
    o0 = run_job(RunJob(source=FAST, tests=TESTS[:1], backend=None, cflags="-std=c++17 -O0"), engine_config)
    assert o3.compile.binary_sha256 != o0.compile.binary_sha256
    assert o3.compile.compiler_version.startswith("g++")


def test_bad_configuration_is_an_internal_error(engine_config):
    result = run_job(RunJob(source=FAST, tests=TESTS[:1], backend=BackendSpec("nope")), engine_config)
    assert result.status is Status.IE
    assert "unknown backend" in result.tests[0].message
    result = run_job(RunJob(source=FAST, tests=TESTS[:1], checker="nope"), engine_config)
    assert result.status is Status.IE


def test_result_round_trips_through_json_dicts(engine_config):
    result = run_job(RunJob(source=FAST, tests=TESTS[:1]), engine_config)
    again = RunResult.from_dict(result.to_dict())
    assert again == result
    job = RunJob(source=FAST, tests=TESTS)
    assert RunJob.from_dict(job.to_dict()) == job
    assert dataclasses.asdict(again.compile) == dataclasses.asdict(result.compile)


def test_long_diagnostics_are_truncated(tmp_path, make_test):
    from apps.benchmarks.engine.config import EngineConfig

    config = EngineConfig(cache_dir=str(tmp_path), diagnostics_limit_bytes=2000)
    source = "int main() {\n" + "".join(f"  int x{i} = undefined{i};\n" for i in range(200)) + "}\n"
    result = run_job(RunJob(source=source, tests=(make_test("", ""),), backend=None), config)
    assert result.status is Status.CE
    assert len(result.compile.diagnostics.encode()) < 2000 + 100
    assert result.compile.diagnostics.endswith("[... diagnostics truncated to 2000 bytes]")
