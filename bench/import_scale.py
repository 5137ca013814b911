#!/usr/bin/env python3
"""Import a synthetic PIE-scale dataset into PostgreSQL and print wall time, rows/s and peak RSS.

The dataset has PIE's shape: 1,500 problems with statements, 80 test cases per problem
(120K, some inputs tens of KB) as ``<pid>/input.N.txt|output.N.txt`` in a ``.tar.gz``, and
78K ICLR-format pairs (train/val/test) with C++ programs of ~2 KB each. Contents are
pseudo-random but deterministic (fixed seed), so two runs import the same bytes.

The import runs as ``manage.py import_pie`` in a child process, exactly as an operator runs
it; its peak RSS is the children's ``ru_maxrss`` (KiB on Linux), so the generator's memory in
this process is not counted against it.

Usage:
    python bench/import_scale.py                      # generate into a temp dir, import, clean up
    python bench/import_scale.py --out /tmp/pie-scale --keep   # keep (and reuse) the dataset
    python bench/import_scale.py --reimport           # also time an idempotent second import

Database: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pieweb_bench. That default
database is dropped and recreated on every run; any other database must have empty dataset
tables unless --reset is given (which truncates problems, test cases, pairs and splits).

Other scripts reuse the generator: ``from bench.import_scale import generate``.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pieweb_bench"
FORMAT_VERSION = 1  # bump when the generated layout changes, so a kept --out dir is rebuilt

PROBLEMS = 1_500
TESTS_PER_PROBLEM = 80
SPLITS = {"train": 74_500, "val": 2_500, "test": 1_000}  # 78,000 pairs, PIE-like proportions
TARGET_CODE_CHARS = 2_000

# Byte -> character table turning random bytes into digit/space/newline text quickly.
_DIGITS = bytes((b"0123456789" * 26)[:256])
_TEXT = bytes(b"0123456789 0123456789 0123456789\n"[i % 33] for i in range(256))

_SNIPPETS = [
    "#include <bits/stdc++.h>\n", "#include <cstdio>\n", "#include <iostream>\n", "#include <vector>\n",
    "#include <algorithm>\n", "#include <map>\n", "#include <set>\n", "#include <queue>\n", "#include <string>\n",
    "using namespace std;\n", "typedef long long ll;\n", "#define rep(i, n) for (int i = 0; i < (int)(n); i++)\n",
    "const int MOD = 1000000007;\n", "const ll INF = 1LL << 60;\n",
]
_BODY = [
    "    for (int {i} = 0; {i} < {n}; {i}++) {{\n        {a}[{i}] = {a}[{i}] * {k} % MOD;\n    }}\n",
    "    ll {s} = 0;\n    for (int {i} = 0; {i} < {n}; ++{i}) {s} += {a}[{i}];\n    cout << {s} << endl;\n",
    "    sort({a}.begin(), {a}.end());\n    {a}.erase(unique({a}.begin(), {a}.end()), {a}.end());\n",
    "    map<int, int> {m};\n    for (auto x : {a}) {m}[x]++;\n    int {s} = 0;\n"
    "    for (auto &p : {m}) {s} = max({s}, p.second);\n",
    "    priority_queue<ll> {q};\n    for (int {i} = 0; {i} < {n}; {i}++) {q}.push({a}[{i}]);\n"
    "    while ({q}.size() > {k}) {q}.pop();\n",
    "    vector<vector<ll>> {d}({n} + 1, vector<ll>({k} + 1, 0));\n    {d}[0][0] = 1;\n"
    "    for (int {i} = 1; {i} <= {n}; {i}++)\n        for (int j = 0; j <= {k}; j++)\n"
    "            {d}[{i}][j] = ({d}[{i} - 1][j] + (j ? {d}[{i}][j - 1] : 0)) % MOD;\n",
    "    if ({n} % 2 == 0) {{\n        printf(\"%lld\\n\", (ll){n} * {k});\n    }} else {{\n"
    "        puts(\"No\");\n    }}\n",
    "    string {t};\n    cin >> {t};\n    reverse({t}.begin(), {t}.end());\n    cout << {t} << \"\\n\";\n",
    "    int {i} = 0, {s} = {n};\n    while ({i} < {s}) {{\n        int mid = ({i} + {s}) / 2;\n"
    "        if ({a}[mid] < {k}) {i} = mid + 1; else {s} = mid;\n    }}\n",
]
_NAMES = ["a", "b", "c", "v", "arr", "dp", "cnt", "sum", "ans", "res", "tmp", "x", "y", "z", "buf", "memo", "best"]


def _program(rng: random.Random, target: int) -> str:
    """A C++-looking program of about ``target`` characters (never compiled: the bench times imports)."""
    parts = rng.sample(_SNIPPETS, rng.randint(3, 7))
    parts.append(f"int {rng.choice(_NAMES)}{rng.randint(0, 99)}[{rng.randint(100, 200000)}];\n")
    parts.append("int main() {\n    int n, k;\n    cin >> n >> k;\n    vector<ll> a(n);\n"
                 "    for (auto &e : a) cin >> e;\n")
    size = sum(map(len, parts))
    while size < target:
        names = {key: f"{rng.choice(_NAMES)}{rng.randint(0, 9)}" for key in "ismqdt"}
        block = rng.choice(_BODY).format(n="n", k=rng.randint(1, 1000) if rng.random() < 0.5 else "k", a="a",
                                         **names)
        parts.append(block)
        size += len(block)
    parts.append("    return 0;\n}\n")
    text = "".join(parts)
    return text.replace("\n", "\n\n") if rng.random() < 0.3 else text  # PIE's doubled newlines


def _text(rng: random.Random, size: int, table: bytes = _TEXT) -> bytes:
    return rng.randbytes(size).translate(table) + b"\n"


def _test_sizes(rng: random.Random) -> list[int]:
    """80 input sizes in bytes: mostly tens to hundreds, a few tens of KB (PIE's large generated tests)."""
    sizes = [min(int(rng.lognormvariate(5.0, 1.0)), 8_000) + 4 for _ in range(TESTS_PER_PROBLEM)]
    for index in rng.sample(range(TESTS_PER_PROBLEM), 2):
        sizes[index] = rng.randint(10_000, 64_000)
    return sizes


def generate(out_dir: str | os.PathLike[str], *, seed: int = 0, quiet: bool = False) -> dict[str, Path]:
    """Write the synthetic dataset into ``out_dir`` (reused as is if already complete).

    Returns:
        Paths by role: ``problems`` (csv), ``statements`` (jsonl), ``testcases`` (.tar.gz) and
        ``pairs_train``/``pairs_val``/``pairs_test`` (jsonl).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "problems": out / "problem_list.csv",
        "statements": out / "problem_statements.jsonl",
        "testcases": out / "merged_test_cases.tar.gz",
        **{f"pairs_{name}": out / f"{name}.jsonl" for name in SPLITS},
    }
    marker = out / "COMPLETE.json"
    spec = {"format": FORMAT_VERSION, "seed": seed, "problems": PROBLEMS, "tests": TESTS_PER_PROBLEM,
            "splits": SPLITS}
    if marker.exists() and json.loads(marker.read_text()) == spec and all(p.exists() for p in paths.values()):
        return paths
    marker.unlink(missing_ok=True)
    rng = random.Random(seed)
    pids = [f"p{i:05d}" for i in range(PROBLEMS)]
    say = (lambda *a: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))

    say(f"generating {PROBLEMS} problems and statements ...")
    with open(paths["problems"], "w", newline="") as fh, open(paths["statements"], "w") as st:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "name", "dataset", "time_limit", "memory_limit", "rating", "tags", "complexity"])
        for pid in pids:
            source = "AIZU" if pid < "p02000" and rng.random() < 0.5 else "AtCoder"
            writer.writerow([pid, f"Problem {pid[1:]}", source, rng.choice([1000, 2000, 3000]),
                             rng.choice([131072, 262144, 1048576]), "", "", ""])
            html = (f"<H1>Problem {pid[1:]}</H1>\n<p>" + "Compute the answer. " * rng.randint(20, 120)
                    + "</p>\n<H2>Input</H2>\n<pre>N K</pre>\n")
            st.write(json.dumps({"problem_id": pid, "html": html}) + "\n")

    say(f"generating {PROBLEMS * TESTS_PER_PROBLEM} test cases ...")
    tmp = paths["testcases"].with_suffix(".tmp")
    with gzip.open(tmp, "wb", compresslevel=1) as gz, tarfile.open(fileobj=gz, mode="w|") as tf:
        for pid in pids:
            for index, size in enumerate(_test_sizes(rng)):
                for half, data in (("input", _text(rng, size)), ("output", _text(rng, rng.randint(1, 60), _DIGITS))):
                    info = tarfile.TarInfo(f"merged_test_cases/{pid}/{half}.{index}.txt")
                    info.size = len(data)
                    info.mtime = 0
                    tf.addfile(info, io.BytesIO(data))
    tmp.replace(paths["testcases"])

    number = 100_000_000
    for split, count in SPLITS.items():
        say(f"generating {count} {split} pairs ...")
        with open(paths[f"pairs_{split}"], "w") as fh:
            for _ in range(count):
                number += 2
                pid = pids[min(int(rng.paretovariate(1.2)) - 1, PROBLEMS - 1)] if rng.random() < 0.3 \
                    else rng.choice(pids)
                src_rt = rng.uniform(1e-4, 5e-2)
                speedup = 1.0 + rng.expovariate(0.5)
                reward = rng.random()
                tests = sorted(rng.sample(range(TESTS_PER_PROBLEM), rng.randint(10, TESTS_PER_PROBLEM)))
                length = max(300, int(rng.gauss(TARGET_CODE_CHARS, 700)))
                row = {
                    "src_id": f"s{number:09d}", "tgt_id": f"s{number + 1:09d}", "src_agg_runtime": src_rt,
                    "tgt_agg_runtime": src_rt / speedup, "problem_id": pid, "speedup": speedup,
                    "src_code": _program(rng, length), "tgt_code": _program(rng, int(length * 0.9)),
                    "fastest_agg_runtime": src_rt / speedup / 1.5, "src_status": "Accepted",
                    "tgt_status": "Accepted", "target_reward_updated": reward, "src_reward_updated": reward / 2,
                    "target_reward_updated_pct_bin": max(1, min(10, int(reward * 10) + 1)),
                    "src_reward_updated_pct_bin": max(1, min(10, int(reward * 5) + 1)),
                    "user_id": f"u{rng.randint(0, 10**8):09d}", "tests": tests, "n_tests": len(tests),
                }
                fh.write(json.dumps(row) + "\n")
    marker.write_text(json.dumps(spec))
    return paths


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _prepare_database(url: str, reset: bool) -> None:
    """Create (default db: recreate) the target database, migrate it, and make sure it is empty."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and url == DEFAULT_DB:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    _manage(url, None, "migrate", "--no-input", "-v", "0")
    with psycopg.connect(url, autocommit=True) as conn:
        if reset:
            conn.execute("TRUNCATE problems_pair, problems_testcase, problems_split, problems_problem CASCADE")
        rows = conn.execute("SELECT (SELECT count(*) FROM problems_problem) + (SELECT count(*) FROM problems_pair)")
        if rows.fetchone()[0]:
            sys.exit(f"{name} already holds dataset rows: pass --reset to truncate them, or use another database")


def _manage(url: str, blob_root: Path | None, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    if blob_root is not None:
        env["BLOB_ROOT"] = str(blob_root)
    subprocess.run([sys.executable, str(REPO / "manage.py"), *args], cwd=REPO, env=env, check=True)


def _import(url: str, paths: dict[str, Path], blob_root: Path, *, progress: bool) -> float:
    args = ["import_pie", "--problems", str(paths["problems"]), "--statements", str(paths["statements"]),
            "--testcases", str(paths["testcases"]), "--origin", "merged"]
    for split in SPLITS:
        args += ["--pairs", str(paths[f"pairs_{split}"])]
    if not progress:
        args.append("--no-progress")
    started = time.perf_counter()
    _manage(url, blob_root, *args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="dataset folder (default: a temp dir, removed unless --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the generated dataset and blob store")
    parser.add_argument("--reset", action="store_true", help="truncate the dataset tables of a non-default db")
    parser.add_argument("--reimport", action="store_true", help="also time a second (idempotent) import")
    parser.add_argument("--generate-only", action="store_true", help="write the dataset and stop")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="pie-scale-"))
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    try:
        started = time.perf_counter()
        paths = generate(out)
        gen_s = time.perf_counter() - started
        sizes = {role: path.stat().st_size for role, path in paths.items()}
        print(f"dataset: {out} ({sum(sizes.values()) / 2**20:.0f} MiB on disk, generated/reused in {gen_s:.0f} s)")
        if args.generate_only:
            return
        _prepare_database(url, args.reset)
        blob_root = out / "blobs"
        shutil.rmtree(blob_root, ignore_errors=True)
        progress = not args.no_progress and sys.stderr.isatty()
        wall = _import(url, paths, blob_root, progress=progress)
        rows = PROBLEMS + PROBLEMS * TESTS_PER_PROBLEM + sum(SPLITS.values())
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        children_kib = children.ru_maxrss
        cpu_s = children.ru_utime + children.ru_stime
        self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"import: {PROBLEMS} problems + {PROBLEMS * TESTS_PER_PROBLEM} test cases + "
              f"{sum(SPLITS.values())} pairs = {rows} rows")
        print(f"wall time: {wall:.1f} s  ({rows / wall:,.0f} rows/s; pairs file "
              f"{sum(v for k, v in sizes.items() if k.startswith('pairs')) / 2**20 / wall:.1f} MiB/s)")
        print(f"import_pie CPU time: {cpu_s:.1f} s (user+sys of the client; PostgreSQL's own work is not in it)")
        print(f"peak RSS: import_pie {children_kib / 1024:.0f} MiB, this script {self_kib / 1024:.0f} MiB "
              f"(target: < 300 s and < 1024 MiB)")
        if args.reimport:
            again = _import(url, paths, blob_root, progress=progress)
            print(f"re-import (idempotent, updates in place): {again:.1f} s ({rows / again:,.0f} rows/s)")
    finally:
        if args.out is None and not args.keep:
            shutil.rmtree(out, ignore_errors=True)
        elif args.keep or args.out:
            print(f"kept: {out}")


if __name__ == "__main__":
    main()
