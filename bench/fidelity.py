#!/usr/bin/env python3
"""Does the cachegrind cost model rank speedups like real hardware?

Pairs (slow src -> fast tgt):
* the demo dataset's pairs (``demo/pairs``), on each problem's largest demo test;
* human C++ pairs from ``../shared/data-sources/supersonic_codenet_aizu_pairs.jsonl`` (usable ones)
  for the AIZU problems below, whose sample tests are far too small to show a difference. For
  them this script generates seeded large inputs within each problem's constraints; the
  expected output is the tgt program's, and a pair is kept only if src prints the same.

For each pair: cachegrind speedup = src estimated cycles / tgt estimated cycles, and a wallclock
ground truth = src median / tgt median over many interleaved native runs (``--repeats``) in the
sandbox. Prints both per pair, then Spearman's rank correlation (scipy), the median
|log(cachegrind speedup / wallclock speedup)| and the agreement on "tgt >= 1.10x faster".
Target: Spearman >= 0.9. The host's load adds noise to the wallclock side only, so the same
three figures are also printed against the CPU-time speedup of the same native runs (median
user + system CPU time of the program's whole process tree, from runguard): far less sensitive
to competing processes than wall time, and free of the sandbox start-up subtraction that makes
wall times of programs under ~10 ms unreliable. Both are ground truths of the same runs.

Usage: python bench/fidelity.py [--repeats 15] [--quick] [--data ../shared/data-sources]
"""
from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time
from pathlib import Path

from _enginebench import (
    REPO,
    WORK,
    Program,
    check_correct,
    compile_source,
    demo_pairs,
    engine_config,
    expected_for,
    largest_demo_test,
    progress,
    test_spec,
)
from scipy.stats import spearmanr

from apps.benchmarks.engine.backends.cachegrind import CachegrindBackend
from apps.benchmarks.engine.backends.wallclock import WallclockBackend, interleave_programs
from apps.benchmarks.engine.sandbox import Sandbox

DEFAULT_DATA = REPO.parent / "shared" / "data-sources"
THRESHOLD = 1.10


def _acgt(rng: random.Random) -> str:
    return "".join(rng.choice("ACGT") for _ in range(rng.randint(1, 12)))


def gen_p00009(rng: random.Random, scale: float) -> str:
    """Prime Number: up to 30 datasets, 1 <= n <= 999999."""
    return "".join(f"{rng.randint(900_000, 999_999)}\n" for _ in range(30))


def gen_p02269(rng: random.Random, scale: float) -> str:
    """Dictionary: n <= 1e6 commands ``insert s`` / ``find s``, s over ACGT, length <= 12."""
    n = int(400_000 * scale)
    words = [_acgt(rng) for _ in range(n // 4)]
    lines = [f"{'insert' if rng.random() < 0.5 else 'find'} {rng.choice(words)}" for _ in range(n)]
    return f"{n}\n" + "\n".join(lines) + "\n"


def gen_p02270(rng: random.Random, scale: float) -> str:
    """Allocation: n, k <= 1e5, 1 <= w_i <= 1e4."""
    n = 100_000
    return f"{n} {rng.randint(2, 50)}\n" + "".join(f"{rng.randint(1, 10_000)}\n" for _ in range(n))


def gen_p02272(rng: random.Random, scale: float) -> str:
    """Merge Sort: n <= 5e5 integers 0..1e9."""
    n = int(500_000 * min(scale, 1.0))
    return f"{n}\n" + " ".join(str(rng.randint(0, 10**9)) for _ in range(n)) + "\n"


def gen_p02373(rng: random.Random, scale: float) -> str:
    """LCA: a random tree of n <= 1e5 nodes rooted at 0, q <= 1e5 queries."""
    n = q = 100_000
    children: list[list[int]] = [[] for _ in range(n)]
    for node in range(1, n):
        children[rng.randint(max(0, node - 1000), node - 1)].append(node)
    lines = [str(n)] + [" ".join(map(str, [len(c), *c])) for c in children] + [str(q)]
    lines += [f"{rng.randrange(n)} {rng.randrange(n)}" for _ in range(q)]
    return "\n".join(lines) + "\n"


GENERATORS = {"p00009": gen_p00009, "p02269": gen_p02269, "p02270": gen_p02270, "p02272": gen_p02272,
              "p02373": gen_p02373}


def generated_input(problem: str, scale: float) -> Path:
    folder = WORK / "inputs" / problem
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"fidelity-{scale:g}.txt"
    if not path.exists():
        path.write_text(GENERATORS[problem](random.Random(f"fidelity-{problem}-{scale:g}"), scale))
    return path


def _std_flag(row: dict, which: str) -> str:
    cmd = row[f"check_{which}_code"].get("compile_cmd", "")
    std = next((part for part in cmd.split() if part.startswith("-std=")), "-std=c++17")
    return f"{std} -O3"


def build_pairs(data: Path, sandbox: Sandbox, quick: bool) -> list[tuple[str, Program, Program, object]]:
    """(label, src, tgt, test) for every pair whose programs compile and agree."""
    config = engine_config()
    pairs = []
    for problem, slow, fast in demo_pairs():
        demo = REPO / "demo" / "programs" / problem
        src = compile_source(f"{problem}/{slow}", problem, (demo / f"{slow}.cpp").read_text(), sandbox, config)
        tgt = compile_source(f"{problem}/{fast}", problem, (demo / f"{fast}.cpp").read_text(), sandbox, config)
        pairs.append((f"demo {problem} {slow}->{fast}", src, tgt, largest_demo_test(problem)))
    rows = [json.loads(line) for line in (data / "supersonic_codenet_aizu_pairs.jsonl").read_text().splitlines()]
    scale = 0.5 if quick else 1.0
    for row in rows:
        if not row.get("usable") or row.get("language") != "C++" or row["problem_id"] not in GENERATORS:
            continue
        problem = row["problem_id"]
        label = f"aizu {problem} {row['supersonic_submission_id']}"
        try:
            src = compile_source(label + " src", problem, row["src_code"], sandbox, config, _std_flag(row, "src"))
            tgt = compile_source(label + " tgt", problem, row["tgt_code"], sandbox, config, _std_flag(row, "tgt"))
        except SystemExit as exc:
            print(f"skip {label}: {exc}")
            continue
        input_path = generated_input(problem, scale)
        try:
            expected = expected_for(tgt, input_path, sandbox)
        except SystemExit as exc:
            print(f"skip {label}: {exc}")
            continue
        test = test_spec(input_path, expected)
        ok, _ = check_correct(src, test, sandbox)
        if not ok:
            print(f"skip {label}: src and tgt disagree on the generated input")
            continue
        pairs.append((label, src, tgt, test))
    return pairs


def cached_cachegrind(backend: CachegrindBackend, prog: Program, test) -> float:
    """Estimated seconds of ``prog`` on ``test``, kept in the work folder across runs of this script.

    Exact, because the backend is deterministic: the key is (binary hash, test hash, backend config).
    """
    store = WORK / "fidelity-cachegrind.json"
    known = json.loads(store.read_text()) if store.exists() else {}
    key = f"{prog.compiled.binary_sha256}:{test.sha256}:{backend.config_key()}"
    if key not in known:
        m = backend.measure(prog.program, test)
        if not m.success:
            raise SystemExit(f"{prog.name}: cachegrind failed: {m.error}")
        known[key] = m.cost_s
        store.write_text(json.dumps(known))
    return known[key]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15, help="interleaved wallclock runs per program")
    parser.add_argument("--quick", action="store_true", help="5 repeats, half-size generated inputs")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data-sources folder")
    args = parser.parse_args()
    if args.quick:
        args.repeats = 5
    sandbox = Sandbox()
    started = time.monotonic()
    pairs = build_pairs(args.data, sandbox, args.quick)
    cachegrind = CachegrindBackend()
    wallclock = WallclockBackend(repeats=args.repeats, warmups=2, time_limit_s=60.0)
    rows = []
    for number, (label, src, tgt, test) in enumerate(pairs):
        progress(number, len(pairs), label)
        cg = [cached_cachegrind(cachegrind, prog, test) for prog in (src, tgt)]
        walls = interleave_programs(wallclock, [src.compiled.binary_path, tgt.compiled.binary_path], test.input_path)
        wall_speedup = walls[0]["median_s"] / max(walls[1]["median_s"], 1e-6)
        cpu_speedup = walls[0]["cpu_median_s"] / max(walls[1]["cpu_median_s"], 1e-4)
        rows.append((label, cg[0] / cg[1], wall_speedup, walls[0]["median_s"], walls[1]["median_s"],
                     max(w["rel_spread"] for w in walls), cpu_speedup))
    progress(len(pairs), len(pairs), "done")
    print(f"fidelity: {len(rows)} pairs, wallclock {args.repeats} interleaved runs each, "
          f"{time.monotonic() - started:.0f} s")
    print(f"{'pair':<28} {'cachegrind':>10} {'wallclock':>10} {'src s':>8} {'tgt s':>8} {'spread':>7} {'cpu':>8}")
    for label, cgs, ws, src_s, tgt_s, spread, cpus in rows:
        print(f"{label:<28} {cgs:>9.2f}x {ws:>9.2f}x {src_s:>8.4f} {tgt_s:>8.4f} {spread:>7.2f} {cpus:>7.2f}x")
    cg_speedups = [r[1] for r in rows]
    for name, column in (("wall-clock", 2), ("CPU-time", 6)):
        truth = [r[column] for r in rows]
        rho = spearmanr(cg_speedups, truth).statistic
        log_err = statistics.median(abs(math.log(c / w)) for c, w in zip(cg_speedups, truth, strict=True))
        agree = sum((c >= THRESHOLD) == (w >= THRESHOLD) for c, w in zip(cg_speedups, truth, strict=True))
        print(f"vs {name} speedup: Spearman {rho:.3f} (target >= 0.9), median |log(cachegrind / {name})| "
              f"{log_err:.3f}, agreement on '>= {THRESHOLD:.2f}x faster' {agree}/{len(rows)} ({agree / len(rows):.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
