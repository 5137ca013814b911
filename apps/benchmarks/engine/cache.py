"""Result caches the runner consults before running or measuring anything.

A cached entry is a whole ``TestResult`` (native verdict, accuracy and measurement), keyed by
(binary hash, test content hash, backend config key, checker). Deterministic backends make the
cache exact: asking twice costs nothing. The Django side supplies a database-backed cache;
``MemoryResultCache`` serves scripts, notebooks and tests.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .job import TestResult


@dataclass(frozen=True)
class CacheKey:
    binary_sha256: str
    test_sha256: str
    backend_config_key: str  # "" when no backend (correctness only)
    checker: str


class ResultCache(Protocol):
    def get(self, key: CacheKey) -> TestResult | None: ...

    def put(self, key: CacheKey, result: TestResult) -> None: ...


class MemoryResultCache:
    """A process-local cache (dict)."""

    def __init__(self) -> None:
        self._entries: dict[CacheKey, TestResult] = {}

    def get(self, key: CacheKey) -> TestResult | None:
        return self._entries.get(key)

    def put(self, key: CacheKey, result: TestResult) -> None:
        self._entries[key] = result

    def __len__(self) -> int:
        return len(self._entries)
