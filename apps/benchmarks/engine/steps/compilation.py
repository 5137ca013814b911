"""Compile a C++ source in the sandbox, with a binary cache keyed by (source, compiler version, flags)."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time

from ..config import EngineConfig
from ..job import CompileResult
from ..sandbox import BOX, Bind, Limits, Sandbox, SandboxError
from ..status import Status

SOURCE_NAME = "code.cpp"
BINARY_NAME = "code.out"
#: Largest file the compiler may write (object files, the binary), bytes.
COMPILE_FILE_SIZE_BYTES = 512 * 1024**2


@functools.lru_cache(maxsize=32)
def compiler_version(compiler: str) -> str:
    """Return the first line of ``<compiler> --version`` (e.g. ``g++ (Debian 12.2.0-14) 12.2.0``).

    The compiler is trusted host software, so this runs outside the sandbox.

    Raises:
        FileNotFoundError: the compiler is not installed.
    """
    path = shutil.which(compiler)
    if path is None:
        raise FileNotFoundError(f"compiler {compiler!r} not found on PATH")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    return out.splitlines()[0].strip() if out else path


def binary_key(source: str, compiler: str, version: str, cflags: str) -> str:
    """Return the binary cache key: sha256 of the source, the compiler (name and version) and the flags."""
    blob = json.dumps([source, compiler, version, shlex.split(cflags)]).encode()
    return hashlib.sha256(blob).hexdigest()


def _truncate(text: str, limit_bytes: int) -> str:
    raw = text.encode()
    if len(raw) <= limit_bytes:
        return text
    return raw[:limit_bytes].decode(errors="ignore") + f"\n[... diagnostics truncated to {limit_bytes} bytes]"


def compilation_step(
    sandbox: Sandbox, *, source: str, compiler: str, cflags: str, config: EngineConfig
) -> CompileResult:
    """Compile ``source`` in the sandbox, or return the cached binary.

    Successful binaries and genuine compile errors are cached under
    ``<cache_dir>/binaries/<key>``; a compilation stopped by a limit (time, memory) is not
    cached, since it might pass on a less loaded machine.

    Args:
        sandbox: the sandbox to compile in.
        source: C++ source text.
        compiler: compiler executable name or path (``g++``).
        cflags: compiler flags as one shell-quoted string (``-std=c++17 -O3``).
        config: engine configuration (cache folder, compile time limit in seconds, compiler
            address-space limit in bytes, diagnostics limit in bytes).

    Returns:
        ``CompileResult``; status OK, CE (errors or a limit), or IE (compiler or sandbox missing).
    """
    try:
        version = compiler_version(compiler)
        flags = shlex.split(cflags)
    except (FileNotFoundError, ValueError, subprocess.SubprocessError) as exc:
        return CompileResult(False, None, "", "", diagnostics=str(exc), status=Status.IE)
    key = binary_key(source, compiler, version, cflags)
    store = os.path.join(config.cache_dir, "binaries")
    binary = os.path.join(store, key)
    meta_path = binary + ".json"
    if os.path.exists(meta_path):
        with open(meta_path) as fh:
            meta = json.load(fh)
        if meta["success"] and os.path.exists(binary):
            return CompileResult(True, binary, key, version, meta["diagnostics"], Status.OK, 0.0, cached=True)
        if not meta["success"]:
            return CompileResult(False, None, key, version, meta["diagnostics"], Status.CE, 0.0, cached=True)
    os.makedirs(store, exist_ok=True)
    compiler_path = shutil.which(compiler) or compiler
    binds = []
    if not compiler_path.startswith("/usr/"):
        binds.append(Bind(os.path.dirname(compiler_path), os.path.dirname(compiler_path)))
    limits = Limits(
        cpu_time_s=config.compile_time_limit_s,
        wall_time_s=config.compile_time_limit_s,
        address_space_bytes=config.compile_memory_limit_bytes,
        processes=config.max_processes,
        file_size_bytes=COMPILE_FILE_SIZE_BYTES,
        output_bytes=config.diagnostics_limit_bytes,
        stderr_bytes=config.diagnostics_limit_bytes + 1,  # one byte more tells that there was more
    )
    workdir = tempfile.mkdtemp(prefix="compile-", dir=store)
    try:
        with open(os.path.join(workdir, SOURCE_NAME), "w") as fh:
            fh.write(source)
        argv = [compiler_path, *flags, SOURCE_NAME, "-o", BINARY_NAME]
        start = time.monotonic()
        try:
            run = sandbox.run(argv, limits=limits, workdir=workdir, binds=binds)
        except SandboxError as exc:
            return CompileResult(False, None, key, version, str(exc), Status.IE)
        elapsed = time.monotonic() - start
        diagnostics = _truncate((run.stderr + run.stdout).decode(errors="replace").replace(BOX + "/", ""),
                                config.diagnostics_limit_bytes)
        if run.wall_timeout or run.cpu_timeout:
            note = f"compilation exceeded the {config.compile_time_limit_s:g} s limit"
            return CompileResult(False, None, key, version, f"{note}\n{diagnostics}".strip(), Status.CE, elapsed)
        produced = os.path.join(workdir, BINARY_NAME)
        success = run.exit_code == 0 and os.path.exists(produced)
        if not success and run.signal is not None:
            note = f"compiler killed by signal {run.signal} (memory or file-size limit?)"
            return CompileResult(False, None, key, version, f"{note}\n{diagnostics}".strip(), Status.CE, elapsed)
        if success:
            os.chmod(produced, 0o755)
            os.chown(produced, os.getuid(), os.getgid())
            os.replace(produced, binary)
        tmp_meta = os.path.join(workdir, "meta.json")
        with open(tmp_meta, "w") as fh:
            json.dump({"success": success, "diagnostics": diagnostics, "compiler_version": version}, fh)
        os.replace(tmp_meta, meta_path)
        status = Status.OK if success else Status.CE
        return CompileResult(success, binary if success else None, key, version, diagnostics, status, elapsed)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
