"""The default backend: valgrind cachegrind counts folded into estimated cycles.

cachegrind simulates an explicit Skylake-like geometry (L1I and L1D 32 KiB 8-way, last level
8 MiB 16-way, 64-byte lines) plus branch prediction. Its counts depend only on the program,
its input and the geometry, never on machine load, so the backend is deterministic: the same
binary on the same test gives the same counts every time (checked by ``engine.selftest``).
The program runs in the sandbox with a fixed path, argv and environment, which keeps even the
loader's work identical between runs.
"""
from __future__ import annotations

import os
import shutil
import tempfile
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


def counts_to_metrics(counts: dict[str, int], model: CostModel) -> dict[str, Any]:
    """Turn raw counts into the labelled figures of a ``Measurement`` (units in the names).

    Args:
        counts: cachegrind totals by event name.
        model: the cost model.

    Returns:
        ``instructions``, ``l1i_misses``, ``l1d_misses`` (reads + writes), ``ll_misses``,
        ``branches``, ``branch_mispredicts``, ``cycles``, ``estimated_s``, ``counts`` (raw).
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
    version = "2"  # 2: GLIBC_TUNABLES without rep movsb/stosb
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
        try:
            run = self.sandbox.run(self.argv(), limits=limits, stdin_path=test.input_path, workdir=workdir,
                                   binds=[Bind(program.binary_path, _PROGRAM)], env={"GLIBC_TUNABLES": GLIBC_TUNABLES})
            if not run.ok:
                reason = "time limit" if (run.wall_timeout or run.cpu_timeout) else (
                    f"exit code {run.exit_code}" if run.exit_code is not None else f"signal {run.signal}")
                tail = run.stderr.decode(errors="replace")[-500:]
                return Measurement(float("inf"), success=False, error=f"cachegrind run failed ({reason}): {tail}")
            with open(os.path.join(workdir, _OUT_FILE)) as fh:
                counts = parse_cachegrind_out(fh.read())
        except (OSError, CachegrindError) as exc:
            return Measurement(float("inf"), success=False, error=f"cachegrind output unreadable: {exc}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        metrics = counts_to_metrics(counts, self.model)
        metrics["valgrind_wall_s"] = run.wall_time_s
        return Measurement(cost_s=metrics["estimated_s"], metrics=metrics)
