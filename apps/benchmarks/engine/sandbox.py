"""One sandbox for every untrusted process the engine starts: compiler, program, valgrind.

It wraps bubblewrap (``bwrap``):

* namespaces: network, pid, ipc, uts (and cgroup where possible) are private, so the program
  has no network and sees only its own processes;
* file system: ``/usr`` (and the ``/bin``, ``/lib*`` links) and a few loader files from
  ``/etc`` are bound read-only; ``/tmp`` is a private, size-capped tmpfs; the only other
  writable place is the working directory ``/box``. Nothing of the repository, ``/work``,
  ``/root`` or ``var/`` is visible;
* environment: cleared; only ``PATH``, ``LANG`` and ``HOME`` are set. bwrap itself is
  started with the same minimal environment, so not even ``/proc/1/environ`` holds a secret;
* limits: CPU time (``RLIMIT_CPU``), address space (``RLIMIT_AS``), file size
  (``RLIMIT_FSIZE``), processes (``RLIMIT_NPROC``, see below), stdout size (read through a
  pipe with a byte cap), and wall time (the whole tree is killed).

Processes. Root ignores ``RLIMIT_NPROC`` (the kernel exempts the initial user, even when it
is mapped to another uid inside a user namespace). When the engine runs as root (CI,
containers) the program is therefore started under ``setpriv`` as a *dedicated unprivileged
uid* taken from a pool of slots (``UID_BASE + slot``); a slot is held with ``flock`` for the
life of the sandbox, so each concurrent sandbox has its own uid and its own process count.
When the engine runs unprivileged, bwrap creates a user namespace and the limit applies
because the real uid is not root.

Killing. bwrap runs in its own process group with ``--die-with-parent`` and
``--unshare-pid``: killing the group kills bwrap, whose death kills the namespace's init,
and the kernel then kills every process in the namespace. When running as root, the engine
also waits until the sandbox's pool uid owns no process (killing stragglers) before the slot
is released. Nothing outlives its limit.

Figures. bwrap's init never passes its children's resource usage up, so the first process in
every sandbox is ``runguard`` (``runguard.c``, built once per host): it runs the program as a
child subreaper, kills and reaps its leftovers when it exits, and reports the wait status and
the tree's CPU time and peak RSS on a pipe the program cannot reach.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import math
import os
import random
import resource
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: First uid of the pool of unprivileged uids used when the engine runs as root.
UID_BASE = 620_000
#: Number of uids (and so of concurrent sandboxes) in the pool.
UID_SLOTS = 512
#: Where the slot lock files live (shared by every engine process on the host).
SLOT_DIR = os.path.join(tempfile.gettempdir(), "pieweb-sandbox-slots")
#: The working directory inside the sandbox.
BOX = "/box"
#: The only environment a sandboxed process gets.
SANDBOX_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": BOX}
#: Loader and toolchain files from /etc that programs and g++ need (bound read-only if present).
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives")
_READ_CHUNK = 65536
#: Where the runguard helper appears inside every sandbox (read-only).
RUNGUARD_PATH = "/.runguard"
_RUNGUARD_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runguard.c")


class SandboxError(RuntimeError):
    """The sandbox itself failed (bwrap missing, bad setup): an internal error, never the program's fault."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run.

    Attributes:
        cpu_time_s: CPU-time limit, seconds (``RLIMIT_CPU`` is set to the next whole second
            and the measured CPU time is compared with this exact value).
        wall_time_s: wall-clock limit, seconds; the whole process tree is killed at it.
        address_space_bytes: ``RLIMIT_AS`` of every process, bytes; ``None`` for no limit.
        processes: most processes/threads the sandbox may hold at once.
        file_size_bytes: largest file any process may write (``RLIMIT_FSIZE``), bytes; also
            the size of the private ``/tmp`` tmpfs (and twice it for a tmpfs ``/box``).
        output_bytes: largest stdout kept; one byte more and the run is killed (OLE), bytes.
        stderr_bytes: how much stderr is kept (the rest is read and dropped), bytes.
    """

    cpu_time_s: float = 10.0
    wall_time_s: float = 20.0
    address_space_bytes: int | None = 2 * 1024**3
    processes: int = 64
    file_size_bytes: int = 64 * 1024**2
    output_bytes: int = 64 * 1024**2
    stderr_bytes: int = 64 * 1024


@dataclass(frozen=True)
class Bind:
    """A host path made visible in the sandbox at ``dest`` (read-only unless ``writable``)."""

    source: str
    dest: str
    writable: bool = False


@dataclass
class SandboxResult:
    """What happened to one sandboxed process tree.

    Attributes:
        exit_code: exit code of the program, ``None`` when it was killed by a signal.
        signal: number of the signal that killed it, if any.
        cpu_time_s: user + system CPU time of the whole tree, seconds.
        wall_time_s: wall time from start to reaping, seconds.
        memory_bytes: peak resident set size of the largest process in the tree, bytes.
        stdout: captured stdout (at most ``Limits.output_bytes``).
        stderr: captured stderr (at most ``Limits.stderr_bytes``).
        wall_timeout: killed at the wall-time limit.
        cpu_timeout: the CPU-time limit was reached (SIGXCPU/SIGKILL or measured).
        output_exceeded: stdout went past ``Limits.output_bytes`` and the tree was killed.
        file_size_exceeded: a file went past ``RLIMIT_FSIZE`` (SIGXFSZ).
    """

    exit_code: int | None
    signal: int | None
    cpu_time_s: float
    wall_time_s: float
    memory_bytes: int
    stdout: bytes = b""
    stderr: bytes = b""
    wall_timeout: bool = False
    cpu_timeout: bool = False
    output_exceeded: bool = False
    file_size_exceeded: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Exited 0 within every limit."""
        return (
            self.exit_code == 0
            and not self.wall_timeout
            and not self.cpu_timeout
            and not self.output_exceeded
            and not self.file_size_exceeded
        )


class _UidSlot:
    """An exclusive lease on one unprivileged uid of the pool, held through ``flock``."""

    def __init__(self) -> None:
        os.makedirs(SLOT_DIR, mode=0o700, exist_ok=True)
        order = list(range(UID_SLOTS))
        random.shuffle(order)
        for slot in order:
            fd = os.open(os.path.join(SLOT_DIR, f"{slot}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.fd = fd
            self.uid = UID_BASE + slot
            return
        raise SandboxError(f"all {UID_SLOTS} sandbox uid slots are busy")

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def _system_binds() -> list[str]:
    """bwrap arguments that expose the read-only system: /usr, the /bin and /lib links, loader files."""
    args = ["--ro-bind", "/usr", "/usr", "--perms", "0755", "--dir", "/etc"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + name
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in _ETC_FILES:
        path = "/etc/" + name
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


@functools.lru_cache(maxsize=1)
def runguard_binary() -> str:
    """Build (once per host and source version) and return the ``runguard`` helper, see runguard.c.

    It is trusted engine code, compiled outside the sandbox with the host's C compiler into a
    root-owned folder under the temp dir, keyed by the hash of its source.

    Raises:
        SandboxError: no C compiler, a compile failure, or a folder owned by someone else.
    """
    with open(_RUNGUARD_SOURCE, "rb") as fh:
        source = fh.read()
    digest = hashlib.sha256(source).hexdigest()[:16]
    folder = os.path.join(tempfile.gettempdir(), f"pieweb-runguard-{os.geteuid()}")
    os.makedirs(folder, mode=0o755, exist_ok=True)
    info = os.stat(folder)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise SandboxError(f"{folder} is not owned by this user or is writable by others")
    path = os.path.join(folder, f"runguard-{digest}")
    if os.path.exists(path):
        return path
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise SandboxError("no C compiler (gcc) to build the sandbox's runguard helper")
    tmp = f"{path}.{os.getpid()}.tmp"
    done = subprocess.run([compiler, "-O2", "-o", tmp, _RUNGUARD_SOURCE], capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        raise SandboxError(f"cannot build runguard: {done.stderr[-2000:]}")
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path


def _parse_report(data: bytes) -> tuple[int, float, int] | None:
    """``(wait status, CPU seconds, peak RSS bytes)`` from runguard's report line, or None."""
    parts = data.decode(errors="replace").split()
    if len(parts) != 4 or not all(p.lstrip("-").isdigit() for p in parts):
        return None
    status, user_us, sys_us, maxrss_kb = (int(p) for p in parts)
    return status, (user_us + sys_us) / 1e6, maxrss_kb * 1024


class Sandbox:
    """Runs commands under bubblewrap with the limits described in the module docstring.

    Args:
        bwrap: the bubblewrap executable.
        setpriv: the ``setpriv`` executable used to drop to a pool uid when running as root.
    """

    def __init__(self, bwrap: str = "bwrap", setpriv: str = "setpriv") -> None:
        self.bwrap = shutil.which(bwrap)
        self.setpriv = shutil.which(setpriv)
        self.as_root = os.geteuid() == 0
        if self.bwrap is None:
            raise SandboxError(f"{bwrap!r} not found on PATH: install bubblewrap")
        if self.as_root and self.setpriv is None:
            raise SandboxError(f"{setpriv!r} not found on PATH: install util-linux")
        self.runguard = runguard_binary()

    def run(
        self,
        argv: Sequence[str],
        *,
        limits: Limits,
        stdin_path: str | None = None,
        workdir: str | None = None,
        binds: Sequence[Bind] = (),
        env: Mapping[str, str] | None = None,
    ) -> SandboxResult:
        """Run ``argv`` inside a fresh sandbox and wait for the whole tree to end.

        Args:
            argv: the command, with paths as seen inside the sandbox.
            limits: resource limits of the run.
            stdin_path: host file fed to stdin (``/dev/null`` when ``None``).
            workdir: host folder bound writable at ``/box`` (the program's cwd). It is
                handed to the sandbox uid for the run. ``None`` gives a private tmpfs of
                ``limits.file_size_bytes`` bytes instead.
            binds: extra host paths to expose (read-only unless marked writable).
            env: variables added to ``SANDBOX_ENV`` for this run (fixed by the engine, never
                taken from the engine's own environment).

        Returns:
            The exit status, resource usage and captured output.

        Raises:
            SandboxError: bwrap could not be started (never for program faults).
        """
        slot = _UidSlot() if self.as_root else None
        try:
            return self._run(argv, limits, stdin_path, workdir, binds, slot, dict(env or {}))
        finally:
            if slot is not None:
                # The pid namespace dies asynchronously after bwrap; the uid is ours alone, so
                # wait for (and if need be kill) its last processes before another sandbox gets it.
                reap_uid(slot.uid)
                slot.release()

    def _command(self, argv: Sequence[str], limits: Limits, workdir: str | None, binds: Sequence[Bind],
                 slot: _UidSlot | None, report_fd: int, env: dict[str, str]) -> list[str]:
        cmd = [self.bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent", "--new-session",
               "--clearenv"]
        for key, value in {**SANDBOX_ENV, **env}.items():
            cmd += ["--setenv", key, value]
        if not self.as_root:
            cmd += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
        cmd += _system_binds()
        cmd += ["--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(limits.file_size_bytes), "--tmpfs", "/tmp"]
        if workdir is None:
            # Twice the file-size limit, so that one oversized file hits RLIMIT_FSIZE (a clear
            # SIGXFSZ) before the tmpfs is full.
            cmd += ["--perms", "1777", "--size", str(2 * limits.file_size_bytes), "--tmpfs", BOX]
        else:
            cmd += ["--bind", workdir, BOX]
        made = {"/", "/etc", "/tmp", BOX}
        for bind in [*binds, Bind(self.runguard, RUNGUARD_PATH)]:
            parent = os.path.dirname(bind.dest)
            if parent not in made:
                # bwrap would create missing parents mode 0700: unreadable for the sandbox uid.
                cmd += ["--perms", "0755", "--dir", parent]
                made.add(parent)
            cmd += ["--bind" if bind.writable else "--ro-bind", bind.source, bind.dest]
        cmd += ["--chdir", BOX]
        if slot is not None:
            cmd += [self.setpriv, f"--reuid={slot.uid}", f"--regid={slot.uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        return cmd + [RUNGUARD_PATH, str(report_fd), *argv]

    def _run(self, argv: Sequence[str], limits: Limits, stdin_path: str | None, workdir: str | None,
             binds: Sequence[Bind], slot: _UidSlot | None, env: dict[str, str]) -> SandboxResult:
        if workdir is not None and slot is not None:
            for root, dirs, files in os.walk(workdir):
                for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                    os.lchown(name, slot.uid, slot.uid)
        report_r, report_w = os.pipe()
        os.set_blocking(report_r, False)
        cmd = self._command(argv, limits, workdir, binds, slot, report_w, env)
        cpu_rlimit = max(1, math.ceil(limits.cpu_time_s))

        def _limit_child() -> None:
            # Inherited by bwrap and everything it starts. RLIMIT_CPU's soft limit sends SIGXCPU,
            # the hard limit one second later SIGKILL, so a program ignoring SIGXCPU still dies.
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_rlimit, cpu_rlimit + 1))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_bytes, limits.file_size_bytes))
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            os.umask(0o022)  # bwrap creates mount points (/etc, /prog) with this mask
            if limits.address_space_bytes is not None:
                resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes, limits.address_space_bytes))

        stdin = open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb")  # noqa: SIM115
        start = time.monotonic()
        try:
            proc = subprocess.Popen(
                cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=dict(SANDBOX_ENV), start_new_session=True, preexec_fn=_limit_child, close_fds=True,
                pass_fds=(report_w,),
            )
        except OSError as exc:
            os.close(report_r)
            raise SandboxError(f"cannot start bwrap: {exc}") from exc
        finally:
            stdin.close()
            os.close(report_w)
        stdout, stderr, wall_timeout, output_exceeded, (status, usage) = self._pump(proc, limits, start)
        wall = time.monotonic() - start
        proc.returncode = 0  # reaped by wait4; keep Popen from waiting again
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        try:
            report = _parse_report(os.read(report_r, 4096))
        except BlockingIOError:
            report = None  # the tree was killed before runguard could report
        finally:
            os.close(report_r)
        cpu = usage.ru_utime + usage.ru_stime
        memory = usage.ru_maxrss * 1024
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if report is not None:
            # runguard saw the program's own wait status and its whole tree's usage.
            program_status, cpu, memory = report
            exit_code = os.WEXITSTATUS(program_status) if os.WIFEXITED(program_status) else None
            sig = os.WTERMSIG(program_status) if os.WIFSIGNALED(program_status) else None
        elif exit_code is not None and exit_code > 128 and not wall_timeout and not output_exceeded:
            # bwrap reports the program's death by signal N as exit code 128 + N.
            sig, exit_code = exit_code - 128, None
        if wall_timeout or output_exceeded:
            sig, exit_code = signal.SIGKILL, None
        cpu_timeout = cpu >= limits.cpu_time_s or sig == signal.SIGXCPU
        if sig == signal.SIGKILL and cpu >= cpu_rlimit - 0.05:
            cpu_timeout = True
        return SandboxResult(
            exit_code=exit_code,
            signal=sig,
            cpu_time_s=cpu,
            wall_time_s=wall,
            memory_bytes=memory,
            stdout=stdout,
            stderr=stderr,
            wall_timeout=wall_timeout,
            cpu_timeout=cpu_timeout,
            output_exceeded=output_exceeded,
            file_size_exceeded=sig == signal.SIGXFSZ,
        )

    @staticmethod
    def _pump(
        proc: subprocess.Popen[bytes], limits: Limits, start: float
    ) -> tuple[bytes, bytes, bool, bool, tuple[int, resource.struct_rusage]]:
        """Read stdout/stderr with byte caps until both close, kill the tree at a limit, reap it."""
        sel = selectors.DefaultSelector()
        assert proc.stdout is not None and proc.stderr is not None
        sel.register(proc.stdout, selectors.EVENT_READ, "out")
        sel.register(proc.stderr, selectors.EVENT_READ, "err")
        out, err = bytearray(), bytearray()
        wall_timeout = output_exceeded = False
        deadline = start + limits.wall_time_s
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                wall_timeout = True
                break
            for key, _ in sel.select(timeout=min(remaining, 0.5)):
                chunk = os.read(key.fileobj.fileno(), _READ_CHUNK)  # type: ignore[union-attr]
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                if key.data == "out":
                    out += chunk
                    if len(out) > limits.output_bytes:
                        output_exceeded = True
                else:
                    room = limits.stderr_bytes - len(err)
                    if room > 0:
                        err += chunk[:room]
            if output_exceeded:
                break
        sel.close()
        if not (wall_timeout or output_exceeded):
            # Streams closed, but a grandchild that closed them could still be alive inside the
            # namespace. bwrap exits once the namespace's init does; give it the rest of the
            # wall budget, then kill.
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    return bytes(out), bytes(err), False, False, (status, usage)
                if time.monotonic() >= deadline:
                    wall_timeout = True
                    break
                time.sleep(0.002)
        _kill_group(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        return bytes(out[: limits.output_bytes]), bytes(err), wall_timeout, output_exceeded, (status, usage)


def uid_processes(uid: int) -> list[int]:
    """Pids of the host processes whose effective uid is ``uid`` (the owner of ``/proc/<pid>``)."""
    pids = []
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except FileNotFoundError:
                continue
    return pids


def reap_uid(uid: int, grace_s: float = 1.0) -> bool:
    """Wait up to ``grace_s`` seconds for every process of a pool ``uid`` to end, then SIGKILL the rest.

    Only called for uids of the sandbox pool, which no other process on the host uses.

    Returns:
        True when no process of ``uid`` is left.
    """
    deadline = time.monotonic() + grace_s
    while True:
        pids = uid_processes(uid)
        if not pids:
            return True
        if time.monotonic() >= deadline:
            break
        time.sleep(0.005)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.05)
    return not uid_processes(uid)


def leaked_processes() -> list[int]:
    """Pids of sandbox-pool processes whose sandbox has ended (its uid slot is free): leaks.

    A slot is held with ``flock`` for the whole life of a sandbox (and until its last process is
    gone), so a live process with a pool uid whose slot can be locked escaped its limits.
    """
    leaked: list[int] = []
    os.makedirs(SLOT_DIR, mode=0o700, exist_ok=True)
    by_uid: dict[int, list[int]] = {}
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                uid = entry.stat().st_uid
            except FileNotFoundError:
                continue
            if UID_BASE <= uid < UID_BASE + UID_SLOTS:
                by_uid.setdefault(uid, []).append(int(entry.name))
    for uid, pids in by_uid.items():
        fd = os.open(os.path.join(SLOT_DIR, f"{uid - UID_BASE}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live sandbox holds it
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            leaked += [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
        finally:
            os.close(fd)
    return leaked


def _kill_group(pgid: int) -> None:
    """SIGKILL bwrap's process group; the pid namespace takes every sandboxed process with it."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
