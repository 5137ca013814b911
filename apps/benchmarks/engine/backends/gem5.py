"""gem5: PIE's own timing, simulated seconds from its Skylake image, one container per program.

Why a container per program (not PIE's long-lived Flask server in one container): the
container is the unit of isolation and of cleanup. It gets no network, a memory limit, a pids
limit, a read-only root, no capabilities, a small anonymous tmpfs volume as its working
folder and a tmpfs ``/tmp`` (for tools that want one) as its only writable places. It is
force-removed with its volume when the session ends, whatever happened, and it removes itself
after ``SESSION_LIFETIME_S`` should the worker die first.

What a session does, following PIE (pie-reference section 2.4):

1. compile the source *inside the image* with the image's ``g++`` (the compiler version is
   part of what gem5 measured in PIE, so the host binary is not reused), 10 s limit;
2. per test: run the image's binary natively in the container and check its output with the
   engine's checker (PIE judges correctness natively too; the runner has already checked the
   host binary, this catches a binary that behaves differently with the image's compiler);
3. run ``gem5.opt --stats-file=... -d ... run-se.py <cpu_type> code.out < input`` with a
   120 s limit (PIE's paper setting); time = ``sim_ticks / sim_freq`` from ``stats.txt``.

Deliberate fixes of PIE (pie-reference section 8): the stats parser only skips the
``---- Begin/End Simulation Statistics ----`` markers instead of every line containing
"Begin" or "End"; only a small set of figures is kept per test instead of the whole stats
file; a gem5 timeout is reported as such.

The engine imports no Django: the image defaults to the ``GEM5_IMAGE`` environment variable
(the same variable ``pieweb.settings.GEM5_IMAGE`` reads), else PIE's image.
"""
from __future__ import annotations

import io
import math
import os
import shlex
import tarfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import docker
import docker.errors
import docker.types

from ..checkers import get_checker
from ..job import Measurement, TestSpec
from .base import Backend, BackendSession, CompiledProgram

DEFAULT_IMAGE = "alexshypula/gem5-skylake:api"
#: Paths inside PIE's image (pie-reference section 2.2).
GEM5_BINARY = "/home/gem5/build/X86/gem5.opt"
GEM5_SCRIPT = "/home/gem5-skylake-config/gem5-configs/run-se.py"
GEM5_PYTHONPATH = "/home/gem5-skylake-config/gem5-configs/system/"
#: The per-session writable folder (a size-limited tmpfs volume) inside the container.
WORKDIR = "/work"
#: Labels on every container and volume this backend creates, so leftovers can be found.
LABEL = "org.pieweb.gem5"
#: Exit status of coreutils ``timeout`` when the limit was hit.
TIMEOUT_EXIT = 124
#: Bytes of gem5/compiler output kept in an error message.
TAIL_BYTES = 2000
#: Longest limit a job may ask for, seconds (a worker is busy for that long).
MAX_TIMEOUT_S = 3600.0
#: Longest life of a session's container, seconds: it only runs ``sleep`` for this long, so a
#: container orphaned by a killed worker goes away by itself (auto-remove) after a day.
SESSION_LIFETIME_S = 24 * 3600
#: Extra seconds the host waits beyond a limit before killing the whole container.
WATCHDOG_GRACE_S = 30.0

#: Stats kept per test, as ``metrics`` name -> stats.txt key (real gem5 writes thousands).
KEPT_STATS = {
    "sim_ticks": "sim_ticks",
    "sim_freq_hz": "sim_freq",
    "sim_seconds": "sim_seconds",
    "sim_insts": "sim_insts",
    "sim_ops": "sim_ops",
    "host_seconds": "host_seconds",
    "cycles": "system.cpu.numCycles",
    "committed_insts": "system.cpu.committedInsts",
    "ipc": "system.cpu.ipc",
    "branch_mispredicts": "system.cpu.commit.branchMispredicts",
}


class Gem5Error(RuntimeError):
    """gem5's stats file is missing or lacks the figures the time is computed from."""


def _value(token: str) -> Any:
    token = token.rstrip("%")
    if token.lower() in ("nan", "inf", "-inf"):
        return None
    for kind in (int, float):
        try:
            return kind(token)
        except ValueError:
            pass
    return token


def parse_stats_txt(text: str) -> dict[str, Any]:
    """Parse a gem5 ``stats.txt`` into ``{key: value}``.

    ``#`` comments are dropped, ``%`` is stripped, ``nan``/``inf`` become ``None``; a key with
    several values (distributions) maps to a list. When the file holds several dumps the last
    value wins, as in PIE. Only the dump markers are skipped, so keys that contain "End"
    (``...pendingQuiesceStallCyclesEnd``) are kept, unlike PIE's parser.
    """
    stats: dict[str, Any] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("----------"):
            continue
        key, *values = line.split()
        if not values:
            continue
        parsed = [_value(v) for v in values]
        stats[key] = parsed[0] if len(parsed) == 1 else parsed
    return stats


def sim_seconds_precise(stats: dict[str, Any]) -> float:
    """PIE's per-test time: ``sim_ticks / sim_freq``, seconds (more precise than ``sim_seconds``).

    Raises:
        Gem5Error: either figure is missing or not a positive number.
    """
    ticks, freq = stats.get("sim_ticks"), stats.get("sim_freq")
    if not isinstance(ticks, int | float) or not isinstance(freq, int | float) or freq <= 0:
        raise Gem5Error(f"stats lack sim_ticks/sim_freq (sim_ticks={ticks!r}, sim_freq={freq!r})")
    return ticks / freq


def _tar_one(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _tail(data: bytes | None) -> str:
    return (data or b"")[-TAIL_BYTES:].decode(errors="replace").strip()


def _failed(error: str, **metrics: Any) -> Measurement:
    return Measurement(cost_s=math.inf, metrics=metrics, success=False, error=error)


class Gem5Backend(Backend):
    """Simulated seconds from gem5 in PIE's Docker image (deterministic, 10^4-10^5x native).

    Options (keyword arguments; all of them label the results):
        image: Docker image (``GEM5_IMAGE`` env, else ``alexshypula/gem5-skylake:api``).
        cpu_type: ``Verbatim`` (PIE's paper setting), ``Tuned`` or ``UnConstrained``.
        gem5_timeout_s: wall limit of one simulation, seconds (120, PIE's paper setting).
        compile_timeout_s: wall limit of the compilation in the image, seconds (10).
        native_timeout_s: wall limit of the native correctness run in the image, seconds (10).
        checker: engine checker for that native run (``pie``).
        compiler: compiler inside the image (``g++``).
        memory_limit_bytes: container memory limit, swap included, bytes (4 GiB).
        pids_limit: container process/thread limit (256).
        tmpfs_bytes: size of the container's only writable folder, bytes (512 MiB).
        cpus: CPU share of the container (1.0: gem5 is single-threaded).
        user: user inside the image (``gem5``, as PIE's derived image).
        gem5_binary, gem5_script, gem5_pythonpath: paths inside the image.
        pull: pull the image when it is absent (False: deployments pull it beforehand).

    The Docker engine is the environment's (``DOCKER_HOST``, else the default socket), never an
    option, so that a job cannot point the worker at another host.

    Options other than ``USER_OPTIONS`` choose what runs and with which privileges (image,
    paths, user, limits, pulling): an API that lets users pass backend options should pass
    only ``USER_OPTIONS`` through and keep the rest to the operator.
    """

    name = "gem5"
    version = "1"
    deterministic = True
    #: Options that are safe to take from an untrusted job request.
    USER_OPTIONS = frozenset({"cpu_type", "gem5_timeout_s", "checker"})

    def __init__(self, **options: Any) -> None:
        defaults: dict[str, Any] = {
            "image": os.environ.get("GEM5_IMAGE") or DEFAULT_IMAGE,
            "cpu_type": "Verbatim",
            "gem5_timeout_s": 120.0,
            "compile_timeout_s": 10.0,
            "native_timeout_s": 10.0,
            "checker": "pie",
            "compiler": "g++",
            "memory_limit_bytes": 4 * 1024**3,
            "pids_limit": 256,
            "tmpfs_bytes": 512 * 1024**2,
            "cpus": 1.0,
            "user": "gem5",
            "gem5_binary": GEM5_BINARY,
            "gem5_script": GEM5_SCRIPT,
            "gem5_pythonpath": GEM5_PYTHONPATH,
            "pull": False,
        }
        unknown = set(options) - set(defaults)
        if unknown:
            raise TypeError(f"unknown gem5 backend option(s): {', '.join(sorted(unknown))}")
        super().__init__(**{**defaults, **options})
        if self.options["cpu_type"] not in ("Verbatim", "Tuned", "UnConstrained"):
            raise ValueError(f"cpu_type must be Verbatim, Tuned or UnConstrained, not {self.options['cpu_type']!r}")
        for name in ("gem5_timeout_s", "compile_timeout_s", "native_timeout_s"):
            if not 0 < float(self.options[name]) <= MAX_TIMEOUT_S:
                raise ValueError(f"{name} must be in (0, {MAX_TIMEOUT_S:g}] seconds, not {self.options[name]!r}")
        get_checker(str(self.options["checker"]))
        self._image_id: str | None = None

    def client(self) -> docker.DockerClient:
        """A new client of the environment's Docker engine (the caller closes it)."""
        return docker.from_env(timeout=120)

    def image_id(self) -> str:
        """The image's content id (``sha256:...``), pulling it first when ``pull`` is set.

        Raises:
            BackendUnavailable: Docker is unreachable or the image is absent.
        """
        if self._image_id is not None:
            return self._image_id
        from . import BackendUnavailable

        image = str(self.options["image"])
        try:
            client = self.client()
        except docker.errors.DockerException as exc:
            raise BackendUnavailable(f"gem5 backend: Docker engine unreachable: {exc}") from exc
        try:
            try:
                self._image_id = client.images.get(image).id
            except docker.errors.ImageNotFound:
                if not self.options["pull"]:
                    raise BackendUnavailable(
                        f"gem5 backend: image {image!r} is not present; run `docker pull {image}`") from None
                self._image_id = client.images.pull(image).id
        except docker.errors.DockerException as exc:
            raise BackendUnavailable(f"gem5 backend: cannot use image {image!r}: {exc}") from exc
        finally:
            client.close()
        return self._image_id

    def config(self) -> dict[str, Any]:
        """Name, version, options and the image's content id: a rebuilt image is a new config.

        Raises:
            BackendUnavailable: Docker is unreachable or the image is absent.
        """
        return {**super().config(), "image_id": self.image_id()}

    @contextmanager
    def session(self, program: CompiledProgram) -> Iterator[Gem5Session]:
        """Start one container for ``program``, compile it there; always remove the container."""
        session = Gem5Session(self, program)
        try:
            session.start()
            yield session
        finally:
            session.close()

    def measure(self, program: CompiledProgram, test: TestSpec) -> Measurement:
        """Measure one test in a container of its own (sessions reuse one container)."""
        with self.session(program) as session:
            return session.measure(test)


class Gem5Session(BackendSession):
    """One container, one compiled program, many tests.

    A failure to start or compile does not raise: it is remembered and every ``measure``
    returns an unsuccessful ``Measurement`` saying why.
    """

    backend: Gem5Backend

    def __init__(self, backend: Gem5Backend, program: CompiledProgram) -> None:
        super().__init__(backend, program)
        self.opts = backend.options
        self.client: docker.DockerClient | None = None
        self.container: Any = None
        self.error: str | None = None
        self.compiler_version = ""
        self._inputs: dict[str, str] = {}
        self.tag = uuid.uuid4().hex[:12]

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Start the container (with its tmpfs volume), then compile; failures land in ``error``.

        Cleanup does not rely on this process alone: the container runs ``sleep`` for at most
        ``SESSION_LIFETIME_S`` and is started with auto-remove, and its working volume is
        anonymous, so even a worker killed mid-job leaves nothing behind for long.
        """
        labels = {LABEL: "1", f"{LABEL}.session": self.tag, f"{LABEL}.binary": self.program.binary_sha256[:16]}
        work = docker.types.Mount(
            target=WORKDIR, source=None, type="volume", labels=labels,
            driver_config=docker.types.DriverConfig("local", {
                "type": "tmpfs", "device": "tmpfs", "o": f"size={int(self.opts['tmpfs_bytes'])},mode=1777"}),
        )
        memory = int(self.opts["memory_limit_bytes"])
        try:
            self.client = self.backend.client()
            # By content id when known: the image that runs is the one the results are labelled with.
            self.container = self.client.containers.run(
                self.backend._image_id or str(self.opts["image"]),
                entrypoint=["sleep", str(int(SESSION_LIFETIME_S))], detach=True, auto_remove=True,
                name=f"pieweb-gem5-{self.tag}", labels=labels, network_mode="none",
                mem_limit=memory, memswap_limit=memory, pids_limit=int(self.opts["pids_limit"]),
                nano_cpus=int(float(self.opts["cpus"]) * 1e9), read_only=True,
                cap_drop=["ALL"], security_opt=["no-new-privileges"], user=str(self.opts["user"]),
                mounts=[work], working_dir=WORKDIR,
                tmpfs={"/tmp": "rw,noexec,nosuid,nodev,size=64m,mode=1777"},
                environment={"PYTHONPATH": str(self.opts["gem5_pythonpath"])},
            )
        except docker.errors.DockerException as exc:
            self.error = f"cannot start the gem5 container ({self.opts['image']}): {exc}"
            return
        try:
            self._compile()
        except docker.errors.DockerException as exc:
            self.error = f"compilation in the gem5 image failed: {exc}"

    def close(self) -> None:
        """Force-remove the container with its volume; never raises.

        Containers are also looked up by this session's label, because a container that was
        created but failed to start is not returned by ``containers.run``.
        """
        if self.client is None:
            return
        things = [self.container] if self.container is not None else []
        try:
            things += self.client.containers.list(all=True, filters={"label": f"{LABEL}.session={self.tag}"})
        except docker.errors.DockerException:
            pass
        for thing in things:
            try:
                thing.remove(force=True, v=True)
            except docker.errors.DockerException:  # noqa: PERF203 - already gone, or best effort
                pass
        try:
            for volume in self.client.volumes.list(filters={"label": f"{LABEL}.session={self.tag}"}):
                volume.remove(force=True)
        except docker.errors.DockerException:
            pass
        self.client.close()
        self.container = self.client = None

    # -- helpers ---------------------------------------------------------------------------
    def _exec(self, argv: list[str], limit_s: float) -> tuple[int, bytes, bytes, bool]:
        """Run ``argv`` in the container under ``timeout`` (wall, seconds).

        Returns ``(exit_code, stdout, stderr, timed_out)``. A host watchdog kills the whole
        container if even ``timeout`` fails to return in time.
        """
        wrapped = ["timeout", "-k", "5", f"{limit_s:g}", *argv]
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            try:
                self.container.kill()
            except docker.errors.DockerException:
                pass

        watchdog = threading.Timer(limit_s + WATCHDOG_GRACE_S, kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            result = self.container.exec_run(wrapped, workdir=WORKDIR, demux=True)
        finally:
            watchdog.cancel()
        out, err = result.output if result.output else (b"", b"")
        if fired.is_set():
            self.error = f"container killed after {limit_s + WATCHDOG_GRACE_S:g} s"
            return -9, out or b"", err or b"", True
        return result.exit_code, out or b"", err or b"", result.exit_code == TIMEOUT_EXIT

    def _put(self, name: str, data: bytes) -> None:
        self.container.put_archive(WORKDIR, _tar_one(name, data))

    def _get(self, path: str, limit_bytes: int) -> bytes | None:
        """A file's content from the container, ``None`` when absent or larger than the limit."""
        try:
            stream, stat = self.container.get_archive(path)
        except docker.errors.NotFound:
            return None
        if int(stat.get("size", 0)) > limit_bytes:
            return None
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.extractfile(tar.getmembers()[0])
            return member.read() if member else None

    def _compile(self) -> None:
        code, out, _err, _ = self._exec([str(self.opts["compiler"]), "--version"], 30)
        self.compiler_version = out.decode(errors="replace").splitlines()[0].strip() if code == 0 and out else ""
        self._put("code.cpp", self.program.source.encode())
        flags = shlex.split(self.program.cflags)
        code, out, err, timed_out = self._exec(
            [str(self.opts["compiler"]), "code.cpp", "-o", "code.out", *flags], float(self.opts["compile_timeout_s"]))
        if timed_out:
            self.error = f"compilation in the gem5 image exceeded {self.opts['compile_timeout_s']:g} s"
        elif code != 0:
            self.error = f"compilation in the gem5 image failed (exit {code}): {_tail(err + out)}"

    def _input_name(self, test: TestSpec) -> str:
        """Copy the test's input into the container once; returns its file name there."""
        name = self._inputs.get(test.sha256)
        if name is None:
            name = f"input.{test.index}.{test.sha256[:12]}.txt"
            with open(test.input_path, "rb") as fh:
                self._put(name, fh.read())
            self._inputs[test.sha256] = name
        return name

    def _shell(self, argv: list[str], stdin: str, stdout: str, stderr: str) -> list[str]:
        redirect = f"exec {shlex.join(argv)} < {shlex.quote(stdin)} > {shlex.quote(stdout)} 2> {shlex.quote(stderr)}"
        return ["sh", "-c", redirect]

    # -- measuring -------------------------------------------------------------------------
    def check_native(self, test: TestSpec, input_name: str) -> str | None:
        """Run the image's binary natively and check its output; returns why it failed, or None."""
        out_name, err_name = f"native.{test.index}.out", f"native.{test.index}.err"
        code, _, _, timed_out = self._exec(self._shell(["./code.out"], input_name, out_name, err_name),
                                           float(self.opts["native_timeout_s"]))
        if timed_out:
            return f"the image's binary exceeded {self.opts['native_timeout_s']:g} s natively"
        if code != 0:
            err = self._get(f"{WORKDIR}/{err_name}", 1 << 20)
            return f"the image's binary exited with code {code} natively: {_tail(err)}"
        output = self._get(f"{WORKDIR}/{out_name}", int(self.opts["tmpfs_bytes"]))
        if output is None:
            return "the image's binary wrote no readable output"
        with open(test.expected_path, "rb") as fh:
            expected = fh.read()
        verdict = get_checker(str(self.opts["checker"]))(output, expected)
        if not verdict.accepted:
            return f"the image's binary gives a wrong answer ({verdict.accuracy:.3f}): {verdict.message}"
        return None

    def measure(self, test: TestSpec) -> Measurement:
        """Simulate the program on ``test``; ``cost_s`` is ``sim_ticks / sim_freq``, seconds."""
        label = {"compiler_version": self.compiler_version}
        if self.error is not None or self.container is None:
            return _failed(self.error or "no gem5 container", **label)
        input_name = self._input_name(test)
        wrong = self.check_native(test, input_name)
        if wrong is not None:
            return _failed(wrong, **label)
        n = test.index
        stats_path, out_name, err_name = f"{WORKDIR}/stats.{n}.txt", f"gem5.{n}.out", f"gem5.{n}.err"
        argv = [str(self.opts["gem5_binary"]), f"--stats-file={stats_path}", "-d", f"{WORKDIR}/m5out.{n}",
                str(self.opts["gem5_script"]), str(self.opts["cpu_type"]), f"{WORKDIR}/code.out"]
        limit = float(self.opts["gem5_timeout_s"])
        code, _, _, timed_out = self._exec(self._shell(argv, input_name, out_name, err_name), limit)
        if timed_out:
            return _failed(f"gem5 exceeded its {limit:g} s time limit", timed_out=True, **label)
        if code != 0:
            err = self._get(f"{WORKDIR}/{err_name}", 16 << 20)
            return _failed(f"gem5 exited with code {code}: {_tail(err)}", gem5_exit_code=code, **label)
        text = self._get(stats_path, 64 << 20)
        if text is None:
            return _failed(f"gem5 wrote no stats file at {stats_path}", **label)
        stats = parse_stats_txt(text.decode(errors="replace"))
        try:
            seconds = sim_seconds_precise(stats)
        except Gem5Error as exc:
            return _failed(str(exc), **label)
        metrics = {name: stats[key] for name, key in KEPT_STATS.items() if key in stats}
        metrics.update(sim_seconds_precise=seconds, stats_keys=len(stats), **label)
        return Measurement(cost_s=seconds, metrics=metrics)


__all__ = ["DEFAULT_IMAGE", "Gem5Backend", "Gem5Error", "Gem5Session", "parse_stats_txt", "sim_seconds_precise"]
