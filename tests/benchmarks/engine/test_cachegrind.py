"""The cachegrind backend: parsing, the cost model, geometry on the command line, determinism."""
from __future__ import annotations

import pytest

from apps.benchmarks.engine.backends import get_backend
from apps.benchmarks.engine.backends.cachegrind import CachegrindError, counts_to_metrics, parse_cachegrind_out
from apps.benchmarks.engine.backends.cost_model import CostModel
from apps.benchmarks.engine.job import BackendSpec, RunJob
from apps.benchmarks.engine.runner import run_job

from .conftest import DEMO, demo_test

SAMPLE = """desc: I1 cache:         32768 B, 64 B, 8-way associative
cmd: /prog/program
events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw Bc Bcm Bi Bim
fl=a.c
fn=main
1 10 1 1 5 2 1 3 1 0 2 1 0 0
summary: 1000 10 5 300 20 4 200 8 2 100 7 3 1
"""


def test_parse_uses_the_summary_line():
    counts = parse_cachegrind_out(SAMPLE)
    assert counts["Ir"] == 1000 and counts["DLmw"] == 2 and counts["Bim"] == 1


def test_parse_sums_lines_without_summary():
    counts = parse_cachegrind_out(SAMPLE.rsplit("summary", 1)[0])
    assert counts["Ir"] == 10 and counts["Bc"] == 2


def test_parse_rejects_other_files():
    with pytest.raises(CachegrindError):
        parse_cachegrind_out("hello\n")


def test_cost_model_adds_penalties():
    model = CostModel(clock_hz=1e9, base_cpi=0.5, ll_hit_cycles=10, dram_cycles=100, mispredict_cycles=20)
    counts = parse_cachegrind_out(SAMPLE)
    # L1 misses 10+20+8 = 38, of which LL misses 5+4+2 = 11; mispredicts 7+1 = 8
    expected = 1000 * 0.5 + (38 - 11) * 10 + 11 * 100 + 8 * 20
    assert model.cycles(counts) == pytest.approx(expected)
    metrics = counts_to_metrics(counts, model)
    assert metrics["estimated_s"] == pytest.approx(expected / 1e9)
    assert metrics["ll_misses"] == 11 and metrics["branch_mispredicts"] == 8


def test_cost_model_is_monotone_in_every_event():
    model = CostModel()
    base = parse_cachegrind_out(SAMPLE)
    for event in ("Ir", "I1mr", "D1mr", "D1mw", "DLmr", "Bcm", "Bim"):
        more = dict(base)
        more[event] += 1
        assert model.cycles(more) > model.cycles(base), event


def test_backend_is_labelled_with_geometry_and_model():
    backend = get_backend("cachegrind")
    assert backend.config() == get_backend(BackendSpec("cachegrind", {})).config()
    config = backend.config()
    assert config["I1"] == "32768,8,64" and config["D1"] == "32768,8,64" and config["LL"] == "8388608,16,64"
    assert config["cost_model"]["clock_hz"] == 3.5e9
    assert "x86_rep_movsb_threshold" in config["glibc_tunables"]
    argv = backend.argv()
    for flag in ("--cache-sim=yes", "--branch-sim=yes", "--I1=32768,8,64", "--LL=8388608,16,64"):
        assert flag in argv
    assert backend.deterministic


@pytest.mark.slow
def test_same_binary_and_input_give_identical_figures(engine_config):
    source = (DEMO / "programs" / "p90002" / "fast.cpp").read_text()
    tests = (demo_test("p90002", 1),)
    first = run_job(RunJob(source=source, tests=tests), engine_config)
    second = run_job(RunJob(source=source, tests=tests), engine_config)
    assert first.correct and second.correct
    a, b = first.tests[0].measurement, second.tests[0].measurement
    assert not b.cached
    assert a.metrics["counts"] == b.metrics["counts"]
    assert a.cost_s == b.cost_s
    assert a.metrics["l1d_misses"] > 0 and a.metrics["branch_mispredicts"] > 0
