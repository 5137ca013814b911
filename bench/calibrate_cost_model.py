#!/usr/bin/env python3
"""Derive the cost model's kernel constants from native microbenchmarks (not from fidelity pairs).

cachegrind sees user-mode instructions only. Version 2 of the cost model charges two kernel
costs that it can count deterministically from valgrind's system-call trace:

* a cost per system call (``SYSCALL_CYCLES``): the ``cin``/``endl`` pattern does one 1-byte
  ``write`` per line into the pipe that captures stdout;
* a cost per 4 KiB page of heap growth (``PAGE_CYCLES``): the first touch of every page the
  heap gets from ``brk``/anonymous ``mmap`` is a page fault that also zeroes the page.

Each is measured as the difference between two otherwise identical programs, run natively in
the engine's sandbox with stdout captured (exactly as the wallclock ground truth runs), many
interleaved runs, median CPU time of the whole process tree:

* ``write``: N ``write(1, "x", 1)`` calls  vs  ``loop``: the same loop without the call;
* ``pages``: mmap N anonymous pages and touch one byte in each  vs  ``loop``.

Seconds are turned into model cycles with the model's own scale on this host: a reference
integer program (``ref``: an LCG hash over a 16 KiB table, no syscalls, L1-resident) is timed
natively and its cycles estimated by the cachegrind backend (version-2 model minus kernel
terms), giving seconds per model cycle here. So the kernel costs keep the ratio to user work
that this host shows, whatever its clock.

Usage: python bench/calibrate_cost_model.py [--repeats 21] [--n 200000] [--quick]
Prints the figures and the derived constants; copy them, with the date and command, into
apps/benchmarks/engine/backends/cost_model.py.
"""
from __future__ import annotations

import argparse
import datetime
import sys
import time

from _enginebench import WORK, compile_source, engine_config, progress, test_spec

from apps.benchmarks.engine.backends.cachegrind import CachegrindBackend
from apps.benchmarks.engine.backends.wallclock import WallclockBackend, interleave_programs
from apps.benchmarks.engine.sandbox import Sandbox

PAGE = 4096

_HEAD = """#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>
int main() {
    long n = 0;
    if (std::scanf("%ld", &n) != 1) return 1;
    volatile unsigned long sink = 0;
"""
SOURCES = {
    # The loop with the system call: one 1-byte write per iteration, as endl does per line.
    "write": _HEAD + """    for (long i = 0; i < n; ++i) { sink = sink + i; if (write(1, "x", 1) != 1) return 2; }
    return 0;
}
""",
    # The same loop without it.
    "loop": _HEAD + """    for (long i = 0; i < n; ++i) { sink = sink + i; }
    return 0;
}
""",
    # n fresh anonymous pages, one byte touched in each: n page faults (+ zeroing), 2 syscalls.
    "pages": _HEAD + """    char* p = static_cast<char*>(mmap(nullptr, n * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED) return 3;
    for (long i = 0; i < n; ++i) { p[i * 4096] = 1; sink = sink + i; }
    return 0;
}
""",
    # Reference user-mode work: integer hashing in an L1-resident table, no system calls.
    "ref": _HEAD + """    static unsigned table[4096];
    unsigned long x = 12345;
    for (long i = 0; i < n * 200; ++i) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        table[(x >> 33) & 4095] += static_cast<unsigned>(x >> 17);
    }
    for (unsigned v : table) sink = sink + v;
    return 0;
}
""",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=21, help="interleaved native runs per program")
    parser.add_argument("--n", type=int, default=200_000, help="system calls / pages / reference units per run")
    parser.add_argument("--quick", action="store_true", help="7 repeats, n = 50,000")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.n = 7, 50_000
    started = time.monotonic()
    sandbox, config = Sandbox(), engine_config()
    progs = {}
    for number, (name, source) in enumerate(SOURCES.items()):
        progress(number, len(SOURCES), f"compile {name}")
        progs[name] = compile_source(f"calibrate/{name}", "calibrate", source, sandbox, config)
    progress(len(SOURCES), len(SOURCES), "compiled")
    folder = WORK / "calibrate"
    folder.mkdir(parents=True, exist_ok=True)
    input_path = folder / f"n-{args.n}.txt"
    input_path.write_text(f"{args.n}\n")
    expected = folder / "empty.out"
    expected.write_text("")
    test = test_spec(input_path, expected)

    print(f"native runs: {args.repeats} interleaved, n = {args.n}, each in the sandbox with stdout captured",
          file=sys.stderr)
    wallclock = WallclockBackend(repeats=args.repeats, warmups=2, time_limit_s=60.0)
    names = list(progs)
    stats = dict(zip(names, interleave_programs(wallclock, [progs[n].compiled.binary_path for n in names],
                                                str(input_path)), strict=True))
    cachegrind = CachegrindBackend()
    ref_m = cachegrind.measure(progs["ref"].program, test)
    if not ref_m.success:
        raise SystemExit(f"calibrate/ref: cachegrind failed: {ref_m.error}")
    counts = ref_m.metrics["counts"]
    model = cachegrind.model
    ref_user_cycles = model.user_cycles(counts)

    print(f"calibration {datetime.date.today().isoformat()}: {sys.executable} bench/calibrate_cost_model.py "
          f"--repeats {args.repeats} --n {args.n}  ({time.monotonic() - started:.0f} s)")
    print(f"{'program':<8} {'wall median s':>14} {'cpu median s':>13} {'rel spread':>11}")
    for name in names:
        s = stats[name]
        print(f"{name:<8} {s['median_s']:>14.5f} {s['cpu_median_s']:>13.5f} {s['rel_spread']:>11.2f}")
    # CPU time of the whole tree: less disturbed by other processes than wall time.
    per_syscall_s = (stats["write"]["cpu_median_s"] - stats["loop"]["cpu_median_s"]) / args.n
    per_page_s = (stats["pages"]["cpu_median_s"] - stats["loop"]["cpu_median_s"]) / args.n
    ref_s = stats["ref"]["cpu_median_s"] - stats["loop"]["cpu_median_s"]
    s_per_cycle = ref_s / ref_user_cycles
    print(f"ref: {ref_user_cycles:.4g} model user cycles (Ir {counts.get('Ir', 0):.4g}) in {ref_s:.5f} s CPU "
          f"-> {s_per_cycle * 1e9:.4f} ns per model cycle here ({1 / s_per_cycle / 1e9:.2f} GHz-equivalent)")
    print(f"syscall (1-byte write to the stdout pipe): {per_syscall_s * 1e9:.0f} ns "
          f"-> SYSCALL_CYCLES = {per_syscall_s / s_per_cycle:.0f}")
    print(f"page (first touch of an anonymous 4 KiB page): {per_page_s * 1e9:.0f} ns "
          f"-> PAGE_CYCLES = {per_page_s / s_per_cycle:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
