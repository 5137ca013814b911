"""The default backend: valgrind cachegrind counts folded into estimated cycles.

cachegrind simulates an explicit Skylake-like geometry (L1I and L1D 32 KiB 8-way, last level
8 MiB 16-way, 64-byte lines) plus branch prediction. Its counts depend only on the program,
its input and the geometry, never on machine load, so the backend is deterministic: the same
binary on the same test gives the same counts every time (checked by ``engine.selftest``).
The program runs in the sandbox with a fixed path, argv and environment, which keeps even the
loader's work identical between runs.

cachegrind counts user-mode work only. valgrind's system-call trace (``--trace-syscalls=yes``)
adds what the kernel does for the program, counted just as deterministically: the number of
system calls and the pages of heap growth (``brk`` and anonymous ``mmap``, each first touch a
page fault). The trace is streamed through a FIFO and counted on the fly, so a program making
millions of calls costs no disk and no memory.
"""
from __future__ import annotations

import os
import re
import select
import shutil
import tempfile
import threading
from typing import Any

from ..job import Measurement, TestSpec
from ..sandbox import BOX, Bind, Limits, Sandbox
from .base import Backend, CompiledProgram
from .cost_model import CostModel

#: Cache geometries, valgrind syntax ``size_bytes,associativity,line_bytes``.
I1 = "32768,8,64"
D1 = "32768,8,64"
LL = "8388608,16,64"
EVENTS = ("Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw", "Bc", "Bcm", "Bi", "Bim")
#: glibc's memcpy/memset switch to ``rep movsb``/``rep stosb`` for large blocks. valgrind executes
#: those one byte per iteration, counting each byte as an instruction and a data access, whereas
#: Skylake's "fast strings" move 32-64 bytes per cycle. Disabling them makes glibc use its vector
#: loops (32 bytes per instruction), whose counts are close to the hardware's cost. Measured on
#: demo p90009/slow (60,000 string appends): Ir 1.56e9 (>100 s under valgrind) -> 2.85e8 (15 s).
GLIBC_TUNABLES = "glibc.cpu.x86_rep_movsb_threshold=4294967295:glibc.cpu.x86_rep_stosb_threshold=4294967295"
_OUT_FILE = "cachegrind.out"
_LOG_FIFO = "valgrind.log"
PAGE_BYTES = 4096
_MAP_ANONYMOUS = 0x20
_SYSCALL = re.compile(rb"SYSCALL\[\d+,\d+\]\(\s*\d+\) (\w+)(?: \(([^)]*)\))?")
_SUCCESS = re.compile(rb"Success\((0x[0-9a-fA-F]+|\d+)\)")
_PROGRAM = "/prog/program"


class CachegrindError(ValueError):
    """A cachegrind output file that cannot be read."""


def parse_cachegrind_out(text: str) -> dict[str, int]:
    """Return the whole-program totals of a ``cachegrind.out`` file, keyed by event name.

    Uses the ``summary:`` line (totals in the order of the ``events:`` line); if a file has
    none, sums the per-line counts instead.

    Args:
        text: the file's content.

    Returns:
        ``{"Ir": ..., "I1mr": ..., ...}`` with every event of the file.

    Raises:
        CachegrindError: no ``events:`` line, or malformed numbers.
    """
    events: list[str] | None = None
    totals: list[int] | None = None
    summed: list[int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("events:"):
            events = line.split(":", 1)[1].split()
            summed = [0] * len(events)
        elif line.startswith("summary:"):
            try:
                totals = [int(x) for x in line.split(":", 1)[1].split()]
            except ValueError as exc:
                raise CachegrindError(f"line {number}: bad summary: {line!r}") from exc
        elif events is not None and summed is not None and line[:1].isdigit():
            parts = line.split()
            try:
                for i, value in enumerate(parts[1:]):
                    summed[i] += int(value)
            except (ValueError, IndexError) as exc:
                raise CachegrindError(f"line {number}: bad counts: {line!r}") from exc
    if events is None or summed is None:
        raise CachegrindError("no 'events:' line: not a cachegrind output file")
    values = totals if totals is not None else summed
    if len(values) < len(events):
        values = values + [0] * (len(events) - len(values))
    return dict(zip(events, values, strict=False))


class SyscallCounter:
    """Counts a valgrind ``--trace-syscalls=yes`` log fed in arbitrary chunks.

    Attributes:
        syscalls: system calls made by the program (and its loader), each counted once.
        heap_bytes: growth of the ``brk`` heap (highest break minus the first) plus the lengths
            of successful anonymous ``mmap`` calls, bytes: an upper bound of the pages the
            program can fault in. Deterministic like the rest of the trace.
        tail: the last non-trace lines (valgrind's own messages), for error reports.
    """

    def __init__(self) -> None:
        self.syscalls = 0
        self._brk_first: int | None = None
        self._brk_top = 0
        self._mmap_bytes = 0
        self._partial = b""
        self._tail: list[bytes] = []

    @property
    def heap_bytes(self) -> int:
        brk = self._brk_top - self._brk_first if self._brk_first is not None else 0
        return brk + self._mmap_bytes

    @property
    def tail(self) -> str:
        return b"\n".join(self._tail).decode(errors="replace")[-1500:]

    def feed(self, chunk: bytes) -> None:
        """Consume a chunk of the log (lines may be split across chunks)."""
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            self._line(line)

    def close(self) -> None:
        """Consume a last unterminated line."""
        if self._partial:
            self._line(self._partial)
            self._partial = b""

    def _line(self, line: bytes) -> None:
        match = _SYSCALL.search(line)
        if match is None:
            if line.startswith(b"==") or line.startswith(b"--"):
                self._tail = (self._tail + [line])[-20:]
            return
        self.syscalls += 1
        name, args = match.group(1), match.group(2)
        result = _SUCCESS.search(line, match.end())
        if result is None or args is None:
            return
        value = int(result.group(1), 0)
        if name == b"sys_brk":
            if self._brk_first is None:
                self._brk_first = value
            self._brk_top = max(self._brk_top, value)
        elif name == b"sys_mmap":
            parts = args.split(b",")
            try:
                length, flags = int(parts[1], 0), int(parts[3], 0)
            except (IndexError, ValueError):
                return
            if flags & _MAP_ANONYMOUS:
                self._mmap_bytes += -(-length // PAGE_BYTES) * PAGE_BYTES


def count_syscall_log(text: bytes) -> SyscallCounter:
    """Count a whole ``--trace-syscalls=yes`` log at once (the backend streams it instead)."""
    counter = SyscallCounter()
    counter.feed(text)
    counter.close()
    return counter


def _drain_fifo(fd: int, counter: SyscallCounter, stop: threading.Event) -> None:
    """Read the log FIFO into ``counter`` until every writer is gone and ``stop`` is set."""
    poller = select.poll()  # not select.select: a worker may hold descriptors above 1024
    poller.register(fd, select.POLLIN)
    while True:
        ready = poller.poll(200)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if chunk:
                counter.feed(chunk)
                continue
            if stop.is_set():
                break
        elif stop.is_set():
            # Nothing readable and the run is over: the pipe is drained.
            break
    counter.close()


def counts_to_metrics(counts: dict[str, int], model: CostModel) -> dict[str, Any]:
    """Turn raw counts into the labelled figures of a ``Measurement`` (units in the names).

    Args:
        counts: cachegrind totals by event name.
        model: the cost model.

    Returns:
        ``instructions``, ``l1i_misses``, ``l1d_misses`` (reads + writes), ``ll_misses``,
        ``branches``, ``branch_mispredicts``, ``syscalls``, ``heap_pages``, ``cycles``,
        ``estimated_s``, ``counts`` (raw).
    """
    cycles = model.cycles(counts)
    g = counts.get
    return {
        "instructions": g("Ir", 0),
        "l1i_misses": g("I1mr", 0),
        "l1d_misses": g("D1mr", 0) + g("D1mw", 0),
        "ll_misses": g("ILmr", 0) + g("DLmr", 0) + g("DLmw", 0),
        "branches": g("Bc", 0) + g("Bi", 0),
        "branch_mispredicts": g("Bcm", 0) + g("Bim", 0),
        "syscalls": g("syscalls", 0),
        "heap_pages": g("heap_pages", 0),
        "cycles": cycles,
        "estimated_s": model.seconds(cycles),
        "counts": dict(counts),
    }


class CachegrindBackend(Backend):
    """Deterministic estimated cycles from valgrind cachegrind.

    Options (keyword arguments):
        clock_hz: clock of the estimate, hertz (3.5e9).
        time_limit_s: CPU and wall limit of one run under valgrind, seconds (120, as gem5).
        address_space_bytes: ``RLIMIT_AS`` of valgrind, bytes (4 GiB: valgrind needs room
            beyond the program's 2 GiB native limit).
        valgrind: the valgrind executable.
    """

    name = "cachegrind"
    version = "4"  # 2: GLIBC_TUNABLES without rep movsb/stosb; 3: system-call trace counted; 4: faster valgrind flags
    deterministic = True

    def __init__(self, **options: Any) -> None:
        defaults: dict[str, Any] = {"clock_hz": 3.5e9, "time_limit_s": 120.0, "address_space_bytes": 4 * 1024**3}
        super().__init__(**{**defaults, **options})
        self.valgrind = shutil.which(str(self.options.pop("valgrind", "valgrind"))) or "valgrind"
        self.model = CostModel(clock_hz=float(self.options["clock_hz"]))
        self.sandbox = Sandbox()

    def config(self) -> dict[str, Any]:
        """Backend name and version, geometry, cost model and limits: labels every figure."""
        return {
            "name": self.name,
            "version": self.version,
            "I1": I1,
            "D1": D1,
            "LL": LL,
            "cost_model": self.model.as_dict(),
            "glibc_tunables": GLIBC_TUNABLES,
            **{k: v for k, v in self.options.items() if k != "clock_hz"},
        }

    def argv(self) -> list[str]:
        """The valgrind command line, with sandbox paths."""
        return [
            self.valgrind, "--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes",
            f"--I1={I1}", f"--D1={D1}", f"--LL={LL}",
            # Compiled C++ never writes code it then runs, so valgrind's self-modifying-code checks
            # (on by default for code on the stack and heap) only cost time: about 16 % on demo
            # p90008/slow, with identical counts (valgrind 3.19, 2026-11-27). Superblocks of up to
            # 100 instructions instead of 50 save a few per cent more, counts again identical.
            "--smc-check=none", "--vex-guest-max-insns=100",
            "--trace-syscalls=yes", f"--log-file={BOX}/{_LOG_FIFO}",
            f"--cachegrind-out-file={BOX}/{_OUT_FILE}", _PROGRAM,
        ]

    def measure(self, program: CompiledProgram, test: TestSpec) -> Measurement:
        """Run ``program`` on ``test`` under cachegrind in the sandbox.

        Returns:
            ``Measurement`` whose ``cost_s`` is estimated seconds; unsuccessful when valgrind
            fails, the program exits non-zero or a limit is hit.
        """
        limit = float(self.options["time_limit_s"])
        limits = Limits(
            cpu_time_s=limit, wall_time_s=limit, address_space_bytes=int(self.options["address_space_bytes"]),
            output_bytes=64 * 1024**2,
        )
        workdir = tempfile.mkdtemp(prefix="cachegrind-")
        fifo = os.path.join(workdir, _LOG_FIFO)
        os.mkfifo(fifo)
        os.chmod(fifo, 0o666)  # the sandbox's uid writes it
        # Our own write end keeps the FIFO open, so the reader never sees a premature EOF and
        # valgrind's open() never blocks; it is closed once the run is over.
        read_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        keep_fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        counter, stop = SyscallCounter(), threading.Event()
        reader = threading.Thread(target=_drain_fifo, args=(read_fd, counter, stop), daemon=True)
        reader.start()
        try:
            try:
                run = self.sandbox.run(self.argv(), limits=limits, stdin_path=test.input_path, workdir=workdir,
                                       binds=[Bind(program.binary_path, _PROGRAM)],
                                       env={"GLIBC_TUNABLES": GLIBC_TUNABLES})
            finally:
                os.close(keep_fd)
                stop.set()
                reader.join()
                os.close(read_fd)
            if not run.ok:
                reason = "time limit" if (run.wall_timeout or run.cpu_timeout) else (
                    f"exit code {run.exit_code}" if run.exit_code is not None else f"signal {run.signal}")
                tail = (counter.tail + "\n" + run.stderr.decode(errors="replace"))[-800:]
                return Measurement(float("inf"), success=False, error=f"cachegrind run failed ({reason}): {tail}")
            with open(os.path.join(workdir, _OUT_FILE)) as fh:
                counts = parse_cachegrind_out(fh.read())
        except (OSError, CachegrindError) as exc:
            return Measurement(float("inf"), success=False, error=f"cachegrind output unreadable: {exc}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        counts["syscalls"] = counter.syscalls
        counts["heap_pages"] = -(-counter.heap_bytes // PAGE_BYTES)
        metrics = counts_to_metrics(counts, self.model)
        metrics["valgrind_wall_s"] = run.wall_time_s
        return Measurement(cost_s=metrics["estimated_s"], metrics=metrics)
