"""``manage.py bench FILE.cpp --problem pNNNNN [--vs OTHER.cpp]``: benchmark programs in this process.

It goes through the same services as the web and the workers (jobs and cached measurements are
stored), but runs synchronously, so it needs no worker. ``speedup`` is ``b_cost / a_cost``: how
many times faster FILE is than OTHER, on the same backend, configuration and tests.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.benchmarks import services
from apps.benchmarks.engine.backends import REGISTRY
from apps.benchmarks.models import BenchmarkJob
from apps.problems.models import Problem


def parse_tests(raw: str | None) -> list[int] | None:
    """``"0,1,2"`` -> ``[0, 1, 2]``; ``None`` -> every test of the problem.

    Raises:
        CommandError: an item is not a non-negative integer.
    """
    if raw is None or not raw.strip():
        return None
    tests = []
    for item in raw.split(","):
        item = item.strip()
        if not item.isdigit():
            raise CommandError(f"--tests: {item!r} is not a test index (expected e.g. 0,1,2)")
        tests.append(int(item))
    return tests


def parse_options(items: list[str]) -> dict[str, Any]:
    """``["repeats=5", "clock_hz=3.5e9"]`` -> backend options; values are JSON when they parse."""
    options: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(f"--option: {item!r} is not KEY=VALUE")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options


def finite_or_none(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) or math.isnan(value) else value


def job_summary(job: BenchmarkJob, path: str) -> dict[str, Any]:
    """The ``a``/``b`` object of ``--json``: verdict, total cost (seconds, null = inf) and per-test rows."""
    return {
        "file": path,
        "job": job.pk,
        "compile_success": bool(job.compile_success),
        "compile_output": job.compile_output,
        "correct": bool(job.correct),
        "status": job.status,
        "agg_cost": job.agg_cost_s,
        "mean_accuracy": job.mean_accuracy,
        "cache_hits": job.cache_hits,
        "tests": [
            {
                "test": row["index"],
                "status": row["status"],
                "accuracy": row["accuracy"],
                "cost": row.get("cost_s"),
                "skipped": row.get("skipped", False),
                "cached": row.get("cached", False),
                "message": row.get("message", ""),
                "metrics": (row.get("measurement") or {}).get("metrics", {}),
            }
            for row in job.results
        ],
    }


def speedup_of(a: BenchmarkJob, b: BenchmarkJob | None) -> float | None:
    """``b_cost / a_cost`` when both programs are correct with a finite, positive cost; else ``None``."""
    if b is None or not a.correct or not b.correct or not a.agg_cost_s or b.agg_cost_s is None:
        return None
    return b.agg_cost_s / a.agg_cost_s


class Command(BaseCommand):
    help = (
        "Compile FILE.cpp, run it on tests of a problem in the sandbox, check it (PIE's rule by default) "
        "and measure it with a backend (default cachegrind: estimated seconds at 3.5 GHz). With --vs, measure "
        "OTHER.cpp too and print the speedup b_cost / a_cost (how many times faster FILE is than OTHER). "
        "Runs in this process: no worker needed. Measurements are cached, so repeating is cheap."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="C++ source to benchmark (a)")
        parser.add_argument("--problem", required=True, help="problem id, e.g. p90001 (must be imported)")
        parser.add_argument("--tests", help="comma-separated test indices (default: every test of the problem)")
        parser.add_argument("--backend", choices=sorted(REGISTRY), default=None,
                            help="measurement backend (default: settings.BENCH_BACKEND)")
        parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                            help="backend option, repeatable (e.g. --option repeats=5 for wallclock)")
        parser.add_argument("--vs", metavar="OTHER.cpp", help="second program (b) to compare against")
        parser.add_argument("--checker", default="pie", help="output checker: pie (default), exact, tokens")
        parser.add_argument("--cflags", default=None, help="compiler flags (default: settings.BENCH_CFLAGS)")
        parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def _read(self, path: str) -> str:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            return file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc})") from exc

    def _run(self, path: str, source: str, problem: Problem, opts: dict[str, Any], show: bool) -> BenchmarkJob:
        try:
            job = services.benchmark_job_create(
                problem=problem, source=source, tests=parse_tests(opts["tests"]), backend=opts["backend"],
                backend_options=parse_options(opts["option"]), checker=opts["checker"], cflags=opts["cflags"],
                enqueue=False,
            )
        except services.JobRejected as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}") from exc
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(total=job.progress_total, desc=Path(path).name, unit="test", file=sys.stderr, leave=False)
        try:
            done = services.benchmark_job_run(job.pk, on_test=(lambda _row: bar.update(1)) if bar else None)
        finally:
            if bar is not None:
                bar.close()
        assert done is not None
        if done.state == BenchmarkJob.State.FAILED:
            raise CommandError(f"{path}: internal error (not the program's fault): {done.error}")
        return done

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            problem = Problem.objects.get(pk=opts["problem"])
        except Problem.DoesNotExist:
            raise CommandError(f"unknown problem {opts['problem']!r} (import it first, e.g. manage.py load_demo)") from None
        sources = [(opts["file"], self._read(opts["file"]))]
        if opts["vs"]:
            sources.append((opts["vs"], self._read(opts["vs"])))
        show = not opts["no_progress"] and not opts["json"] and sys.stderr.isatty()
        jobs = [self._run(path, source, problem, opts, show) for path, source in sources]
        a, b = jobs[0], (jobs[1] if len(jobs) > 1 else None)
        speedup = speedup_of(a, b)
        if opts["json"]:
            out: dict[str, Any] = {"backend": a.backend_config, "problem": problem.pk,
                                   "a": job_summary(a, sources[0][0])}
            if b is not None:
                out["b"] = job_summary(b, sources[1][0])
                out["speedup"] = speedup
            self.stdout.write(json.dumps(out, sort_keys=False))
            return
        self._print_table(problem, a, b, sources, speedup)

    def _print_table(self, problem: Problem, a: BenchmarkJob, b: BenchmarkJob | None,
                     sources: list[tuple[str, str]], speedup: float | None) -> None:
        config = a.backend_config or {"name": a.backend_name}
        label = ", ".join(f"{k}={v}" for k, v in config.items() if k != "name")
        self.stdout.write(f"problem {problem.pk}, backend {config.get('name')} ({label}), checker {a.checker}")
        for name, job, (path, _) in (("a", a, sources[0]), ("b", b, sources[-1])):
            if job is not None and not job.compile_success:
                self.stdout.write(self.style.ERROR(f"{name}: {path}: compilation failed"))
                self.stdout.write(job.compile_output.replace("code.cpp", path))
        header = f"{'test':>5}  {'a status':<8} {'a acc':>6} {'a cost (s)':>13}"
        if b is not None:
            header += f"  {'b status':<8} {'b acc':>6} {'b cost (s)':>13} {'speedup':>8}"
        self.stdout.write(header)
        b_rows = {r["index"]: r for r in (b.results if b else [])}
        for row in a.results:
            line = f"{row['index']:>5}  {row['status']:<8} {row['accuracy']:>6.3f} {_fmt(row.get('cost_s')):>13}"
            if b is not None:
                other = b_rows.get(row["index"], {})
                ratio = (other["cost_s"] / row["cost_s"]) if other.get("cost_s") and row.get("cost_s") else None
                line += (f"  {other.get('status', '-'):<8} {other.get('accuracy', 0.0):>6.3f} "
                         f"{_fmt(other.get('cost_s')):>13} {_fmt_x(ratio):>8}")
            self.stdout.write(line)
        self.stdout.write(f"a: {sources[0][0]}: {a.status}, {'correct' if a.correct else 'NOT correct'}, "
                          f"total {_fmt(a.agg_cost_s)} s")
        if b is not None:
            self.stdout.write(f"b: {sources[1][0]}: {b.status}, {'correct' if b.correct else 'NOT correct'}, "
                              f"total {_fmt(b.agg_cost_s)} s")
            if speedup is None:
                self.stdout.write("speedup: n/a (both programs must be correct)")
            else:
                self.stdout.write(self.style.SUCCESS(
                    f"speedup: {speedup:.3f}x ({sources[0][0]} is {speedup:.3f}x as fast as {sources[1][0]})"))


def _fmt(value: float | None) -> str:
    return "inf" if value is None else f"{value:.9f}"


def _fmt_x(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}x"
