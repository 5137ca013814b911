"""Engine-wide configuration, passed in as a frozen dataclass (never read from Django)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineConfig:
    """Where the engine keeps its caches and how it sandboxes programs.

    Attributes:
        cache_dir: folder for compiled binaries (keyed by hash of source, compiler version
            and flags) and the engine's own file caches.
        sandbox: sandbox implementation name (``bwrap``).
        compile_time_limit_s: wall-time limit of one compilation, seconds.
        compile_memory_limit_bytes: address-space limit of the compiler, bytes.
        output_limit_bytes: largest stdout a program may write, bytes (then OLE).
        file_size_limit_bytes: largest file a program may write in its tmp, bytes.
        max_processes: process/thread limit inside the sandbox.
        diagnostics_limit_bytes: how much compiler stderr is kept, bytes.
    """

    cache_dir: str
    sandbox: str = "bwrap"
    compile_time_limit_s: float = 10.0
    compile_memory_limit_bytes: int = 4 * 1024**3
    output_limit_bytes: int = 64 * 1024**2
    file_size_limit_bytes: int = 64 * 1024**2
    max_processes: int = 64
    diagnostics_limit_bytes: int = 64 * 1024
