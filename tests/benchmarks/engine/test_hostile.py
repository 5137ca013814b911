"""The hostile corpus: each program in ``programs/`` with the status it must get.

Every program runs through the real engine (bubblewrap sandbox, real g++). After each one the
test asserts that no sandboxed process outlived its sandbox. Limits are kept small (1 s CPU)
so that the whole corpus runs in well under a minute.
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from apps.benchmarks.engine.config import EngineConfig
from apps.benchmarks.engine.job import RunJob
from apps.benchmarks.engine.runner import run_job
from apps.benchmarks.engine.sandbox import Sandbox, leaked_processes
from apps.benchmarks.engine.status import Status
from apps.benchmarks.engine.steps.compilation import compilation_step
from apps.benchmarks.engine.steps.execution import execution_step, native_limits

from .conftest import PROGRAMS, REPO

pytestmark = pytest.mark.slow

TIME_LIMIT_S = 1.0
#: Small enough that the memory bomb hits it fast, large enough for any C++ runtime.
MEMORY_LIMIT_BYTES = 256 * 1024**2


def _source(name: str) -> str:
    return (PROGRAMS / f"{name}.cpp").read_text()


def _assert_nothing_left() -> None:
    """No process of an ended sandbox may survive (the pool uid of a free slot owns nothing)."""
    deadline = time.monotonic() + 2.0
    while leaked_processes():
        assert time.monotonic() < deadline, f"sandboxed processes outlived their sandbox: {leaked_processes()}"
        time.sleep(0.05)


def _run(engine_config: EngineConfig, make_test, name: str, stdin: str = "", expected: str = "safe\n"):
    job = RunJob(source=_source(name), tests=(make_test(stdin, expected),), backend=None,
                 time_limit_s=TIME_LIMIT_S, memory_limit_bytes=MEMORY_LIMIT_BYTES)
    start = time.monotonic()
    result = run_job(job, engine_config)
    elapsed = time.monotonic() - start
    _assert_nothing_left()
    return result, result.tests[0], elapsed


# (program, expected status, part of the message)
CASES = [
    ("infinite_loop", Status.TLE, "time"),  # CPU, or wall on a loaded host
    ("sleep_forever", Status.TLE, "wall time"),
    ("sigstop", Status.TLE, "wall time"),
    ("fork_bomb", Status.TLE, ""),
    ("memory_bomb", Status.MLE, "memory"),
    ("huge_output", Status.OLE, "stdout"),
    ("file_bomb", Status.OLE, "file"),
    ("exit_nonzero", Status.RE, "exit code 3"),
    ("null_deref", Status.RE, "SIGSEGV"),
]


@pytest.mark.parametrize(("name", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_program_gets_its_status(engine_config, make_test, name, status, message):
    result, test, elapsed = _run(engine_config, make_test, name)
    assert result.compile.success, result.compile.diagnostics
    assert test.status is status, (test.status, test.message)
    assert message in test.message
    assert test.accuracy == 0.0
    # Wall limit is 1.5 x CPU + 1 s; allow the sandbox's start and teardown on a loaded host.
    assert elapsed < TIME_LIMIT_S * 1.5 + 1.0 + 5.0


def test_fork_bomb_is_capped_by_the_process_limit(engine_config, make_test):
    """At most ``processes`` processes exist at once: the rest of the forks fail."""
    source = """#include <unistd.h>
#include <cstdio>
int main() { int made = 0; for (int i = 0; i < 10000; ++i) { pid_t p = fork(); if (p == 0) { pause(); _exit(0); }
  if (p > 0) ++made; } std::printf("%d\\n", made); return 0; }"""
    sandbox = Sandbox()
    compiled = compilation_step(sandbox, source=source, compiler="g++", cflags="-O2", config=engine_config)
    assert compiled.success, compiled.diagnostics
    limits = native_limits(TIME_LIMIT_S, MEMORY_LIMIT_BYTES, processes=16, output_bytes=1 << 20,
                           file_size_bytes=1 << 20)
    executed = execution_step(sandbox, binary_path=compiled.binary_path, input_path=make_test("").input_path,
                              limits=limits)
    _assert_nothing_left()
    assert executed.status is Status.OK, executed.message
    made = int(executed.run.stdout.decode())
    assert 0 < made < 16  # the parent counts against the limit too
    # The paused children died with the sandbox instead of holding it open until the wall limit.
    assert executed.run.wall_time_s < limits.wall_time_s


def test_socket_cannot_reach_anything(engine_config, make_test):
    result, test, _ = _run(engine_config, make_test, "net_connect")
    assert test.status is Status.OK, (test.status, test.message, test.stderr)


def test_cannot_write_outside_its_directory(engine_config, make_test, tmp_path):
    marker = f"pieweb-hostile-{uuid.uuid4().hex}"
    targets = [
        str(REPO / marker),
        str(tmp_path / marker),
        f"/etc/{marker}",
        f"/usr/{marker}",
        f"/{marker}",
        f"/root/{marker}",
        f"/prog/{marker}",
        f"/work/{marker}",
    ]
    result, test, _ = _run(engine_config, make_test, "write_outside", stdin="\n".join(targets) + "\n")
    assert test.status is Status.OK, (test.status, test.message)
    for target in targets:
        assert not os.path.exists(target), target


def test_cannot_read_settings_secrets_or_environment(engine_config, make_test, monkeypatch):
    """Secrets in the engine's own environment and the project's files never reach the program."""
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.setenv("DATABASE_URL", f"postgres://user:{secret}@127.0.0.1/db")
    secret_file = REPO / "var" / "secret_key"
    files = [str(secret_file), str(REPO / "pieweb" / "settings.py"), str(REPO / ".env"), "/proc/1/environ",
             f"/proc/{os.getpid()}/environ", "/root/.bash_history"]
    sandbox = Sandbox()
    compiled = compilation_step(sandbox, source=_source("read_secrets"), compiler="g++", cflags="-std=c++17 -O2",
                                config=engine_config)
    assert compiled.success, compiled.diagnostics
    stdin = Path(engine_config.cache_dir) / "secret-paths.txt"
    stdin.write_text("\n".join(files) + "\n")
    limits = native_limits(TIME_LIMIT_S, MEMORY_LIMIT_BYTES, processes=16, output_bytes=1 << 20,
                           file_size_bytes=1 << 20)
    executed = execution_step(sandbox, binary_path=compiled.binary_path, input_path=str(stdin), limits=limits)
    _assert_nothing_left()
    assert executed.status is Status.OK, executed.message
    out = executed.run.stdout.decode(errors="replace")
    assert out.rstrip().endswith("safe")
    assert secret not in out
    assert "DATABASE_URL" not in out and "SECRET_KEY=" not in out
    assert "== " + str(secret_file) not in out  # the file is not even visible
    if secret_file.exists():
        key = secret_file.read_text().strip()
        if key:
            assert key not in out


def test_orphaned_daemon_does_not_outlive_the_sandbox(engine_config, make_test):
    result, test, elapsed = _run(engine_config, make_test, "orphan_daemon")
    assert test.status is Status.OK, (test.status, test.message)
    assert elapsed < 5.0  # the run ended with main(), not at the wall limit


def test_compile_time_bomb_is_a_compilation_error_within_the_limit(make_test, tmp_path):
    config = EngineConfig(cache_dir=str(tmp_path), compile_time_limit_s=2.0)
    job = RunJob(source=_source("compile_bomb"), tests=(make_test("", ""),), backend=None)
    start = time.monotonic()
    result = run_job(job, config)
    elapsed = time.monotonic() - start
    _assert_nothing_left()
    assert not result.compile.success
    assert result.compile.status is Status.CE
    assert result.status is Status.CE
    assert all(t.status is Status.CE and t.skipped for t in result.tests)
    assert elapsed < 2.0 + 5.0
    assert "limit" in result.compile.diagnostics or "error" in result.compile.diagnostics
