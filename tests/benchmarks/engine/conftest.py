"""Fixtures of the engine tests: one engine cache per session, test files, hostile programs."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from apps.benchmarks.engine.config import EngineConfig
from apps.benchmarks.engine.job import TestSpec

PROGRAMS = Path(__file__).parent / "programs"
REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "demo"


@pytest.fixture(scope="session")
def engine_config(tmp_path_factory: pytest.TempPathFactory) -> EngineConfig:
    """An engine configuration with a session-wide binary cache (programs compile once)."""
    return EngineConfig(cache_dir=str(tmp_path_factory.mktemp("engine-cache")), compile_time_limit_s=5.0)


MakeTest = Callable[..., TestSpec]


@pytest.fixture(scope="session")
def make_test(tmp_path_factory: pytest.TempPathFactory) -> MakeTest:
    """Write an input/expected pair to disk and return its ``TestSpec``."""
    root = tmp_path_factory.mktemp("tests")
    counter = iter(range(10**6))

    def make(stdin: str | bytes, expected: str | bytes = "", index: int = 0) -> TestSpec:
        data_in = stdin.encode() if isinstance(stdin, str) else stdin
        data_out = expected.encode() if isinstance(expected, str) else expected
        n = next(counter)
        inp, out = root / f"input.{n}.txt", root / f"output.{n}.txt"
        inp.write_bytes(data_in)
        out.write_bytes(data_out)
        digest = hashlib.sha256(data_in + b"\0" + data_out).hexdigest()
        return TestSpec(index, str(inp), str(out), digest)

    return make


def demo_test(problem: str, index: int) -> TestSpec:
    """The demo dataset's test ``index`` of ``problem`` as a ``TestSpec``."""
    folder = DEMO / "test_cases" / problem
    inp, out = folder / f"input.{index}.txt", folder / f"output.{index}.txt"
    digest = hashlib.sha256(inp.read_bytes() + b"\0" + out.read_bytes()).hexdigest()
    return TestSpec(index, str(inp), str(out), digest)
