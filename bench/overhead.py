#!/usr/bin/env python3
"""How much slower is measuring under cachegrind than running natively?

For each correct demo program, an input is chosen large enough that the native run is not
dominated by process start: the demo's largest test, or a seeded input generated 4x, 16x, ...
larger until the native run takes at least ``--min-native`` seconds. Then the program runs
natively in the sandbox (median of ``--native-runs`` runs, wall seconds) and under the
cachegrind backend in the same sandbox (median of ``--cg-runs`` runs, wall seconds of the whole
valgrind process, start-up included). Both include the sandbox's own start, so the ratio is the
price a user pays. Prints per program and the median ratio. Target: median <= 30x.

Usage: python bench/overhead.py [--min-native 0.3] [--quick]
"""
from __future__ import annotations

import argparse
import statistics
import time

from _enginebench import (
    compile_source,
    demo_sources,
    engine_config,
    largest_demo_test,
    progress,
    scaled_demo_input,
)

from apps.benchmarks.engine.backends.cachegrind import CachegrindBackend
from apps.benchmarks.engine.job import TestSpec
from apps.benchmarks.engine.sandbox import Bind, Limits, Sandbox

MAX_SCALE = 1024


def native_wall(sandbox: Sandbox, binary: str, input_path: str, runs: int) -> float:
    """Median sandboxed wall time of ``runs`` native runs, seconds."""
    times = []
    for _ in range(runs):
        run = sandbox.run(["/prog/program"], limits=Limits(cpu_time_s=60, wall_time_s=120), stdin_path=input_path,
                          binds=[Bind(binary, "/prog/program")])
        if not run.ok:
            raise SystemExit(f"{binary} failed natively on {input_path}")
        times.append(run.wall_time_s)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-native", type=float, default=0.3, help="smallest native wall time, seconds")
    parser.add_argument("--native-runs", type=int, default=5)
    parser.add_argument("--cg-runs", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="--min-native 0.1, fast programs of 5 problems only")
    args = parser.parse_args()
    sources = demo_sources()
    if args.quick:
        args.min_native = 0.1
        sources = [s for s in sources if s[0].endswith("/fast")][:5]
    config, sandbox, backend = engine_config(), Sandbox(), CachegrindBackend()
    rows = []
    started = time.monotonic()
    for number, (name, problem, source) in enumerate(sources):
        progress(number, len(sources), name)
        prog = compile_source(name, problem, source, sandbox, config)
        binary = prog.compiled.binary_path
        test = largest_demo_test(problem)
        input_path, label = test.input_path, f"demo test {test.index}"
        native = native_wall(sandbox, binary, input_path, args.native_runs)
        scale = 1
        while native < args.min_native and scale < MAX_SCALE:
            scale *= 4
            input_path, label = str(scaled_demo_input(problem, scale)), f"generated x{scale}"
            native = native_wall(sandbox, binary, input_path, args.native_runs)
        spec = TestSpec(0, input_path, input_path, "overhead")
        cg_times = []
        for _ in range(args.cg_runs):
            m = backend.measure(prog.program, spec)
            if not m.success:
                raise SystemExit(f"{name}: cachegrind failed: {m.error}")
            cg_times.append(m.metrics["valgrind_wall_s"])
        cg = statistics.median(cg_times)
        rows.append((name, label, native, cg, cg / native))
    progress(len(sources), len(sources), "done")
    print(f"cachegrind overhead ({time.monotonic() - started:.0f} s; sandboxed wall times, valgrind start-up included)")
    print(f"{'program':<16} {'input':<16} {'native s':>9} {'cachegrind s':>13} {'ratio':>7}")
    for name, label, native, cg, ratio in rows:
        print(f"{name:<16} {label:<16} {native:>9.3f} {cg:>13.2f} {ratio:>6.1f}x")
    median = statistics.median(r[4] for r in rows)
    print(f"median cachegrind/native ratio: {median:.1f}x (target <= 30x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
