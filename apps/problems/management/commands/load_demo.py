"""``manage.py load_demo``: import the bundled demo dataset (demo/) through the normal importer."""
from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.problems.services import ImportAborted, demo_dataset_load


class Command(BaseCommand):
    help = (
        "Load the demo dataset shipped in demo/ (10 problems p90001-p90010, their test cases and "
        "slow/fast C++ pairs in the train/val/test splits). Idempotent: running it again updates in place. "
        "Strict: a broken demo file aborts and writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default=str(settings.BASE_DIR / "demo"), help="demo folder (default: demo/)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, **opts) -> None:
        try:
            report = demo_dataset_load(root=opts["path"], progress=not opts["no_progress"] and sys.stderr.isatty())
        except (ImportAborted, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for name, counts in report.counts.items():
            self.stdout.write(f"{name}: {counts}")
