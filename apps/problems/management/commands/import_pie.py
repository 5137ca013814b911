"""``manage.py import_pie``: load PIE's files (pairs, test cases, problem list, statements)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.problems.importers import Issue
from apps.problems.models import TestCase
from apps.problems.services import ImportAborted, pie_import

MAX_SHOWN_ISSUES = 200


class Command(BaseCommand):
    help = (
        "Import PIE dataset files. Any subset of options works on its own; they are processed in the "
        "order problems, statements, test cases, pairs, so one command can load a whole release. "
        "Re-importing updates rows in place (pairs are keyed by split + 'src_id->tgt_id'). "
        "Bad rows are reported as 'file:line: problem' and skipped (exit status 0, counted in the "
        "summary); with --strict the first bad row aborts and nothing is written (exit status 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--problems", type=Path, metavar="CSV",
                            help="problem_list.csv (id,name,dataset,time_limit[ms],memory_limit[KB],...)")
        parser.add_argument("--statements", type=Path, metavar="DIR|JSONL",
                            help="folder or .zip of <problem_id>.html, or jsonl of {problem_id, html}")
        parser.add_argument("--translated-statements", type=Path, metavar="DIR|ZIP|JSONL",
                            help="translated statements (e.g. pie-perf's problem_statements_translated.zip), "
                                 "same formats as --statements")
        parser.add_argument("--testcases", type=Path, metavar="DIR|ZIP|TGZ|JSONL",
                            help="<problem_id>/input.N.txt|output.N.txt as a folder, .zip or .tar.gz "
                                 "(one top folder allowed), or jsonl of {problem_id, tests: [{input, output}]}")
        parser.add_argument("--origin", choices=TestCase.Origin.values,
                            help="origin of the test cases (default: 'merged'/'generated' if the file name "
                                 "says so, else 'public')")
        parser.add_argument("--pairs", type=Path, action="append", default=[], metavar="JSONL",
                            help="pair jsonl (ICLR, legacy pie-perf or Supersonic format); repeatable")
        parser.add_argument("--split", metavar="NAME",
                            help="split for all --pairs files (default: each file's name, e.g. train.jsonl -> train)")
        parser.add_argument("--strict", action="store_true",
                            help="abort on the first bad row and roll back the whole import")
        parser.add_argument("--batch-size", type=int, default=1000, metavar="N",
                            help="rows per INSERT and per transaction (default 1000)")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bars (they are drawn on stderr only when it is a terminal)")

    def handle(self, *args, **opts) -> None:
        if not any(opts[k] for k in ("problems", "statements", "translated_statements", "testcases", "pairs")):
            raise CommandError("nothing to import: give --problems, --statements, --translated-statements, "
                               "--testcases and/or --pairs")
        if opts["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        shown = 0

        def on_issue(issue: Issue) -> None:
            nonlocal shown
            shown += 1
            if shown <= MAX_SHOWN_ISSUES:
                tqdm.write(f"{issue} (skipped)", file=sys.stderr)
            elif shown == MAX_SHOWN_ISSUES + 1:
                tqdm.write(f"... more issues not shown (only the first {MAX_SHOWN_ISSUES} are)", file=sys.stderr)

        started = time.monotonic()
        try:
            report = pie_import(
                problems=opts["problems"], statements=opts["statements"],
                translated_statements=opts["translated_statements"], testcases=opts["testcases"],
                pairs=opts["pairs"], split=opts["split"], origin=opts["origin"], strict=opts["strict"],
                batch_size=opts["batch_size"], on_issue=on_issue,
                progress=not opts["no_progress"] and sys.stderr.isatty(),
            )
        except ImportAborted as exc:
            raise CommandError(f"{exc.issue}\n--strict: import aborted, nothing was written") from exc
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for name, counts in report.counts.items():
            self.stdout.write(f"{name}: {counts}")
        if report.counters_seconds:
            self.stdout.write(f"counters refreshed ({report.counters_seconds:.1f} s)")
        elapsed = time.monotonic() - started
        tail = f" ({report.issue_count} errors above)" if report.issue_count else ""
        self.stdout.write(f"done in {elapsed:.1f} s{tail}")
