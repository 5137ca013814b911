"""Helpers shared by the engine benches (determinism, overhead, fidelity). Not a test module.

Programs are compiled and run through the engine itself (sandbox, backends), so the figures
are those a user gets. Inputs come from the demo dataset (``demo/``), or are generated larger
with the demo's own seeded generators, so every figure is reproducible.
"""
from __future__ import annotations

import hashlib
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(DEMO))

import generate as demo_generate  # noqa: E402  (demo/generate.py: the demo's seeded input generators)

from apps.benchmarks.engine.backends.base import CompiledProgram  # noqa: E402
from apps.benchmarks.engine.checkers import get_checker  # noqa: E402
from apps.benchmarks.engine.config import EngineConfig  # noqa: E402
from apps.benchmarks.engine.job import CompileResult, TestSpec  # noqa: E402
from apps.benchmarks.engine.sandbox import Sandbox  # noqa: E402
from apps.benchmarks.engine.steps.compilation import compilation_step  # noqa: E402
from apps.benchmarks.engine.steps.execution import execution_step, native_limits  # noqa: E402

CFLAGS = "-std=c++17 -O3"
WORK = Path(os.environ.get("PIEWEB_BENCH_DIR", os.path.join(tempfile.gettempdir(), "pieweb-bench")))


def engine_config() -> EngineConfig:
    """A config whose binary cache lives under the bench work folder (reused across runs)."""
    # A generous compile limit: a loaded host must not turn a slow compile into a skipped pair.
    return EngineConfig(cache_dir=str(WORK / "engine-cache"), compile_time_limit_s=60.0)


@dataclass(frozen=True)
class Program:
    """A compiled program of the bench corpus."""

    name: str  # e.g. p90001/slow
    problem: str
    source: str
    compiled: CompileResult

    @property
    def program(self) -> CompiledProgram:
        assert self.compiled.binary_path is not None
        return CompiledProgram(self.source, self.compiled.binary_path, self.compiled.binary_sha256, CFLAGS)


def compile_source(name: str, problem: str, source: str, sandbox: Sandbox, config: EngineConfig,
                   cflags: str = CFLAGS) -> Program:
    compiled = compilation_step(sandbox, source=source, compiler="g++", cflags=cflags, config=config)
    if not compiled.success:
        raise SystemExit(f"{name}: does not compile:\n{compiled.diagnostics[:2000]}")
    return Program(name, problem, source, compiled)


def demo_sources(include_wrong: bool = False) -> list[tuple[str, str, str]]:
    """(name, problem, source) of the demo programs: slow, fast, fast2, and ``wrong`` if asked."""
    out = []
    for folder in sorted((DEMO / "programs").iterdir()):
        for path in sorted(folder.glob("*.cpp")):
            if include_wrong or path.stem != "wrong":
                out.append((f"{folder.name}/{path.stem}", folder.name, path.read_text()))
    return out


def demo_pairs() -> list[tuple[str, str, str]]:
    """(problem, slow variant, fast variant) of the demo dataset's pairs."""
    return [(pid, slow, fast) for pid, slow, fast, *_ in demo_generate.PAIRS]


def test_spec(input_path: Path, expected_path: Path, index: int = 0) -> TestSpec:
    digest = hashlib.sha256(input_path.read_bytes() + b"\0" + expected_path.read_bytes()).hexdigest()
    return TestSpec(index, str(input_path), str(expected_path), digest)


def demo_test(problem: str, index: int) -> TestSpec:
    folder = DEMO / "test_cases" / problem
    return test_spec(folder / f"input.{index}.txt", folder / f"output.{index}.txt", index)


def largest_demo_test(problem: str) -> TestSpec:
    folder = DEMO / "test_cases" / problem
    biggest = max(folder.glob("input.*.txt"), key=lambda p: p.stat().st_size)
    return demo_test(problem, int(biggest.name.split(".")[1]))


def _scaled(problem: str, scale: float, rng: random.Random) -> str:
    """A demo-problem input ``scale`` times larger than the demo's largest test (within the statement's spirit)."""
    g = demo_generate
    s = max(1, int(scale))
    if problem == "p90001":
        return g.gen_pair_sum(rng, n=20000 * s, k=3_000_000_000, spread=1500)
    if problem == "p90002":
        return g.gen_staircase(rng, q=12 * s, top=27)
    if problem == "p90003":
        return g.gen_multiples(rng, q=60 * s, max_n=1_000_000, max_k=4)
    if problem == "p90004":
        return g.gen_lines(rng, n=100000 * s, high=10**9)
    if problem == "p90005":
        return g.gen_range_sums(rng, n=100000, q=20000 * s, high=10**9)
    if problem == "p90006":
        return g.gen_numbers(rng, n=200000 * s, high=10**9)
    if problem == "p90007":
        return g.gen_numbers(rng, n=200000 * s, high=999_999)
    if problem == "p90008":
        return g.gen_membership(rng, n=50000, q=5000 * s, high=10**9)
    if problem == "p90009":
        return g.gen_letters(rng, n=60000 * s)
    if problem == "p90010":
        return g.gen_numbers(rng, n=int(20000 * scale ** 0.5), high=1000)
    raise KeyError(problem)


def scaled_demo_input(problem: str, scale: float) -> Path:
    """Write (once) and return a seeded input of ``problem`` at ``scale`` x the demo's largest test."""
    folder = WORK / "inputs" / problem
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"scale-{scale:g}.txt"
    if not path.exists():
        rng = random.Random(f"{problem}-{scale:g}")
        tmp = path.with_suffix(".tmp")
        tmp.write_text(_scaled(problem, scale, rng))
        tmp.replace(path)
    return path


def expected_for(reference: Program, input_path: Path, sandbox: Sandbox, time_limit_s: float = 60.0) -> Path:
    """Run the reference program on ``input_path`` in the sandbox and store its output as the expected one."""
    out = input_path.with_name(input_path.stem + f".{reference.compiled.binary_sha256[:12]}.out")
    if not out.exists():
        limits = native_limits(time_limit_s, 2 * 1024**3, processes=64, output_bytes=256 * 1024**2,
                               file_size_bytes=64 * 1024**2)
        run = execution_step(sandbox, binary_path=reference.compiled.binary_path, input_path=str(input_path),
                             limits=limits)
        if run.status.value != "OK":
            raise SystemExit(f"{reference.name} failed on {input_path}: {run.status} {run.message}")
        out.write_bytes(run.run.stdout)
    return out


def check_correct(program: Program, test: TestSpec, sandbox: Sandbox, time_limit_s: float = 60.0,
                  checker: str = "pie") -> tuple[bool, float]:
    """(correct, sandboxed native wall seconds) of one run of ``program`` on ``test``."""
    limits = native_limits(time_limit_s, 2 * 1024**3, processes=64, output_bytes=256 * 1024**2,
                           file_size_bytes=64 * 1024**2)
    run = execution_step(sandbox, binary_path=program.compiled.binary_path, input_path=test.input_path,
                         limits=limits)
    if run.status.value != "OK":
        return False, run.run.wall_time_s
    with open(test.expected_path, "rb") as fh:
        verdict = get_checker(checker)(run.run.stdout, fh.read())
    return verdict.accepted, run.run.wall_time_s


def progress(done: int, total: int, label: str) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:50]:<50}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
