"""``manage.py score FILE.jsonl --owner USER``: upload a model run and score it in this process.

The same services as the web and the API: the file is validated whole (a rejected file prints
``FILE:N: problem`` per line and stores nothing), then every distinct program is benchmarked on
the chosen backend, with a progress bar, and PIE's metrics are printed (``--json`` for one
machine-readable object). ``--run ID`` (re)scores an existing run instead.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.problems.models import Split

from ... import services
from ...models import ModelRun, Score, Visibility

_LINE = re.compile(r"^line (\d+): (.*)$", re.S)


def format_upload_errors(path: str, errors: list[str]) -> str:
    """``line N: problem`` -> ``path:N: problem`` (what editors and CI logs link to)."""
    out = []
    for error in errors:
        match = _LINE.match(error)
        out.append(f"{path}:{match.group(1)}: {match.group(2)}" if match else f"{path}: {error}")
    return "\n".join(out)


def parse_columns(items: list[str]) -> dict[str, str]:
    """``["generated_answers=code_opt"]`` -> ``{"generated_answers": "code_opt"}``."""
    columns: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in services.DEFAULT_COLUMNS or not value:
            raise CommandError(
                f"--column {item!r}: expected NAME=COLUMN with NAME one of {', '.join(services.DEFAULT_COLUMNS)}"
            )
        columns[key] = value
    return columns


class Command(BaseCommand):
    help = "Upload a jsonl of model generations and score it with PIE's metrics (no worker needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="jsonl: src_id and/or (problem_id, src_code) + generated_answers")
        parser.add_argument("--run", type=int, help="score this existing model run instead of uploading a file")
        parser.add_argument("--owner", help="username owning the new run (required with FILE)")
        parser.add_argument("--name", default="", help="run name (default: the file name)")
        parser.add_argument("--split", default="test", help="split whose pairs the rows join (default: test)")
        parser.add_argument("--backend", default=None, help="measurement backend (default: BENCH_BACKEND)")
        parser.add_argument("--public", action="store_true", help="make the run public (default: private)")
        parser.add_argument("--column", action="append", default=[], metavar="NAME=COLUMN",
                            help="rename a column, e.g. generated_answers=code_opt (repeatable)")
        parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["run"] is not None:
            run = ModelRun.objects.filter(pk=options["run"]).first()
            if run is None:
                raise CommandError(f"There is no model run {options['run']}.")
        else:
            run = self._upload(options)
        total = max(run.progress_total, 1)
        with tqdm(total=total, unit="job", desc=f"run {run.pk}", disable=options["json"]) as bar:
            def on_progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            run = services.model_run_score_sync(model_run_id=run.pk, on_progress=on_progress)
        if run.state != ModelRun.State.DONE:
            raise CommandError(f"run {run.pk} failed: {run.error}")
        self._report(run.score, as_json=options["json"])

    def _upload(self, options: dict[str, Any]) -> ModelRun:
        path = options["file"]
        if not path:
            raise CommandError("Give a FILE to upload, or --run ID.")
        if not options["owner"]:
            raise CommandError("--owner USERNAME is required with a FILE.")
        owner = get_user_model().objects.filter(username=options["owner"]).first()
        if owner is None:
            raise CommandError(f"There is no user {options['owner']!r}.")
        split = Split.objects.filter(name=options["split"]).first()
        if split is None:
            raise CommandError(f"There is no split {options['split']!r}.")
        try:
            handle = Path(path).open("rb")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        with handle:
            try:
                return services.model_run_upload(
                    owner=owner, file=handle, name=options["name"] or Path(path).name, split=split,
                    backend=options["backend"], columns=parse_columns(options["column"]), enqueue=False,
                    visibility=Visibility.PUBLIC if options["public"] else Visibility.PRIVATE,
                )
            except services.ModelRunRejected as exc:
                raise CommandError("rejected, nothing stored:\n" + format_upload_errors(path, exc.errors)) from exc

    def _report(self, score: Score, *, as_json: bool) -> None:
        metrics = score.metrics
        if as_json:
            self.stdout.write(json.dumps({"model_run": score.model_run_id, **metrics}))
            return
        self.stdout.write(f"run {score.model_run_id}: {score.n_rows} rows, up to {score.k_max} samples per row")
        self.stdout.write(f"{'':8}{'%Opt':>8}{'Speedup':>9}{'%Correct':>10}")
        for k in metrics["reported_k"]:
            at = metrics["best_at"][str(k)]
            self.stdout.write(f"best@{k:<3}{at['pct_opt']:>8.2f}{at['mean_speedup']:>9.3f}{at['pct_correct']:>10.2f}")
        human = metrics["human"]
        self.stdout.write(f"human (tgt) {human['mean_speedup']:.3f}x over {human['n_rows']} rows")
