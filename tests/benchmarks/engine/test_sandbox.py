"""The sandbox's figures: CPU time and peak memory of the whole tree, exact exit codes, a report
the program cannot forge, and the environment and file system a program sees."""
from __future__ import annotations

import pytest

from apps.benchmarks.engine.sandbox import SANDBOX_ENV, Bind, Limits, Sandbox
from apps.benchmarks.engine.steps.compilation import compilation_step

pytestmark = pytest.mark.slow

SOURCE = r"""
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char** argv) {
    int mode = 0;
    if (scanf("%d", &mode) != 1) return 99;
    if (mode == 1) {  // burn CPU in a child and in the parent
        for (int fd = 3; fd < 64; ++fd) dprintf(fd, "0 0 0 0\n");  // try to forge runguard's report
        pid_t c = fork();
        volatile unsigned long x = 0;
        for (unsigned long i = 0; i < 300000000UL; ++i) x += i;
        if (c == 0) _exit(0);
        waitpid(c, nullptr, 0);
        return 0;
    }
    if (mode == 2) {  // touch 150 MB
        size_t n = 150u << 20;
        volatile char* p = static_cast<volatile char*>(malloc(n));
        for (size_t i = 0; i < n; i += 4096) p[i] = 7;
        printf("%d\n", p[n / 2]);
        return 0;
    }
    if (mode == 3) return 200;  // an exit code above 128 is not a signal
    return 0;
}
"""


@pytest.fixture(scope="module")
def binary(engine_config) -> str:
    compiled = compilation_step(Sandbox(), source=SOURCE, compiler="g++", cflags="-O1", config=engine_config)
    assert compiled.success, compiled.diagnostics
    return compiled.binary_path


def _run(binary: str, make_test, mode: int):
    test = make_test(f"{mode}\n")
    return Sandbox().run(["/prog/program"], limits=Limits(cpu_time_s=10, wall_time_s=30), stdin_path=test.input_path,
                         binds=[Bind(binary, "/prog/program")])


def test_cpu_time_covers_the_whole_tree_and_cannot_be_forged(binary, make_test):
    run = _run(binary, make_test, 1)
    assert run.exit_code == 0
    # two processes each burn 3e8 iterations: far more than one alone, and never the forged 0
    single = _run(binary, make_test, 0).cpu_time_s
    assert run.cpu_time_s > 0.2
    assert run.cpu_time_s > 10 * max(single, 0.001)


def test_peak_memory_is_measured(binary, make_test):
    run = _run(binary, make_test, 2)
    assert run.exit_code == 0 and run.stdout == b"7\n"
    assert 150 * 1024**2 <= run.memory_bytes < 400 * 1024**2


def test_exit_code_above_128_is_an_exit_code(binary, make_test):
    run = _run(binary, make_test, 3)
    assert run.exit_code == 200 and run.signal is None


def test_environment_is_only_the_sandbox_environment(make_test, monkeypatch):
    monkeypatch.setenv("PIEWEB_LEAK_CHECK", "leaked")
    run = Sandbox().run(["/usr/bin/env"], limits=Limits(cpu_time_s=5, wall_time_s=10))
    env = dict(line.split("=", 1) for line in run.stdout.decode().splitlines())
    assert env.pop("PWD", "/box") == "/box"  # bwrap's --chdir sets it
    assert env == SANDBOX_ENV


def test_file_system_is_read_only_except_box_and_tmp():
    script = ("touch /usr/x 2>/dev/null && echo usr; touch /etc/x 2>/dev/null && echo etc; "
              "touch /tmp/x && echo tmp; touch /box/x && echo box; ls /work /root /home 2>/dev/null | head -1")
    run = Sandbox().run(["/bin/sh", "-c", script], limits=Limits(cpu_time_s=5, wall_time_s=10))
    assert run.stdout.decode().split() == ["tmp", "box"]
