"""``manage.py bench_selftest``: the engine's self-test (hello-world twice per backend, identical counts)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.benchmarks.engine.backends import REGISTRY
from apps.benchmarks.engine.job import BackendSpec
from apps.benchmarks.engine.selftest import selftest
from apps.benchmarks.services import engine_config


class Command(BaseCommand):
    help = (
        "Check that this host can benchmark: compile hello-world in the sandbox and measure it twice with each "
        "backend; deterministic backends must give identical figures. Exits non-zero on any failure. "
        "Run it on every worker host before it takes work."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backend", action="append", choices=sorted(REGISTRY), default=None,
                            help="backend to check, repeatable (default: cachegrind and wallclock)")

    def handle(self, *args: Any, **opts: Any) -> None:
        names = opts["backend"] or ["cachegrind", "wallclock"]
        self.stdout.write(f"self-test of {', '.join(names)} (cache {engine_config().cache_dir})")
        report = selftest(engine_config(), tuple(BackendSpec(name) for name in names))
        for name, costs in report.figures.items():
            self.stdout.write(f"{name}: " + ", ".join(f"{c:.9f} s" for c in costs))
        if not report.ok:
            raise CommandError("self-test FAILED:\n" + "\n".join(report.problems))
        self.stdout.write(self.style.SUCCESS("self-test passed"))
