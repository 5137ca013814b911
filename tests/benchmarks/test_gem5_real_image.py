"""The gem5 backend against PIE's real image, run only where ``alexshypula/gem5-skylake:api`` is present.

The image cannot be pulled in CI (no registry access), so this test skips there; on a machine
with the image (``docker pull alexshypula/gem5-skylake:api``) it checks the real simulator's
figures: PIE's own tests expect about 1.004 ms of simulated time for a hello world, and gem5
is deterministic, so two simulations of the same program must agree to the tick.
"""
from __future__ import annotations

import hashlib
import os

import pytest

from apps.benchmarks.engine import job as engine_job
from apps.benchmarks.engine.backends.base import CompiledProgram
from apps.benchmarks.engine.backends.gem5 import DEFAULT_IMAGE, LABEL, Gem5Backend

pytestmark = [pytest.mark.docker, pytest.mark.slow]

HELLO = '#include <cstdio>\nint main() { printf("Hello, World!\\n"); }\n'


@pytest.fixture(scope="module")
def real_image(docker_client) -> str:
    import docker.errors

    image = os.environ.get("PIEWEB_REAL_GEM5_IMAGE", DEFAULT_IMAGE)
    try:
        docker_client.images.get(image)
    except docker.errors.ImageNotFound:
        pytest.skip(f"{image} is not present (docker pull {image})")
    return image


def test_hello_world_in_the_real_image(real_image, tmp_path, docker_client):
    (tmp_path / "input.0.txt").write_text("")
    (tmp_path / "output.0.txt").write_text("Hello, World!\n")
    sha = hashlib.sha256(b"hello").hexdigest()
    test = engine_job.TestSpec(0, str(tmp_path / "input.0.txt"), str(tmp_path / "output.0.txt"), sha)
    backend = Gem5Backend(image=real_image)
    program = CompiledProgram(HELLO, "", "0" * 64, "-std=c++17 -O3")
    with backend.session(program) as session:
        first = session.measure(test)
        second = session.measure(test)
    assert first.success, first.error
    assert 0.0005 < first.cost_s < 0.005  # PIE: 0.001004121118 s
    assert first.metrics["sim_ticks"] == second.metrics["sim_ticks"]
    assert first.cost_s == first.metrics["sim_ticks"] / first.metrics["sim_freq_hz"]
    assert backend.config()["image_id"].startswith("sha256:")
    assert docker_client.containers.list(all=True, filters={"label": LABEL}) == []
