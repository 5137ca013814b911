"""The bundled demo dataset: it loads idempotently, and its programs are what the pairs claim.

The program checks compile every demo program with the real g++ and run them natively and
under valgrind, so they are marked ``slow``.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.problems.models import Pair, Problem, Split
from apps.problems.models import TestCase as PieTest

DEMO = Path(settings.BASE_DIR) / "demo"
PROGRAMS = DEMO / "programs"
CXX = ["g++", "-std=c++17", "-O3"]
MIN_INSTRUCTION_RATIO = 1.3
# Test measured under valgrind per problem: the second-largest input by default (the largest
# takes the slow O(n^2) programs minutes under valgrind). Where scanf dominates both programs
# (the data-structure edits), the largest input is needed for the difference to show.
MEASURED_TEST = {"p90006": -1, "p90007": -1}


def _pairs() -> list[dict]:
    rows = []
    for split in ("train", "val", "test"):
        for line in (DEMO / "pairs" / f"{split}.jsonl").read_text().splitlines():
            rows.append({**json.loads(line), "split": split})
    return rows


def _program_name(problem_id: str, code: str) -> str:
    for source in (PROGRAMS / problem_id).glob("*.cpp"):
        if source.read_text() == code:
            return source.stem
    raise AssertionError(f"{problem_id}: a pair's code matches no file in {PROGRAMS / problem_id}")


def _tests(problem_id: str) -> list[tuple[Path, Path]]:
    folder = DEMO / "test_cases" / problem_id
    indices = sorted(int(m.group(1)) for p in folder.glob("input.*.txt") if (m := re.match(r"input\.(\d+)", p.name)))
    return [(folder / f"input.{i}.txt", folder / f"output.{i}.txt") for i in indices]


# --- loading (fast) -------------------------------------------------------------------------

@pytest.mark.django_db
def test_load_demo_is_idempotent():
    call_command("load_demo", "--no-progress", stdout=io.StringIO())
    first = (Problem.objects.count(), PieTest.objects.count(), Pair.objects.count(), Split.objects.count())
    assert first == (10, sum(len(_tests(d.name)) for d in (DEMO / "test_cases").iterdir()), 11, 3)
    out = io.StringIO()
    call_command("load_demo", "--no-progress", stdout=out)
    assert (Problem.objects.count(), PieTest.objects.count(), Pair.objects.count(), Split.objects.count()) == first
    assert "imported 0" in out.getvalue()
    assert not Problem.objects.filter(statement_html="").exists()
    assert all(5 <= p.test_count <= 20 for p in Problem.objects.all())
    assert Problem.objects.filter(pair_count__gt=0).count() == 10
    assert Pair.objects.filter(extra__has_key="fast_wrong_code").count() >= 3


def test_demo_stays_small():
    size = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert size < 10 * 2**20, f"demo/ is {size / 2**20:.1f} MiB"
    assert max(p.stat().st_size for p in (DEMO / "test_cases").rglob("input.*.txt")) > 500_000, "no large input"


def test_pairs_match_program_files():
    kinds = set()
    for row in _pairs():
        assert _program_name(row["problem_id"], row["src_code"]) == "slow"
        assert _program_name(row["problem_id"], row["tgt_code"]).startswith("fast")
        if "fast_wrong_code" in row:
            assert _program_name(row["problem_id"], row["fast_wrong_code"]) == "wrong"
        kinds.add(row["edit_kind"].split(":")[0])
    assert {"algorithmic", "I/O", "data structure"} <= kinds


# --- programs (slow: real g++ and valgrind) --------------------------------------------------

@pytest.fixture(scope="module")
def binaries(tmp_path_factory) -> dict[tuple[str, str], Path]:
    if shutil.which("g++") is None:
        pytest.fail("g++ is required (scripts/install-system-packages.sh installs it)")
    out = tmp_path_factory.mktemp("demo-bin")
    sources = sorted(PROGRAMS.glob("*/*.cpp"))

    def build(source: Path) -> tuple[tuple[str, str], Path]:
        target = out / f"{source.parent.name}-{source.stem}"
        proc = subprocess.run([*CXX, str(source), "-o", str(target)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{source} does not compile:\n{proc.stderr}"
        return (source.parent.name, source.stem), target

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(build, sources))


def _passes(binary: Path, input_path: Path, output_path: Path) -> bool:
    """PIE's check: stdout equals the expected output up to surrounding whitespace per token."""
    with open(input_path, "rb") as stdin:
        proc = subprocess.run([str(binary)], stdin=stdin, capture_output=True, timeout=120)
    return proc.returncode == 0 and proc.stdout.split() == output_path.read_bytes().split()


@pytest.mark.slow
def test_programs_pass_or_fail_as_labelled(binaries):
    for (problem_id, name), binary in sorted(binaries.items()):
        results = [_passes(binary, i, o) for i, o in _tests(problem_id)]
        if name == "wrong":
            assert not all(results), f"{problem_id}/wrong.cpp passes every test"
        else:
            failed = [n for n, ok in enumerate(results) if not ok]
            assert not failed, f"{problem_id}/{name}.cpp fails tests {failed}"


def _instructions(binary: Path, input_path: Path) -> int:
    """Instructions executed (cachegrind's I refs): deterministic, unlike wall time under load."""
    with open(input_path, "rb") as stdin:
        proc = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", str(binary)],
            stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300)
    match = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    assert match, proc.stderr
    return int(match.group(1).replace(",", ""))


@pytest.mark.slow
@pytest.mark.parametrize("row", _pairs(), ids=lambda r: f"{r['problem_id']}-{r['split']}")
def test_fast_program_executes_clearly_fewer_instructions(binaries, row):
    if shutil.which("valgrind") is None:
        pytest.fail("valgrind is required (scripts/install-system-packages.sh installs it)")
    problem_id = row["problem_id"]
    slow = binaries[(problem_id, _program_name(problem_id, row["src_code"]))]
    fast = binaries[(problem_id, _program_name(problem_id, row["tgt_code"]))]
    input_path, _ = _tests(problem_id)[MEASURED_TEST.get(problem_id, -2)]
    slow_ir, fast_ir = _instructions(slow, input_path), _instructions(fast, input_path)
    assert slow_ir / fast_ir > MIN_INSTRUCTION_RATIO, (
        f"{problem_id} ({row['edit_kind']}): {slow_ir:,} -> {fast_ir:,} instructions on {input_path.name}")
