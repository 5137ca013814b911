"""Records and issues shared by the PIE file parsers.

Parsers are pure: they read one file lazily and yield either a record (with the line it
came from) or an :class:`Issue`. They never touch the database or the blob store, so a
malformed file can be checked without side effects and the writer decides what to skip.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issue:
    """A problem with one row of an input file, reported as ``file:line: message``.

    ``line`` is 1-based; 0 means the issue concerns a whole file (e.g. a test-case file
    without its partner), in which case ``file`` already names that member.
    """

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


class RowError(ValueError):
    """Raised by field converters; the parser turns it into an :class:`Issue`."""


@dataclass(frozen=True)
class ProblemRecord:
    id: str
    name: str = ""
    source: str = "other"
    time_limit_ms: int | None = None
    memory_limit_kb: int | None = None
    rating: str = ""
    tags: str = ""
    complexity: str = ""


@dataclass(frozen=True)
class StatementRecord:
    problem_id: str
    html: str


@dataclass(frozen=True)
class PairRecord:
    problem_id: str
    key: str
    src_code: str
    tgt_code: str
    language: str = "C++"
    src_id: str = ""
    tgt_id: str = ""
    user_id: str = ""
    src_runtime_s: float | None = None
    tgt_runtime_s: float | None = None
    runtime_backend: str = ""
    speedup: float | None = None
    target_pct_bin: int | None = None
    src_pct_bin: int | None = None
    tests: list[int] = field(default_factory=list)
    n_tests: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    format: str = "iclr"


@dataclass(frozen=True)
class TestFile:
    """One half of a test case (``input.N.txt`` or ``output.N.txt``) with its bytes."""

    location: str
    problem_id: str
    index: int
    kind: str  # "input" | "output"
    data: bytes


# --- field converters -------------------------------------------------------------------

def problem_id_value(value: Any, name: str = "problem_id") -> str:
    if not isinstance(value, str) or not value.strip():
        raise RowError(f"{name}: expected a problem id like p00001, got {value!r}")
    value = value.strip()
    if len(value) > 16 or not value[0].isalpha() or not value[1:].isdigit():
        raise RowError(f"{name}: expected a problem id like p00001, got {value!r}")
    return value


def text_value(value: Any, name: str, *, required: bool = False, max_length: int | None = None) -> str:
    if value is None:
        if required:
            raise RowError(f"{name}: missing")
        return ""
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise RowError(f"{name}: expected a string, got {type(value).__name__}")
    text = str(value)
    if required and not text.strip():
        raise RowError(f"{name}: empty")
    if "\x00" in text:
        raise RowError(f"{name}: contains a NUL character")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # JSON allows lone surrogates ("\ud800"); PostgreSQL text does not.
            raise RowError(f"{name}: contains an unpaired UTF-16 surrogate") from None
    if max_length is not None and len(text) > max_length:
        raise RowError(f"{name}: longer than {max_length} characters")
    return text


def float_value(value: Any, name: str) -> float | None:
    """A finite float, or None for null/empty/NaN. Numeric strings are accepted (pandas writes them)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise RowError(f"{name}: expected a number, got {value!r}") from None
    else:
        raise RowError(f"{name}: expected a number, got {type(value).__name__}")
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise RowError(f"{name}: infinite")
    return number


INT32_MAX = 2**31 - 1  # PositiveIntegerField's ceiling on PostgreSQL


def int_value(value: Any, name: str, *, low: int | None = None, high: int | None = INT32_MAX) -> int | None:
    """An integer within ``low..high`` (default ceiling: a 32-bit database column), or None."""
    number = float_value(value, name)
    if number is None:
        return None
    if not number.is_integer():
        raise RowError(f"{name}: expected an integer, got {value!r}")
    result = int(number)
    if (low is not None and result < low) or (high is not None and result > high):
        bounds = f"{'' if low is None else low}..{'' if high is None else high}"
        raise RowError(f"{name}: {result} is outside {bounds}")
    return result


def tests_value(value: Any, name: str = "tests") -> list[int]:
    """PIE's ``tests`` column: a list of test indices, or its string form ``"[0, 3]"``."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise RowError(f"{name}: expected a list of test indices, got {value!r}") from None
    if not isinstance(value, list):
        raise RowError(f"{name}: expected a list of test indices, got {type(value).__name__}")
    if all(type(item) is int and item >= 0 for item in value):  # the usual case, ~80 items per pair
        return value
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not float(item).is_integer() or item < 0:
            raise RowError(f"{name}: expected non-negative integers, got {item!r}")
        out.append(int(item))
    return out


def preview(data: bytes, limit: int) -> str:
    """The first ``limit`` bytes as text for the pages (NUL is not storable in PostgreSQL text)."""
    return data[:limit].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
