"""The measurement-backend interface. One module per backend; register it in ``REGISTRY``.

A backend turns a compiled, already-checked program and one test into a ``Measurement``.
Its ``config()`` labels every figure it produces; ``config_key()`` is the cache key part.
"""
from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from ..job import Measurement, TestSpec


@dataclass(frozen=True)
class CompiledProgram:
    """What a backend gets: the source (gem5 recompiles in its image) and the host binary."""

    source: str
    binary_path: str
    binary_sha256: str
    cflags: str


class Backend(ABC):
    """Base class of measurement backends.

    Subclasses set ``name``, ``version`` (bump when figures change meaning) and
    ``deterministic``, accept their options as keyword arguments, and implement ``measure``.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    deterministic: ClassVar[bool] = True

    def __init__(self, **options: Any) -> None:
        self.options = options

    def config(self) -> dict[str, Any]:
        """The full configuration that labels this backend's results."""
        return {"name": self.name, "version": self.version, **self.options}

    def config_key(self) -> str:
        """A stable hash of ``config()``: measurements are cached per key."""
        blob = json.dumps(self.config(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    @contextmanager
    def session(self, program: CompiledProgram) -> Iterator[BackendSession]:
        """Open a measuring session for one program (gem5 starts a container here)."""
        yield BackendSession(self, program)

    @abstractmethod
    def measure(self, program: CompiledProgram, test: TestSpec) -> Measurement:
        """Measure ``program`` on ``test``. Must not raise for program faults."""


class BackendSession:
    """Measures one program on many tests; the default just calls ``Backend.measure``."""

    def __init__(self, backend: Backend, program: CompiledProgram) -> None:
        self.backend = backend
        self.program = program

    def measure(self, test: TestSpec) -> Measurement:
        return self.backend.measure(self.program, test)
