"""System checks (``manage.py check``): the tools the engine runs must be on this host.

Missing tools are warnings, not errors, so the web app can still serve the dataset on a host
that only browses; a worker on such a host would fail every job with an internal error.
"""
from __future__ import annotations

import os
import shutil
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .engine.backends import REGISTRY


def _missing_tool(tool: str, check_id: str, why: str) -> Warning:
    return Warning(f"{tool!r} was not found on PATH; {why}.",
                   hint="Install the system packages: bash scripts/install-system-packages.sh", id=check_id)


@register(Tags.compatibility, "benchmarks")
def engine_tools_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Warn when bubblewrap, valgrind or the compiler is missing, or the engine settings are unusable."""
    problems: list[Any] = []
    if settings.BENCH_SANDBOX == "bwrap" and shutil.which("bwrap") is None:
        problems.append(_missing_tool("bwrap", "benchmarks.W001", "programs cannot be sandboxed, so no job can run"))
    if shutil.which("valgrind") is None:
        problems.append(_missing_tool("valgrind", "benchmarks.W002",
                                      "the cachegrind backend (the default) cannot measure"))
    if shutil.which(settings.BENCH_COMPILER) is None:
        problems.append(_missing_tool(settings.BENCH_COMPILER, "benchmarks.W003",
                                      "programs cannot be compiled (settings.BENCH_COMPILER)"))
    if settings.BENCH_BACKEND not in REGISTRY:
        problems.append(Error(f"BENCH_BACKEND={settings.BENCH_BACKEND!r} is not a backend.",
                              hint=f"Use one of: {', '.join(sorted(REGISTRY))}.", id="benchmarks.E001"))
    cache_dir = str(settings.BENCH_CACHE_DIR)
    parent = cache_dir if os.path.isdir(cache_dir) else os.path.dirname(cache_dir.rstrip("/")) or "."
    if not os.access(parent, os.W_OK):
        problems.append(Warning(f"BENCH_CACHE_DIR {cache_dir!r} is not writable; compiled binaries cannot be cached.",
                                id="benchmarks.W004"))
    return problems
