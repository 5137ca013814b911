"""Contract test of the gem5 backend against a real Docker engine and the local stand-in image.

The stand-in (``gem5_standin/``) has PIE's image layout, a real ``g++`` and a ``gem5.opt`` that
runs the program natively and writes a gem5-format stats file whose ticks are a documented
function of the bytes read and written (``fake_gem5.c``):

    sim_ticks = (3_500_000 + 64 * stdout_bytes + 8 * stdin_bytes) * 286,  sim_freq = 10**12

so every figure below is predicted, not merely "present".
"""
from __future__ import annotations

import hashlib
import math
import time
from pathlib import Path

import pytest

from apps.benchmarks.engine import job as engine_job
from apps.benchmarks.engine.backends import BackendUnavailable, gem5
from apps.benchmarks.engine.backends.base import CompiledProgram
from apps.benchmarks.engine.backends.gem5 import LABEL, Gem5Backend, Gem5Session
from apps.benchmarks.engine.cache import MemoryResultCache
from apps.benchmarks.engine.config import EngineConfig
from apps.benchmarks.engine.job import BackendSpec, RunJob
from apps.benchmarks.engine.runner import run_job
from apps.benchmarks.engine.status import Status
from tests.celery_support import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.slow]

DEMO = Path(__file__).resolve().parents[2] / "demo"
PROBLEM = "p90001"
FAST = (DEMO / "programs" / PROBLEM / "fast.cpp").read_text()
#: Correct natively (10 s limit) but slower than the 0.5 s gem5 limit given below.
SLEEPY = "#include <chrono>\n#include <thread>\n" + FAST.replace(
    "int main() {", "int main() {\n    std::this_thread::sleep_for(std::chrono::milliseconds(1500));", 1)
WRONG = "#include <cstdio>\nint main() { puts(\"0\"); }\n"


def demo_tests(*indices: int) -> tuple[engine_job.TestSpec, ...]:
    specs = []
    for index in indices:
        inp = DEMO / "test_cases" / PROBLEM / f"input.{index}.txt"
        out = DEMO / "test_cases" / PROBLEM / f"output.{index}.txt"
        sha = hashlib.sha256(inp.read_bytes() + b"\0" + out.read_bytes()).hexdigest()
        specs.append(engine_job.TestSpec(index, str(inp), str(out), sha))
    return tuple(specs)


def predicted_seconds(test: engine_job.TestSpec) -> float:
    """The stand-in's time for a correct program whose stdout equals the expected output."""
    stdin_bytes = Path(test.input_path).stat().st_size
    stdout_bytes = Path(test.expected_path).stat().st_size
    return (3_500_000 + 64 * stdout_bytes + 8 * stdin_bytes) * 286 / 10**12


def leftovers(client) -> list[str]:
    containers = [c.name for c in client.containers.list(all=True, filters={"label": LABEL})]
    volumes = [v.name for v in client.volumes.list(filters={"label": LABEL})]
    return containers + volumes


@pytest.fixture(scope="module")
def engine_config(tmp_path_factory) -> EngineConfig:
    return EngineConfig(cache_dir=str(tmp_path_factory.mktemp("gem5-engine-cache")))


@pytest.fixture(scope="module")
def fast_run(gem5_standin_image, engine_config, docker_client):
    """One gem5 run of the demo's fast program on three tests, plus a repeat on the same cache."""
    cache = MemoryResultCache()
    since = int(time.time()) - 1
    job = RunJob(source=FAST, tests=demo_tests(0, 1, 2), backend=BackendSpec("gem5", {"image": gem5_standin_image}))
    first = run_job(job, engine_config, cache=cache)
    left = leftovers(docker_client)
    second = run_job(job, engine_config, cache=cache)
    binary_label = f"{LABEL}.binary={first.compile.binary_sha256[:16]}"
    events = docker_client.events(since=since, until=int(time.time()) + 1, decode=True,
                                  filters={"type": "container", "label": binary_label})
    actions = [event["Action"] for event in events]
    return job, first, second, (left, actions)


def test_correct_program_gets_gem5_time_per_test(fast_run):
    job, result, _, _ = fast_run
    assert result.status is Status.OK and result.correct
    assert result.accs == {0: 1.0, 1: 1.0, 2: 1.0}
    for test, spec in zip(result.tests, job.tests, strict=True):
        m = test.measurement
        assert m is not None and m.success, test.message
        assert m.cost_s == m.metrics["sim_ticks"] / m.metrics["sim_freq_hz"]
        assert m.cost_s == pytest.approx(predicted_seconds(spec), rel=1e-12)
        assert m.metrics["compiler_version"].startswith("g++")
    assert result.agg_cost_s == pytest.approx(sum(predicted_seconds(s) for s in job.tests), rel=1e-12)


def test_results_are_labelled_with_backend_and_image(fast_run, gem5_standin_image, docker_client):
    _, result, _, _ = fast_run
    config = result.backend_config
    assert config["name"] == "gem5" and config["cpu_type"] == "Verbatim"
    assert config["image"] == gem5_standin_image
    assert config["image_id"] == docker_client.images.get(gem5_standin_image).id
    assert config["gem5_timeout_s"] == 120.0


def test_one_container_per_program_and_it_is_removed(fast_run, docker_client):
    *_, (left_after_run, actions) = fast_run
    assert left_after_run == []
    assert leftovers(docker_client) == []
    # One container for the three tests of the first run, none for the cached second run.
    assert actions.count("create") == 1 and actions.count("destroy") == 1


def test_identical_submission_costs_no_second_simulation(fast_run):
    _, first, second, _ = fast_run
    assert all(t.measurement is not None and t.measurement.cached for t in second.tests)
    assert [t.cost_s for t in second.tests] == [t.cost_s for t in first.tests]


def test_container_is_isolated(gem5_standin_image, docker_client):
    backend = Gem5Backend(image=gem5_standin_image, memory_limit_bytes=512 * 1024**2, pids_limit=64)
    program = CompiledProgram(FAST, "", "0" * 64, "-std=c++17 -O3")
    with backend.session(program) as session:
        assert session.error is None
        session.container.reload()
        host = session.container.attrs["HostConfig"]
        assert host["NetworkMode"] == "none"
        assert host["Memory"] == host["MemorySwap"] == 512 * 1024**2
        assert host["PidsLimit"] == 64
        assert host["ReadonlyRootfs"] is True
        assert "ALL" in host["CapDrop"]
        code, out, _, _ = session._exec(["ls", "/sys/class/net"], 10)
        assert (code, out.split()) == (0, [b"lo"])
        code, _, _, _ = session._exec(["sh", "-c", "echo x > /etc/pwned"], 10)
        assert code != 0
    assert leftovers(docker_client) == []


def test_gem5_time_limit_fails_the_measurement_and_stops_the_job(gem5_standin_image, engine_config, docker_client):
    job = RunJob(source=SLEEPY, tests=demo_tests(0, 1),
                 backend=BackendSpec("gem5", {"image": gem5_standin_image, "gem5_timeout_s": 0.5}))
    result = run_job(job, engine_config)
    first, second = result.tests
    assert first.status is Status.OK and first.accuracy == 1.0  # correct natively, as PIE counts it
    assert first.measurement is not None and not first.measurement.success
    assert first.measurement.metrics["timed_out"] is True
    assert "0.5 s time limit" in first.measurement.error
    assert second.skipped and "test 0" in second.message
    assert math.isinf(result.agg_cost_s)
    assert leftovers(docker_client) == []


def test_wrong_program_is_never_simulated(gem5_standin_image, engine_config, docker_client):
    since = int(time.time()) - 1
    job = RunJob(source=WRONG, tests=demo_tests(0, 1), backend=BackendSpec("gem5", {"image": gem5_standin_image}))
    result = run_job(job, engine_config)
    assert result.status is Status.WA and not result.correct
    assert result.tests[0].measurement is None and result.tests[1].skipped
    # Not one gem5 container was even created for a program that fails natively.
    binary_label = f"{LABEL}.binary={result.compile.binary_sha256[:16]}"
    events = docker_client.events(since=since, until=int(time.time()) + 1, decode=True,
                                  filters={"type": "container", "label": binary_label})
    assert list(events) == []


def test_container_that_cannot_start_is_a_failed_measurement_without_leftovers(gem5_standin_image, docker_client):
    backend = Gem5Backend(image=gem5_standin_image, user="no-such-user")
    program = CompiledProgram(FAST, "", "0" * 64, "-std=c++17 -O3")
    measurement = backend.measure(program, demo_tests(0)[0])
    assert not measurement.success and "cannot start the gem5 container" in measurement.error
    assert leftovers(docker_client) == []


def test_compile_error_in_the_image_is_reported(gem5_standin_image):
    backend = Gem5Backend(image=gem5_standin_image)
    program = CompiledProgram("int main( {", "", "0" * 64, "-std=c++17 -O3")
    measurement = backend.measure(program, demo_tests(0)[0])
    assert not measurement.success and "compilation in the gem5 image failed" in measurement.error


def test_absent_image_is_a_clear_configuration_error(docker_client, engine_config):
    with pytest.raises(BackendUnavailable, match="docker pull"):
        Gem5Backend(image="pieweb/no-such-image:absent").config()
    job = RunJob(source=FAST, tests=demo_tests(0), backend=BackendSpec("gem5", {"image": "pieweb/no-such-image:absent"}))
    result = run_job(job, engine_config)
    assert result.status is Status.IE and "docker pull" in result.tests[0].message


def test_container_of_a_dead_worker_removes_itself(gem5_standin_image, docker_client, monkeypatch):
    monkeypatch.setattr(gem5, "SESSION_LIFETIME_S", 5)
    session = Gem5Session(Gem5Backend(image=gem5_standin_image), CompiledProgram(FAST, "", "1" * 64, "-std=c++17"))
    session.start()  # and never closed, as when the worker is killed mid-job
    try:
        assert session.error is None
        assert len(leftovers(docker_client)) == 2  # the container and its working volume
        wait_until(lambda: leftovers(docker_client) == [], timeout_s=60, interval_s=0.5)
    finally:
        session.close()
