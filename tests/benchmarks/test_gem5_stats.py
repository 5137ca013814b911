"""The gem5 stats parser and PIE's time figure (pure functions, no Docker)."""
from __future__ import annotations

import pytest

from apps.benchmarks.engine.backends import BackendUnavailable
from apps.benchmarks.engine.backends.gem5 import Gem5Backend, Gem5Error, parse_stats_txt, sim_seconds_precise

STATS = """
---------- Begin Simulation Statistics ----------
sim_seconds                                  0.001004                       # Number of seconds simulated
sim_ticks                                1004121118                       # Number of ticks simulated
sim_freq                                 1000000000000                       # Frequency of simulated ticks
system.cpu.ipc                             1.234500                       # IPC
system.cpu.fetch.pendingQuiesceStallCyclesEnd     7                       # key containing End
system.cpu.commit.committed_per_cycle::0   1200   50.00%   50.00% # distribution row
system.cpu.dcache.overall_miss_rate::total      nan                       # miss rate

---------- End Simulation Statistics   ----------
"""


def test_parse_stats_keeps_values_types_and_keys_containing_end():
    stats = parse_stats_txt(STATS)
    assert stats["sim_ticks"] == 1004121118
    assert stats["sim_freq"] == 10**12
    assert stats["system.cpu.ipc"] == pytest.approx(1.2345)
    # PIE drops every line containing "Begin"/"End"; only the dump markers should go.
    assert stats["system.cpu.fetch.pendingQuiesceStallCyclesEnd"] == 7
    assert stats["system.cpu.commit.committed_per_cycle::0"] == [1200, 50.0, 50.0]
    assert stats["system.cpu.dcache.overall_miss_rate::total"] is None
    assert not any(key.startswith("-") for key in stats)


def test_time_is_ticks_over_frequency_not_rounded_sim_seconds():
    # PIE's regression value for hello world (pie-reference section 2.5).
    assert sim_seconds_precise(parse_stats_txt(STATS)) == pytest.approx(0.001004121118, rel=1e-12)


def test_last_dump_wins_as_in_pie():
    two = STATS + STATS.replace("1004121118", "2000000000")
    assert sim_seconds_precise(parse_stats_txt(two)) == pytest.approx(0.002)


@pytest.mark.parametrize("text", ["", "sim_ticks 5\n", "sim_ticks 5\nsim_freq 0\n", "sim_ticks nan\nsim_freq 1000\n"])
def test_missing_or_bad_figures_raise(text):
    with pytest.raises(Gem5Error):
        sim_seconds_precise(parse_stats_txt(text))


def test_options_are_validated_and_label_the_results(monkeypatch):
    monkeypatch.setenv("GEM5_IMAGE", "example/gem5:tag")
    backend = Gem5Backend()
    assert backend.options["image"] == "example/gem5:tag"
    assert backend.options["gem5_timeout_s"] == 120.0
    assert backend.options["cpu_type"] == "Verbatim"
    with pytest.raises(ValueError):
        Gem5Backend(cpu_type="Fast")
    with pytest.raises(TypeError):
        Gem5Backend(timeout=3)
    with pytest.raises(TypeError):
        Gem5Backend(docker_url="tcp://elsewhere:2375")  # the engine is never a job option
    with pytest.raises(ValueError):
        Gem5Backend(gem5_timeout_s=10**6)
    assert Gem5Backend.USER_OPTIONS <= set(backend.options)


def test_unreachable_docker_engine_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    with pytest.raises(BackendUnavailable, match="gem5 backend"):
        Gem5Backend().config()
