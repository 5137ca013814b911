"""Fixtures of the benchmark app's Django-side tests: a small problem built from the demo set."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "demo"


def make_problem(problem_id: str = "p90001", tests: tuple[int, ...] = (0, 1, 2)):
    """Create ``problem_id`` with demo tests ``tests`` stored in the (per-test) blob store."""
    from apps.problems.blobs import blob_store
    from apps.problems.models import Problem, TestCase

    problem, _ = Problem.objects.get_or_create(id=problem_id, defaults={"name": "demo"})
    store = blob_store()
    for index in tests:
        data_in = (DEMO / "test_cases" / problem_id / f"input.{index}.txt").read_bytes()
        data_out = (DEMO / "test_cases" / problem_id / f"output.{index}.txt").read_bytes()
        sha_in, sha_out = store.put(data_in), store.put(data_out)
        TestCase.objects.update_or_create(
            problem=problem, index=index,
            defaults=dict(input_sha256=sha_in, output_sha256=sha_out, input_size_bytes=len(data_in),
                          output_size_bytes=len(data_out),
                          sha256=hashlib.sha256((sha_in + sha_out).encode()).hexdigest()),
        )
    return problem


def demo_source(problem_id: str, name: str) -> str:
    return (DEMO / "programs" / problem_id / f"{name}.cpp").read_text()


@pytest.fixture
def bench_settings(settings, tmp_path_factory):
    """Engine caches in a per-session folder, so compiled binaries are shared between tests."""
    settings.BENCH_CACHE_DIR = str(tmp_path_factory.getbasetemp() / "bench-cache")
    return settings


@pytest.fixture
def problem(db, bench_settings):
    return make_problem()
