"""The engine is a plain library: importing all of it must not import Django or any app."""
from __future__ import annotations

import subprocess
import sys

from .conftest import REPO

MODULES = [
    "apps.benchmarks.engine.runner",
    "apps.benchmarks.engine.selftest",
    "apps.benchmarks.engine.backends.cachegrind",
    "apps.benchmarks.engine.backends.wallclock",
    "apps.benchmarks.engine.backends.cost_model",
    "apps.benchmarks.engine.checkers",
]


def test_engine_imports_no_django():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')"
        " or (m.startswith('apps.') and not m.startswith('apps.benchmarks.engine')"
        " and m not in ('apps.benchmarks',)))\n"
        "print(','.join(bad))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"engine imported: {out.stdout}"
