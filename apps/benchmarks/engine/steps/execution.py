"""Run a compiled program on one input in the sandbox and classify what happened."""
from __future__ import annotations

import signal
from dataclasses import dataclass

from ..sandbox import Bind, Limits, Sandbox, SandboxResult
from ..status import Status

#: Where the program's binary appears inside the sandbox (read-only).
PROGRAM_PATH = "/prog/program"
#: A run that died with at least this fraction of the address-space limit resident is MLE.
MLE_RSS_FRACTION = 0.9
_BAD_ALLOC_MARKERS = (b"std::bad_alloc", b"bad_array_new_length", b"Cannot allocate memory")


@dataclass(frozen=True)
class ExecutionResult:
    """A native run and its verdict before checking the output.

    Attributes:
        run: raw sandbox figures (exit status, times in seconds, memory in bytes, output).
        status: OK when it exited 0 within every limit; else TLE/MLE/OLE/RE.
        message: which limit or fault, for people (e.g. ``killed by SIGSEGV``).
    """

    run: SandboxResult
    status: Status
    message: str


def native_limits(time_limit_s: float, memory_limit_bytes: int, *, processes: int, output_bytes: int,
                  file_size_bytes: int) -> Limits:
    """Limits of a native run: CPU = ``time_limit_s``, wall = 1.5 x CPU + 1 s (sleeping counts, gently).

    Args:
        time_limit_s: CPU-time limit, seconds.
        memory_limit_bytes: address-space limit, bytes.
        processes: process/thread limit.
        output_bytes: stdout cap, bytes.
        file_size_bytes: file-size cap, bytes.
    """
    return Limits(
        cpu_time_s=time_limit_s,
        wall_time_s=time_limit_s * 1.5 + 1.0,
        address_space_bytes=memory_limit_bytes,
        processes=processes,
        file_size_bytes=file_size_bytes,
        output_bytes=output_bytes,
    )


def classify(run: SandboxResult, limits: Limits) -> tuple[Status, str]:
    """Turn raw sandbox figures into a status, in a fixed order of precedence.

    The rule for memory: ``RLIMIT_AS`` makes an allocation fail, which in C++ throws
    ``std::bad_alloc`` and, uncaught, aborts (SIGABRT) with that name on stderr; C code gets
    NULL and usually crashes. A failed run is MLE when stderr names an allocation failure or
    when its peak RSS reached ``MLE_RSS_FRACTION`` of the limit; otherwise it is RE.

    Args:
        run: the sandbox result.
        limits: the limits the run had.

    Returns:
        ``(status, message)``.
    """
    if run.output_exceeded:
        return Status.OLE, f"stdout exceeded {limits.output_bytes} bytes"
    if run.file_size_exceeded:
        return Status.OLE, f"a file exceeded {limits.file_size_bytes} bytes"
    if run.wall_timeout:
        return Status.TLE, f"wall time exceeded {limits.wall_time_s:g} s"
    if run.cpu_timeout:
        return Status.TLE, f"CPU time exceeded {limits.cpu_time_s:g} s"
    if run.exit_code == 0:
        return Status.OK, ""
    memory_hit = any(marker in run.stderr for marker in _BAD_ALLOC_MARKERS) or (
        limits.address_space_bytes is not None and run.memory_bytes >= MLE_RSS_FRACTION * limits.address_space_bytes
    )
    if memory_hit:
        return Status.MLE, f"memory limit of {limits.address_space_bytes} bytes reached"
    if run.signal is not None:
        try:
            name = signal.Signals(run.signal).name
        except ValueError:
            name = str(run.signal)
        return Status.RE, f"killed by {name}"
    return Status.RE, f"exit code {run.exit_code}"


def execution_step(sandbox: Sandbox, *, binary_path: str, input_path: str, limits: Limits) -> ExecutionResult:
    """Run ``binary_path`` with ``input_path`` on stdin in a fresh sandbox.

    Args:
        sandbox: the sandbox.
        binary_path: host path of the compiled program.
        input_path: host path of the test input.
        limits: limits of the run (see ``native_limits``).

    Returns:
        ``ExecutionResult``.

    Raises:
        SandboxError: the sandbox could not run (the caller reports IE).
    """
    run = sandbox.run([PROGRAM_PATH], limits=limits, stdin_path=input_path, binds=[Bind(binary_path, PROGRAM_PATH)])
    status, message = classify(run, limits)
    return ExecutionResult(run, status, message)
