"""The worker's self-test: compile hello-world, run it twice under each backend, require identical counts.

A worker runs this before it takes work (DMOJ executors' ``test_program``). A failure means
the toolchain, the sandbox or a backend is broken on this host, and no figure it would produce
could be trusted.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from .backends import get_backend_class
from .config import EngineConfig
from .job import BackendSpec, RunJob, TestSpec
from .runner import run_job

HELLO_SOURCE = """#include <iostream>
#include <string>
int main() {
    std::string name;
    std::cin >> name;
    std::cout << "hello, " << name << "\\n";
    return 0;
}
"""
HELLO_INPUT = b"pieweb\n"
HELLO_EXPECTED = b"hello, pieweb\n"


@dataclass
class SelfTestReport:
    """Outcome of ``selftest``.

    Attributes:
        ok: every backend compiled, ran correctly and (if deterministic) gave identical counts twice.
        problems: one line per failure.
        figures: per backend, the two runs' ``cost_s`` in seconds.
    """

    ok: bool
    problems: list[str] = field(default_factory=list)
    figures: dict[str, list[float]] = field(default_factory=dict)


def selftest(config: EngineConfig, backends: Sequence[BackendSpec] = (BackendSpec("cachegrind"),)) -> SelfTestReport:
    """Compile and run hello-world twice under each backend.

    Args:
        config: engine configuration (its cache folder receives the hello-world binary).
        backends: backends to check; deterministic ones must repeat their metrics exactly.

    Returns:
        A ``SelfTestReport``; never raises for engine faults (they are listed in ``problems``).
    """
    report = SelfTestReport(ok=True)
    with tempfile.TemporaryDirectory(prefix="pieweb-selftest-") as tmp:
        inp, exp = os.path.join(tmp, "input.0.txt"), os.path.join(tmp, "output.0.txt")
        with open(inp, "wb") as fh:
            fh.write(HELLO_INPUT)
        with open(exp, "wb") as fh:
            fh.write(HELLO_EXPECTED)
        test = TestSpec(0, inp, exp, hashlib.sha256(HELLO_INPUT + b"\0" + HELLO_EXPECTED).hexdigest())
        for spec in backends:
            runs = []
            for _ in range(2):
                result = run_job(RunJob(source=HELLO_SOURCE, tests=(test,), backend=spec), config)
                if not result.correct or result.agg_cost_s == float("inf"):
                    detail = result.compile.diagnostics if not result.compile.success else "; ".join(
                        f"{t.status.value} {t.message}" for t in result.tests)
                    report.problems.append(f"{spec.name}: hello-world failed: {detail}")
                    break
                runs.append(result)
            if len(runs) < 2:
                continue
            report.figures[spec.name] = [r.agg_cost_s for r in runs]
            first, second = (r.tests[0].measurement for r in runs)
            assert first is not None and second is not None
            if not get_backend_class(spec.name).deterministic:
                continue
            if first.metrics.get("counts") != second.metrics.get("counts") or first.cost_s != second.cost_s:
                report.problems.append(f"{spec.name}: figures differ between two identical runs "
                                       f"({first.cost_s!r} s vs {second.cost_s!r} s)")
    report.ok = not report.problems
    return report


def main() -> int:
    """Command-line entry: ``python -m apps.benchmarks.engine.selftest [CACHE_DIR]``; exit 0 when healthy."""
    import sys

    cache_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "pieweb-engine-cache")
    report = selftest(EngineConfig(cache_dir=cache_dir))
    for name, costs in report.figures.items():
        print(f"{name}: {costs[0]:.9f} s, {costs[1]:.9f} s")
    for problem in report.problems:
        print("FAIL:", problem)
    print("self-test", "passed" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
