"""The cachegrind backend: parsing, the cost model, geometry on the command line, determinism."""
from __future__ import annotations

import pytest

from apps.benchmarks.engine.backends import get_backend
from apps.benchmarks.engine.backends.cachegrind import (
    CachegrindError,
    SyscallCounter,
    count_syscall_log,
    counts_to_metrics,
    parse_cachegrind_out,
)
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


# valgrind 3.19 --trace-syscalls=yes output: blocking calls end on a later line ("[async]"),
# valgrind's own messages can cut into a call's line, and failed calls return Failure(...).
SYSCALL_LOG = b"""==7== Cachegrind, a cache and branch-prediction profiler
SYSCALL[7,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000)
SYSCALL[7,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4835000)
SYSCALL[7,1](9) sys_mmap ( 0x0, 16400, 1, 2050, 4, 0 ) --> [pre-success] Success(0x4837000)
SYSCALL[7,1](12) sys_brk ( 0x4056000 ) --> [pre-success] Success(0x4056000)
SYSCALL[7,1](0) sys_read ( 0, 0x4046eb0, 4096 ) --> [async] ...
 --> [async] ... Success(0x3)
SYSCALL[7,1](1) sys_write ( 1, 0x4e83b50, 2 ) --> [async] ...
 --> [async] ... Success(0x2)
SYSCALL[7,1](12) sys_brk ( 0x4854000 )==7== brk segment overflow in thread #1: can't grow to 0x4854000
==7== (see section Limitations in user manual)
 --> [pre-success] Success(0x4056000)
SYSCALL[7,1](9) sys_mmap ( 0x0, 1048576, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x5000000)
SYSCALL[7,1](158) sys_arch_prctl ( 4098, 0x1ffefff600 ) --> [pre-fail] Failure(0x16)
SYSCALL[7,1](231) exit_group( 0 )
"""


def test_syscall_log_counts_calls_and_heap_growth():
    counter = count_syscall_log(SYSCALL_LOG)
    assert counter.syscalls == 10
    # brk 0x4035000 -> 0x4056000, plus the anonymous mmaps (flags 34 = MAP_PRIVATE|MAP_ANONYMOUS)
    # of 8192 and 1 MiB; the file mapping (flags 2050) is not heap.
    assert counter.heap_bytes == (0x4056000 - 0x4035000) + 8192 + 1048576
    assert "brk segment overflow" not in counter.tail and "Cachegrind" in counter.tail


def test_syscall_log_split_anywhere_gives_the_same_counts():
    whole = count_syscall_log(SYSCALL_LOG)
    for size in (1, 7, 64):
        counter = SyscallCounter()
        for start in range(0, len(SYSCALL_LOG), size):
            counter.feed(SYSCALL_LOG[start:start + size])
        counter.close()
        assert (counter.syscalls, counter.heap_bytes) == (whole.syscalls, whole.heap_bytes), size


def test_cost_model_adds_penalties():
    model = CostModel(clock_hz=1e9, base_cpi=0.5, ll_hit_cycles=10, dram_cycles=100, mispredict_cycles=20,
                      syscall_cycles=1000, page_cycles=3000)
    counts = parse_cachegrind_out(SAMPLE)
    # L1 misses 10+20+8 = 38, of which LL misses 5+4+2 = 11; mispredicts 7+1 = 8
    expected = 1000 * 0.5 + (38 - 11) * 10 + 11 * 100 + 8 * 20
    assert model.cycles(counts) == pytest.approx(expected)
    counts.update(syscalls=4, heap_pages=2)
    assert model.user_cycles(counts) == pytest.approx(expected)
    expected += 4 * 1000 + 2 * 3000
    assert model.cycles(counts) == pytest.approx(expected)
    metrics = counts_to_metrics(counts, model)
    assert metrics["estimated_s"] == pytest.approx(expected / 1e9)
    assert metrics["ll_misses"] == 11 and metrics["branch_mispredicts"] == 8
    assert metrics["syscalls"] == 4 and metrics["heap_pages"] == 2


def test_cost_model_is_monotone_in_every_event():
    model = CostModel()
    base = {**parse_cachegrind_out(SAMPLE), "syscalls": 100, "heap_pages": 10}
    for event in ("Ir", "I1mr", "D1mr", "D1mw", "DLmr", "Bcm", "Bim", "syscalls", "heap_pages"):
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
    assert config["cost_model"]["version"] == "2" and config["cost_model"]["syscall_cycles"] > 0
    argv = backend.argv()
    for flag in ("--cache-sim=yes", "--branch-sim=yes", "--I1=32768,8,64", "--LL=8388608,16,64",
                 "--trace-syscalls=yes"):
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
    assert a.metrics["syscalls"] > 0 and a.metrics["syscalls"] == b.metrics["syscalls"]
    assert a.cost_s == b.cost_s
    assert a.metrics["l1d_misses"] > 0 and a.metrics["branch_mispredicts"] > 0


ENDL_LINES = """#include <iostream>
int main() { int n; std::cin >> n; for (int i = 0; i < n; ++i) std::cout << i << std::endl; }
"""


@pytest.mark.slow
def test_each_flushed_line_is_one_counted_system_call(engine_config, make_test):
    """endl flushes: n lines are n write calls, counted exactly, and charged in the estimate."""
    tests = tuple(make_test(f"{n}\n", "".join(f"{i}\n" for i in range(n)), index=k) for k, n in enumerate((50, 150)))
    result = run_job(RunJob(source=ENDL_LINES, tests=tests, exit_early_on_fail=False), engine_config)
    assert result.correct
    few, many = (t.measurement.metrics for t in result.tests)
    assert many["syscalls"] - few["syscalls"] == 100
    model = CostModel()
    extra = many["cycles"] - few["cycles"]
    assert extra >= 100 * model.syscall_cycles
    assert extra == pytest.approx(model.cycles(many["counts"]) - model.cycles(few["counts"]))
