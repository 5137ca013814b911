"""Fixtures that provide a real Docker engine and the gem5 stand-in image.

``docker_client`` uses the engine that answers already (``DOCKER_HOST`` or the default socket).
When none does and this process may start one (root, ``dockerd`` installed), it starts
``dockerd --bridge=none --iptables=false`` (no networking is needed: gem5 containers run with
``network_mode=none``), waits for it and stops it at the end of the session.

When no engine can be had the docker tests are skipped, except in CI (``CI=true``), where they
must run: there the fixture fails loudly with the daemon's log instead.

``gem5_standin_image`` builds (or reuses, by content hash) ``pieweb/gem5-standin:test``.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest

#: Longest wait for a started dockerd to answer, seconds.
DOCKERD_START_TIMEOUT_S = 60.0
#: Longest wait for a started dockerd to exit at the end, seconds.
DOCKERD_STOP_TIMEOUT_S = 30.0


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    """Skip outside CI; in CI a missing Docker engine is a failure, never a silent skip."""
    if in_ci():
        pytest.fail(f"CI=true but no Docker engine is available: {reason}", pytrace=False)
    pytest.skip(f"no Docker engine: {reason}")


def _ping() -> Any | None:
    """A client of an engine that answers, or None."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
        return client
    except Exception:  # noqa: BLE001 - any failure means "no engine here"
        return None


def _start_dockerd(log_path: str) -> subprocess.Popen[bytes]:
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise RuntimeError("dockerd is not installed (Debian package docker.io)")
    if os.geteuid() != 0:
        raise RuntimeError("dockerd must be started as root; start it yourself (scripts/dockerd-up.sh)")
    log = open(log_path, "wb")  # noqa: SIM115 - lives as long as the daemon
    return subprocess.Popen(
        [dockerd, "--bridge=none", "--iptables=false", "--ip6tables=false"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=DOCKERD_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A Docker SDK client of a running engine (started here when needed, stopped after)."""
    client = _ping()
    if client is not None:
        yield client
        client.close()
        return
    log_path = os.path.join(tempfile.gettempdir(), f"pieweb-test-dockerd-{os.getpid()}.log")
    try:
        proc = _start_dockerd(log_path)
    except (RuntimeError, OSError) as exc:
        _unavailable(str(exc))
        return
    deadline = time.monotonic() + DOCKERD_START_TIMEOUT_S
    while client is None and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        client = _ping()
    if client is None:
        _stop(proc)
        with open(log_path, errors="replace") as fh:
            tail = fh.read()[-3000:]
        _unavailable(f"dockerd did not answer within {DOCKERD_START_TIMEOUT_S:g} s; its log ({log_path}):\n{tail}")
        return
    try:
        yield client
    finally:
        client.close()
        _stop(proc)


@pytest.fixture(scope="session")
def gem5_standin_image(docker_client: Any) -> str:
    """Tag of the locally built gem5 stand-in image (built once per content hash)."""
    from tests.benchmarks.gem5_standin.build import IMAGE_TAG, ensure_image

    ensure_image(docker_client, tag=IMAGE_TAG, progress=False)
    return IMAGE_TAG
