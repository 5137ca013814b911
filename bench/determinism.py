#!/usr/bin/env python3
"""Is the cachegrind backend deterministic? Same binary + same input => the same estimated cycles.

Each demo program (``demo/programs/*/*.cpp``, the "wrong" ones too: counts need no correct
answer) is measured N times on one of its demo tests on a quiet machine, then N more times
while busy processes load every core. The script prints each program's estimated cycles and
the largest relative difference between any two of its 2N measurements. Target: exactly 0.

Usage: python bench/determinism.py [--runs 5] [--test second-largest|INDEX] [--quick]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from _enginebench import Program, compile_source, demo_sources, demo_test, engine_config, progress

from apps.benchmarks.engine.backends.cachegrind import CachegrindBackend
from apps.benchmarks.engine.sandbox import Sandbox


def pick_test(problem: str, which: str):
    from _enginebench import DEMO

    count = len(list((DEMO / "test_cases" / problem).glob("input.*.txt")))
    index = count - 2 if which == "second-largest" else int(which)
    return demo_test(problem, index)


def start_load() -> list[subprocess.Popen]:
    """One spinning process per CPU, so that every measurement competes for a core."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]


def stop_load(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.kill()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="measurements per program per phase (quiet, loaded)")
    parser.add_argument("--test", default="second-largest", help="demo test index, or 'second-largest'")
    parser.add_argument("--quick", action="store_true", help="3 runs per phase on demo test 3")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.test = 3, "3"
    config = engine_config()
    sandbox = Sandbox()
    backend = CachegrindBackend()
    programs: list[Program] = [compile_source(n, p, s, sandbox, config) for n, p, s in demo_sources(include_wrong=True)]
    figures: dict[str, list[float]] = {p.name: [] for p in programs}
    counts: dict[str, list[dict]] = {p.name: [] for p in programs}
    total = 2 * args.runs * len(programs)
    done = 0
    started = time.monotonic()
    for phase in ("quiet", "loaded"):
        load = start_load() if phase == "loaded" else []
        try:
            for _ in range(args.runs):
                for prog in programs:  # interleaved: every program sees the same load history
                    m = backend.measure(prog.program, pick_test(prog.problem, args.test))
                    if not m.success:
                        raise SystemExit(f"{prog.name}: measurement failed: {m.error}")
                    figures[prog.name].append(m.metrics["cycles"])
                    counts[prog.name].append(m.metrics["counts"])
                    done += 1
                    progress(done, total, f"{phase} {prog.name}")
        finally:
            stop_load(load)
    print(f"cachegrind determinism: {len(programs)} programs x {args.runs} quiet + {args.runs} loaded runs "
          f"(test {args.test}), {time.monotonic() - started:.0f} s")
    print(f"{'program':<16} {'est. cycles':>15} {'max rel diff':>13} {'counts identical':>17}")
    worst = 0.0
    for name, values in figures.items():
        rel = (max(values) - min(values)) / min(values)
        worst = max(worst, rel)
        same = all(c == counts[name][0] for c in counts[name])
        print(f"{name:<16} {values[0]:>15.0f} {rel:>13.3g} {str(same):>17}")
    print(f"largest relative difference in estimated cycles: {worst:.3g} (target 0)")
    return 0 if worst == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
