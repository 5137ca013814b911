"""``manage.py bench`` on the demo set, through the real engine."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .conftest import DEMO

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

FAST = str(DEMO / "programs" / "p90001" / "fast.cpp")
SLOW = str(DEMO / "programs" / "p90001" / "slow.cpp")


@pytest.fixture
def demo_loaded(bench_settings):
    call_command("load_demo", "--no-progress", stdout=StringIO())


def bench(*args: str) -> str:
    out = StringIO()
    call_command("bench", *args, stdout=out)
    return out.getvalue()


def test_bench_json_on_a_demo_pair_shows_the_fast_program_faster(demo_loaded):
    out = bench(FAST, "--vs", SLOW, "--problem", "p90001", "--tests", "6", "--json")
    data = json.loads(out)
    assert data["backend"]["name"] == "cachegrind"
    assert data["a"]["compile_success"] and data["a"]["correct"] and data["b"]["correct"]
    assert [t["test"] for t in data["a"]["tests"]] == [6]
    assert {"test", "status", "accuracy", "cost"} <= set(data["a"]["tests"][0])
    assert data["speedup"] == pytest.approx(data["b"]["agg_cost"] / data["a"]["agg_cost"])
    assert data["speedup"] > 1.5


def test_bench_table_and_wrong_program(demo_loaded):
    out = bench(FAST, "--problem", "p90001", "--tests", "0,1")
    assert "a status" in out and "correct" in out and "speedup" not in out
    wrong = str(DEMO / "programs" / "p90001" / "wrong.cpp")
    data = json.loads(bench(FAST, "--vs", wrong, "--problem", "p90001", "--tests", "7", "--json"))
    assert data["b"]["correct"] is False and data["b"]["agg_cost"] is None and data["speedup"] is None


def test_bench_reports_bad_input(demo_loaded, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        bench(str(tmp_path / "missing.cpp"), "--problem", "p90001")
    with pytest.raises(CommandError, match="unknown problem"):
        bench(FAST, "--problem", "p99999")
    with pytest.raises(CommandError, match="not a test index"):
        bench(FAST, "--problem", "p90001", "--tests", "0,x")
    with pytest.raises(CommandError, match="no test"):
        bench(FAST, "--problem", "p90001", "--tests", "0,99")
