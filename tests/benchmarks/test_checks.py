"""System checks and ``manage.py bench_selftest`` on this host (real tools)."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.benchmarks.checks import engine_tools_check


def ids(problems) -> set[str]:
    return {p.id for p in problems}


def test_no_warning_on_a_complete_host(settings):
    assert ids(engine_tools_check()) == set()


def test_missing_tools_and_bad_backend_are_reported(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no bwrap, valgrind or g++
    settings.BENCH_BACKEND = "abacus"
    assert {"benchmarks.W001", "benchmarks.W002", "benchmarks.W003", "benchmarks.E001"} <= ids(engine_tools_check())


@pytest.mark.slow
def test_bench_selftest_passes(bench_settings):
    out = StringIO()
    call_command("bench_selftest", "--backend", "cachegrind", stdout=out)
    assert "self-test passed" in out.getvalue() and "cachegrind:" in out.getvalue()
