#!/usr/bin/env python3
"""Build pieweb's demo dataset in PIE's file formats (see demo/README.md).

Deterministic: every input comes from ``random.Random(seed)`` with a fixed seed per test, and
every expected output is produced by compiling the problem's reference solution
(``programs/<pid>/fast.cpp``) with ``g++ -std=c++17 -O3`` and running it. Then every slow,
fast and "fast but wrong" program is compiled, run on every test and checked; the run fails
if a correct program gives a wrong answer or a wrong one passes everything. The only
non-deterministic figures are the wall-clock runtimes written into ``pairs/*.jsonl``.

Usage: python demo/generate.py [--repeat N]   (needs g++; takes about a minute)
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEMO = Path(__file__).resolve().parent
PROGRAMS = DEMO / "programs"
CXX = ["g++", "-std=c++17", "-O3"]


# --- input generators: each returns the text of one input file ----------------------------

def gen_pair_sum(rng: random.Random, n: int, k: int, spread: int) -> str:
    values = [k // 2 + rng.randint(-spread, spread) for _ in range(n)]
    return f"{n} {k}\n{' '.join(map(str, values))}\n"


def gen_staircase(rng: random.Random, q: int, top: int) -> str:
    return f"{q}\n" + "".join(f"{rng.randint(0, top)}\n" for _ in range(q))


def gen_multiples(rng: random.Random, q: int, max_n: int, max_k: int) -> str:
    rows = [f"{rng.randint(max_n // 2, max_n)} {rng.randint(1, max_k)}" for _ in range(q)]
    return f"{q}\n" + "\n".join(rows) + "\n"


def gen_numbers(rng: random.Random, n: int, high: int, low: int = 0) -> str:
    return f"{n}\n" + " ".join(str(rng.randint(low, high)) for _ in range(n)) + "\n"


def gen_lines(rng: random.Random, n: int, high: int) -> str:
    return f"{n}\n" + "".join(f"{rng.randint(-high, high)}\n" for _ in range(n))


def gen_range_sums(rng: random.Random, n: int, q: int, high: int) -> str:
    values = " ".join(str(rng.randint(-high, high)) for _ in range(n))
    queries = []
    for _ in range(q):
        left = rng.randint(1, n)
        queries.append(f"{left} {rng.randint(left, n)}")
    return f"{n} {q}\n{values}\n" + "\n".join(queries) + "\n"


def gen_membership(rng: random.Random, n: int, q: int, high: int) -> str:
    values = [rng.randint(0, high) for _ in range(n)]
    queries = [rng.choice(values) if rng.random() < 0.3 else rng.randint(0, high) for _ in range(q)]
    return f"{n} {q}\n{' '.join(map(str, values))}\n" + "\n".join(map(str, queries)) + "\n"


def gen_letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n)) + "\n"


def gen_permutation(rng: random.Random, n: int) -> str:
    values = list(range(1, n + 1))
    rng.shuffle(values)
    return f"{n}\n{' '.join(map(str, values))}\n"


@dataclass(frozen=True)
class Problem:
    id: str
    name: str
    time_limit_ms: int
    memory_limit_kb: int
    statement: str
    tests: list  # (seed, generator, kwargs) or a literal input string


PROBLEMS = [
    Problem("p90001", "Pair Sum", 2000, 262144,
            "Given <var>n</var> integers and a target <var>K</var>, count the pairs <var>i &lt; j</var> with "
            "<var>a<sub>i</sub> + a<sub>j</sub> = K</var>.<h3>Input</h3><p><var>n K</var> on the first line "
            "(1 &le; n &le; 20000, 0 &le; K &le; 4&times;10<sup>9</sup>), then <var>a<sub>1</sub> &hellip; "
            "a<sub>n</sub></var> (0 &le; a<sub>i</sub> &le; 2&times;10<sup>9</sup>).</p><h3>Output</h3>"
            "<p>The number of pairs.</p>",
            ["5 6\n1 5 3 3 2\n", "4 10\n1 2 3 4\n"]
            + [(s, gen_pair_sum, dict(n=50 + s * 40, k=100 + s, spread=20)) for s in range(1, 5)]
            + [(11, gen_pair_sum, dict(n=3000, k=2_000_000, spread=3000)),
               (12, gen_pair_sum, dict(n=20000, k=3_000_000_000, spread=1500))]),
    Problem("p90002", "Staircase", 2000, 262144,
            "A staircase has <var>n</var> steps and you climb 1, 2 or 3 steps at a time. For each query "
            "print the number of different ways to reach the top.<h3>Input</h3><p><var>q</var>, then "
            "<var>q</var> lines with <var>n</var> (0 &le; n &le; 27, q &le; 20).</p><h3>Output</h3>"
            "<p>One count per line.</p>",
            ["3\n1\n3\n4\n", "1\n0\n"]
            + [(s, gen_staircase, dict(q=5, top=10 + s)) for s in range(1, 5)]
            + [(21, gen_staircase, dict(q=10, top=22)), (22, gen_staircase, dict(q=12, top=27))]),
    Problem("p90003", "Sum of Multiples", 2000, 262144,
            "For each query <var>(n, k)</var> print the sum of all positive multiples of <var>k</var> that do "
            "not exceed <var>n</var>.<h3>Input</h3><p><var>q</var> (q &le; 60), then <var>q</var> lines "
            "<var>n k</var> (1 &le; n &le; 10<sup>6</sup>, 1 &le; k &le; n).</p><h3>Output</h3><p>One sum "
            "per line (it may exceed 2<sup>31</sup>).</p>",
            ["2\n10 3\n7 7\n", "1\n1 1\n"]
            + [(s, gen_multiples, dict(q=10, max_n=100 * s, max_k=5)) for s in range(1, 5)]
            + [(31, gen_multiples, dict(q=30, max_n=60000, max_k=9)),
               (32, gen_multiples, dict(q=60, max_n=1_000_000, max_k=4))]),
    Problem("p90004", "Double Them", 2000, 262144,
            "Print twice each of the given integers, one per line.<h3>Input</h3><p><var>n</var> "
            "(n &le; 10<sup>5</sup>), then <var>n</var> lines with |a<sub>i</sub>| &le; 10<sup>9</sup>.</p>"
            "<h3>Output</h3><p><var>n</var> lines with 2a<sub>i</sub>.</p>",
            ["3\n1\n-2\n3\n"]
            + [(s, gen_lines, dict(n=20 * s, high=10 ** 9)) for s in range(1, 5)]
            + [(41, gen_lines, dict(n=10000, high=10 ** 9)), (42, gen_lines, dict(n=100000, high=10 ** 9))]),
    Problem("p90005", "Range Sums", 2000, 262144,
            "Given an array and <var>q</var> queries <var>l r</var>, print "
            "<var>a<sub>l</sub> + &hellip; + a<sub>r</sub></var> for each.<h3>Input</h3><p><var>n q</var> "
            "(n &le; 10<sup>5</sup>, q &le; 2&times;10<sup>4</sup>), the array (|a<sub>i</sub>| &le; "
            "10<sup>9</sup>), then <var>q</var> lines <var>l r</var> (1 &le; l &le; r &le; n).</p>"
            "<h3>Output</h3><p>One sum per line.</p>",
            ["5 3\n1 2 3 4 5\n1 5\n2 3\n4 4\n"]
            + [(s, gen_range_sums, dict(n=30 * s, q=20, high=1000)) for s in range(1, 5)]
            + [(51, gen_range_sums, dict(n=10000, q=2000, high=10 ** 9)),
               (52, gen_range_sums, dict(n=100000, q=20000, high=10 ** 9))]),
    Problem("p90006", "Distinct Values", 2000, 262144,
            "Count the distinct values among <var>n</var> integers.<h3>Input</h3><p><var>n</var> "
            "(n &le; 2&times;10<sup>5</sup>), then the integers (0 &le; a<sub>i</sub> &le; "
            "10<sup>9</sup>).</p><h3>Output</h3><p>The number of distinct values.</p>",
            ["6\n3 1 3 2 1 7\n", "1\n0\n"]
            + [(s, gen_numbers, dict(n=40 * s, high=50 * s)) for s in range(1, 5)]
            + [(61, gen_numbers, dict(n=20000, high=999_999)),
               (62, gen_numbers, dict(n=200000, high=10 ** 9))]),
    Problem("p90007", "Most Frequent", 2000, 262144,
            "Find the value that occurs most often (the smallest one on a tie) and how often it occurs."
            "<h3>Input</h3><p><var>n</var> (n &le; 2&times;10<sup>5</sup>), then the integers "
            "(0 &le; a<sub>i</sub> &lt; 10<sup>6</sup>).</p><h3>Output</h3><p><var>value count</var>.</p>",
            ["7\n5 3 5 1 3 5 9\n"]
            + [(s, gen_numbers, dict(n=30 * s, high=10 * s)) for s in range(1, 5)]
            + [(71, gen_numbers, dict(n=20000, high=999_999)),
               (72, gen_numbers, dict(n=200000, high=999_999))]),
    Problem("p90008", "Membership", 2000, 262144,
            "Answer whether each queried value occurs in the list.<h3>Input</h3><p><var>n q</var> "
            "(n &le; 5&times;10<sup>4</sup>, q &le; 5000), the list (0 &le; a<sub>i</sub> &le; "
            "10<sup>9</sup>), then <var>q</var> lines with a value.</p><h3>Output</h3><p><code>yes</code> "
            "or <code>no</code> per query.</p>",
            ["4 3\n5 1 9 3\n9\n2\n5\n"]
            + [(s, gen_membership, dict(n=25 * s, q=10 * s, high=200)) for s in range(1, 5)]
            + [(81, gen_membership, dict(n=5000, q=1000, high=10 ** 9)),
               (82, gen_membership, dict(n=50000, q=5000, high=10 ** 9))]),
    Problem("p90009", "Strip Vowels", 2000, 262144,
            "Remove the vowels a, e, i, o and u from a word.<h3>Input</h3><p>One word of lowercase letters "
            "(length &le; 6&times;10<sup>4</sup>) containing at least one consonant.</p><h3>Output</h3>"
            "<p>The word without its vowels.</p>",
            ["programming\n", "queue\n"]
            + [(s, gen_letters, dict(n=20 * s)) for s in range(1, 5)]
            + [(91, gen_letters, dict(n=5000)), (92, gen_letters, dict(n=60000))]),
    Problem("p90010", "Inversions", 2000, 262144,
            "Count the pairs <var>i &lt; j</var> with <var>a<sub>i</sub> &gt; a<sub>j</sub></var>."
            "<h3>Input</h3><p><var>n</var> (n &le; 2&times;10<sup>4</sup>), then the integers "
            "(0 &le; a<sub>i</sub> &le; 10<sup>9</sup>; values may repeat).</p><h3>Output</h3>"
            "<p>The number of inversions.</p>",
            ["5\n2 4 1 3 5\n", "3\n3 2 1\n"]
            + [(s, gen_permutation, dict(n=30 * s)) for s in range(1, 5)]
            + [(101, gen_permutation, dict(n=3000)), (102, gen_numbers, dict(n=20000, high=1000))]),
]

# (problem, slow program, fast program, split, CodeNet-like ids, edit kind)
PAIRS = [
    ("p90001", "slow", "fast", "train", "algorithmic: O(n^2) pair scan -> sort + binary search"),
    ("p90002", "slow", "fast", "train", "algorithmic: exponential recursion -> bottom-up DP"),
    ("p90004", "slow", "fast", "train", "I/O: cin/endl -> scanf/printf"),
    ("p90005", "slow", "fast", "train", "algorithmic: per-query loop -> prefix sums"),
    ("p90006", "slow", "fast", "train", "data structure: std::set -> sort + unique"),
    ("p90007", "slow", "fast", "train", "data structure: std::map -> counting array"),
    ("p90004", "slow", "fast2", "val", "I/O: endl + synced iostream -> sync_with_stdio(false) + '\\n'"),
    ("p90009", "slow", "fast", "val", "memory: s = s + c copies -> reserve + append"),
    ("p90003", "slow", "fast", "test", "algorithmic: brute force -> closed form"),
    ("p90008", "slow", "fast", "test", "data structure: linear search -> unordered_set"),
    ("p90010", "slow", "fast", "test", "algorithmic: O(n^2) pair scan -> merge sort"),
]


def outputs_match(actual: bytes, expected: bytes) -> bool:
    """Whitespace-insensitive comparison (PIE strips and compares line by line)."""
    return actual.split() == expected.split()


def compile_program(source: Path, build: Path) -> Path:
    binary = build / f"{source.parent.name}-{source.stem}"
    subprocess.run([*CXX, str(source), "-o", str(binary)], check=True)
    return binary


def run(binary: Path, input_path: Path) -> tuple[bytes, float]:
    """Run once natively; return (stdout, wall seconds)."""
    with open(input_path, "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.run([str(binary)], stdin=stdin, capture_output=True, timeout=30)
        elapsed = time.perf_counter() - start
    return (proc.stdout if proc.returncode == 0 else b"<RE %d>" % proc.returncode), elapsed


def write_tests(problem: Problem, reference: Path) -> list[tuple[Path, Path]]:
    folder = DEMO / "test_cases" / problem.id
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    files = []
    for index, spec in enumerate(problem.tests):
        if isinstance(spec, str):
            text = spec
        else:
            seed, generator, kwargs = spec
            text = generator(random.Random(seed * 7919 + int(problem.id[1:])), **kwargs)
        input_path = folder / f"input.{index}.txt"
        input_path.write_text(text)
        output, _ = run(reference, input_path)
        if output.startswith(b"<RE"):
            raise SystemExit(f"{reference} crashed on {input_path}")
        output_path = folder / f"output.{index}.txt"
        output_path.write_bytes(output)
        files.append((input_path, output_path))
    return files


def measure(binary: Path, tests: list[tuple[Path, Path]], repeat: int) -> tuple[bool, float, float]:
    """(all correct, sum over tests of min-of-repeat wall seconds, wall seconds on the largest test)."""
    total = 0.0
    largest = max(tests, key=lambda t: t[0].stat().st_size)
    largest_s = 0.0
    correct = True
    for input_path, output_path in tests:
        best = math.inf
        for _ in range(repeat):
            out, elapsed = run(binary, input_path)
            correct &= outputs_match(out, output_path.read_bytes())
            best = min(best, elapsed)
        total += best
        if input_path == largest[0]:
            largest_s = best
    return correct, total, largest_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs per test; the minimum wall time is kept")
    args = parser.parse_args()

    with open(DEMO / "problem_list.csv", "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "name", "dataset", "time_limit", "memory_limit", "rating", "tags", "complexity"])
        for p in PROBLEMS:
            writer.writerow([p.id, p.name, "demo", p.time_limit_ms, p.memory_limit_kb, "", "", ""])
    with open(DEMO / "statements.jsonl", "w") as fh:
        for p in PROBLEMS:
            html = f"<H1>{p.name}</H1>\n<p>{p.statement}"
            fh.write(json.dumps({"problem_id": p.id, "html": html}) + "\n")

    by_id = {p.id: p for p in PROBLEMS}
    report = []
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp)
        tests = {p.id: write_tests(p, compile_program(PROGRAMS / p.id / "fast.cpp", build)) for p in PROBLEMS}
        timing: dict[tuple[str, str], tuple[float, float]] = {}
        for pid in by_id:
            for source in sorted((PROGRAMS / pid).glob("*.cpp")):
                correct, total, largest = measure(compile_program(source, build), tests[pid], args.repeat)
                expect_correct = source.stem != "wrong"
                if correct != expect_correct:
                    raise SystemExit(f"{source}: expected {'correct' if expect_correct else 'a failure'}")
                timing[(pid, source.stem)] = (total, largest)
                report.append(f"{pid} {source.stem:6} correct={correct!s:5} total={total:.4f}s largest={largest:.4f}s")

    rows: dict[str, list[dict]] = {"train": [], "val": [], "test": []}
    for number, (pid, slow, fast, split, kind) in enumerate(PAIRS, start=1):
        src_total, tgt_total = timing[(pid, slow)][0], timing[(pid, fast)][0]
        fastest = min(t for (p, name), (t, _) in timing.items() if p == pid and name != "wrong")
        reward = fastest / tgt_total
        row = {
            "src_id": f"s9{number:04d}0001", "tgt_id": f"s9{number:04d}0002",
            "problem_id": pid, "user_id": f"u9{number:05d}",
            "src_code": (PROGRAMS / pid / f"{slow}.cpp").read_text(),
            "tgt_code": (PROGRAMS / pid / f"{fast}.cpp").read_text(),
            "src_agg_runtime": round(src_total, 6), "tgt_agg_runtime": round(tgt_total, 6),
            "speedup": round(src_total / tgt_total, 4),
            "fastest_agg_runtime": round(fastest, 6),
            "target_reward_updated": round(reward, 4),
            "target_reward_updated_pct_bin": max(1, min(10, math.ceil(reward * 10))),
            "tests": list(range(len(tests[pid]))), "n_tests": len(tests[pid]),
            "runtime_backend": "wallclock-native",
            "edit_kind": kind,
        }
        wrong = PROGRAMS / pid / "wrong.cpp"
        if wrong.exists():
            row["fast_wrong_code"] = wrong.read_text()
        rows[split].append(row)
    (DEMO / "pairs").mkdir(exist_ok=True)
    for split, split_rows in rows.items():
        with open(DEMO / "pairs" / f"{split}.jsonl", "w") as fh:
            for row in split_rows:
                fh.write(json.dumps(row) + "\n")
    print("\n".join(report))
    for pid, slow, fast, *_ in PAIRS:
        ratio = timing[(pid, slow)][1] / timing[(pid, fast)][1]
        print(f"{pid} {slow}->{fast}: largest test {timing[(pid, slow)][1]:.4f}s -> {timing[(pid, fast)][1]:.4f}s "
              f"({ratio:.1f}x)", file=sys.stderr)


if __name__ == "__main__":
    main()
