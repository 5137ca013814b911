#!/usr/bin/env python3
"""Latency of the dataset pages at PIE scale, under concurrent load on loopback.

Loads the synthetic PIE-scale dataset of ``bench/import_scale.py`` (78K pairs, 1,500 problems,
120K test cases) into PostgreSQL through ``manage.py import_pie``, starts gunicorn on
127.0.0.1, and drives it with ``wrk`` (or, without wrk, a bounded Python client) at 8
concurrent connections. Each page group gets its own timed run over several URLs (filters,
problems, pairs), and the script prints requests, req/s, p50/p95/p99 latency (milliseconds)
and errors per group, twice: as anonymous readers (served by the page cache of
apps/problems/pagecache.py) and with a session cookie (every page rendered from the database). Target: p95 < 150 ms for the overview, the problem list, a problem page
and a pair page.

Usage:
    python bench/browse_latency.py                     # load if needed, then measure
    python bench/browse_latency.py --duration 20 --connections 8 --workers 5
    python bench/browse_latency.py --reload            # drop and re-import the dataset first

Database: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pieweb_bench_browse (kept
between runs; import_scale.py recreates its own pieweb_bench on every run, so this script uses
another database). The dataset files live in --data (default /tmp/pie-scale; an existing complete
folder, e.g. import_scale.py's --out, is reused as is) and the imported blobs in --blobs.
CACHE_URL (e.g. redis://127.0.0.1:6379/7) makes gunicorn's workers share one cache; without it
each worker warms its own in-process cache during the warm-up pass.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pieweb_bench_browse"
TARGET_P95_MS = 150.0
TARGET_GROUPS = ("overview", "problem list", "problem page", "pair page")

WRK_SCRIPT = r"""
-- Rotate over the group's paths; print one JSON line of figures (microseconds) when done.
local paths = {%s}
local cookie = %s
local counter = 0
request = function()
  counter = counter + 1
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, '
    .. '"errors": %%d}\n', summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout + e.status))
end
"""


# --------------------------------------------------------------------------- database and data
def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _manage(url: str, env_extra: dict[str, str], *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, **env_extra}
    subprocess.run([sys.executable, str(REPO / "manage.py"), *args], cwd=REPO, env=env, check=True)


def _pair_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM problems_pair").fetchone()[0]
    except psycopg.Error:
        return -1


def ensure_dataset(url: str, data_dir: Path, blob_root: Path, *, reload: bool) -> None:
    """Create, migrate and fill the database unless it already holds the full dataset."""
    import psycopg

    from bench.import_scale import SPLITS, generate

    expected = sum(SPLITS.values())
    if not reload and _pair_count(url) == expected:
        print(f"dataset: reusing {expected:,} pairs in {urlsplit(url).path.lstrip('/')}")
        return
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _manage(url, {}, "migrate", "--no-input", "-v", "0")
    started = time.perf_counter()
    paths = generate(data_dir)
    print(f"dataset: generated/reused in {time.perf_counter() - started:.0f} s at {data_dir}")
    shutil.rmtree(blob_root, ignore_errors=True)
    args = ["import_pie", "--problems", str(paths["problems"]), "--statements", str(paths["statements"]),
            "--testcases", str(paths["testcases"]), "--origin", "merged", "--no-progress"]
    for split in SPLITS:
        args += ["--pairs", str(paths[f"pairs_{split}"])]
    started = time.perf_counter()
    _manage(url, {"BLOB_ROOT": str(blob_root)}, *args)
    print(f"import: {time.perf_counter() - started:.0f} s (includes the search indexes' upkeep)")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def sample_urls(url: str, *, seed: int = 0) -> dict[str, list[str]]:
    """The URLs of each page group, drawn from the loaded data (fixed seed: same URLs every run)."""
    import psycopg

    rng = random.Random(seed)
    with psycopg.connect(url, autocommit=True) as conn:
        problems = [r[0] for r in conn.execute("SELECT id FROM problems_problem ORDER BY id")]
        biggest = conn.execute("SELECT id FROM problems_problem ORDER BY pair_count DESC LIMIT 1").fetchone()[0]
        max_pair = conn.execute("SELECT max(id) FROM problems_pair").fetchone()[0]
        pair_ids = [r[0] for r in conn.execute(
            "SELECT id FROM problems_pair WHERE id = ANY(%s)", [rng.sample(range(1, max_pair + 1), 200)])][:50]
        splits = [r[0] for r in conn.execute("SELECT name FROM problems_split ORDER BY name")]
    split = "test" if "test" in splits else (splits[0] if splits else "")
    return {
        "overview": ["/"],
        "problem list": [
            "/problems/",
            "/problems/?sort=-best_speedup",
            "/problems/?source=AtCoder&sort=-median_speedup",
            f"/problems/?split={split}&min_pairs=10",
            f"/problems/?split={split}&sort=-pairs&page=2",
            "/problems/?min_tests=50&max_pairs=100&sort=-tests&page=3",
            "/problems/?q=Problem%2001&per_page=100",
            f"/problems/?q={problems[len(problems) // 2]}",
        ],
        "problem page": [f"/problems/{pid}/" for pid in rng.sample(problems, 29)] + [f"/problems/{biggest}/"],
        "pair page": [f"/pairs/{pk}/" for pk in pair_ids],
        # Reported for information; not part of the latency targets.
        "pair list (code search)": ["/pairs/?code=priority_queue", "/pairs/?code=scanf&split=" + split],
        "site search": ["/search/?q=compute+answer", "/search/?q=priority_queue&scope=code"],
    }


# --------------------------------------------------------------------------- server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, *, workers: int, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "pieweb.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--timeout", "120", "--log-level", "warning"],
        cwd=REPO, env=env, start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/problems/?per_page=10", timeout=30).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited during start-up") from None
            time.sleep(0.5)
    stop(proc)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- load generators
def run_wrk(base: str, paths: list[str], *, connections: int, duration: int, cookie: str = "") -> dict[str, float]:
    quoted = ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT % (quoted, json.dumps(cookie)))
        script = fh.name
    try:
        out = subprocess.run(
            ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
             "-s", script, base],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script)
    figures = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"], "rps": figures["requests"] / seconds,
        "p50": figures["p50"] / 1000, "p95": figures["p95"] / 1000, "p99": figures["p99"] / 1000,
        "max": figures["max"] / 1000, "errors": figures["errors"],
    }


def run_python(base: str, paths: list[str], *, connections: int, duration: int, cookie: str = "") -> dict[str, float]:
    """A bounded client: ``connections`` threads, each with one request in flight at a time."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def worker(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                req = urllib.request.Request(base + paths[i % len(paths)], headers={"Cookie": cookie} if cookie else {})
                with urllib.request.urlopen(req, timeout=10) as r:
                    r.read()
                    ok = r.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1
            i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"requests": len(latencies), "rps": len(latencies) / seconds, "p50": q[49], "p95": q[94], "p99": q[98],
            "max": max(latencies, default=0.0), "errors": errors}


def warm(base: str, paths: list[str], *, cookie: str = "") -> None:
    """Request every path once (fills the page cache for anonymous runs; fails on non-200)."""
    for path in paths:
        req = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
        with urllib.request.urlopen(req, timeout=60) as r:
            if r.status != 200:
                raise SystemExit(f"{path}: HTTP {r.status}")


# --------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "pie-scale",
                        help="dataset folder shared with import_scale.py (default: %(default)s)")
    parser.add_argument("--blobs", type=Path, default=Path(tempfile.gettempdir()) / "pie-scale-browse-blobs",
                        help="blob store the import writes test cases to (emptied on import; default: %(default)s)")
    parser.add_argument("--reload", action="store_true", help="drop the database and import again")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page group")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--mode", choices=("both", "anonymous", "uncached"), default="both",
                        help="anonymous readers (page cache) and/or every page rendered (default: both)")
    parser.add_argument("--groups", default="", help="comma-separated page groups to run (default: all)")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    ensure_dataset(url, args.data, args.blobs, reload=args.reload)
    groups = sample_urls(url)
    if args.groups:
        wanted = {g.strip() for g in args.groups.split(",")}
        groups = {k: v for k, v in groups.items() if k in wanted}
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    load = run_wrk if client == "wrk" else run_python

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(url, workers=args.workers, port=port)
    try:
        # Start-up warm-up: every URL once (per worker for the overview): connections, templates,
        # the aggregates cache. Each group is warmed again right before its timed run.
        for paths in groups.values():
            for path in paths:
                for _ in range(args.workers if path == "/" else 1):
                    with urllib.request.urlopen(base + path, timeout=60) as r:
                        if r.status != 200:
                            raise SystemExit(f"{path}: HTTP {r.status}")
        print(f"\nload: {client}, {args.connections} connections, {args.duration} s per group, "
              f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs (shared), cache "
              f"{'redis' if os.environ.get('CACHE_URL') else 'per-process memory'}")
        failed = []
        modes = {"anonymous readers (page cache on)": "",
                 "uncached (session cookie: every page rendered)": "sessionid=browse-latency-bench"}
        if args.mode != "both":
            modes = dict([list(modes.items())[0 if args.mode == "anonymous" else 1]])
        for mode, cookie in modes.items():
            header = f"{'page group':<26}{'urls':>5}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}" \
                     f"{'p99 ms':>9}{'errors':>8}  target"
            print(f"\n{mode}\n{header}\n" + "-" * len(header))
            for name, paths in groups.items():
                warm(base, paths, cookie=cookie)  # steady state: this group's pages cached/connected
                r = load(base, paths, connections=args.connections, duration=args.duration, cookie=cookie)
                target = ""
                if name in TARGET_GROUPS:
                    ok = r["p95"] < TARGET_P95_MS and r["errors"] == 0
                    target = "p95 < 150 ms: " + ("met" if ok else "MISSED")
                    if not ok:
                        failed.append(f"{name} ({mode.split(' ')[0]})")
                print(f"{name:<26}{len(paths):>5}{r['requests']:>10,}{r['rps']:>9.1f}{r['p50']:>9.1f}"
                      f"{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}  {target}", flush=True)
        print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
