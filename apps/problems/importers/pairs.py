"""Pair jsonl files: PIE's ICLR format, the legacy pie-perf format and the Supersonic file.

The format is recognised per row from its columns, so a file mixing them still imports:

* ICLR (``src_code``/``tgt_code``/``src_id``/``tgt_id``/``src_agg_runtime``/...): runtimes are
  gem5 aggregate seconds, as PIE released them.
* legacy pie-perf (``input``/``target``/``submission_id_v0``/``cpu_time_v0``/...), also the
  variant with ``src_code``/``tgt_code`` plus legacy columns: runtimes are CodeNet judge cpu
  times, converted from milliseconds to seconds.
* Supersonic (``supersonic_submission_id``, ``src_cpu_time_ms``/``tgt_cpu_time_ms``): AIZU
  judge cpu times in seconds; there are no CodeNet submission ids.

Columns not mapped to a Pair field are kept verbatim in ``extra``.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .base import (
    Issue,
    PairRecord,
    RowError,
    float_value,
    int_value,
    problem_id_value,
    tests_value,
    text_value,
)

# Columns consumed by the mapping below (everything else goes to ``extra``).
_COMMON = {"problem_id", "language", "user_id", "tests", "n_tests"}
_ICLR = {
    "src_code", "tgt_code", "src_id", "tgt_id", "src_agg_runtime", "tgt_agg_runtime", "speedup",
    "target_reward_updated_pct_bin", "src_reward_updated_pct_bin",
}
_LEGACY = {"input", "target", "submission_id_v0", "submission_id_v1", "cpu_time_v0", "cpu_time_v1"}


def pair_key(src_id: str, tgt_id: str, src_code: str, tgt_code: str) -> str:
    """The pair's natural key in its split: ``src_id->tgt_id``, else a hash of both programs."""
    if src_id and tgt_id:
        return f"{src_id}->{tgt_id}"
    digest = hashlib.sha256(src_code.encode() + b"\x00" + tgt_code.encode()).hexdigest()
    return f"sha256:{digest[:40]}"


def _ms_to_s(value: Any, name: str) -> float | None:
    """Judge milliseconds to seconds; judges write -1 for "not measured", which becomes None."""
    ms = float_value(value, name)
    return None if ms is None or ms < 0 else ms / 1000.0


def _ratio(src: float | None, tgt: float | None) -> float | None:
    return src / tgt if src and tgt and src > 0 and tgt > 0 else None


def pair_record_from_row(row: dict[str, Any]) -> PairRecord:
    """Map one decoded jsonl object to a PairRecord; raise RowError naming the bad column."""
    if "supersonic_submission_id" in row:
        fmt = "supersonic"
    elif "src_code" in row and ("src_agg_runtime" in row or "cpu_time_v0" not in row):
        fmt = "iclr"
    elif "input" in row or "cpu_time_v0" in row or "submission_id_v0" in row:
        fmt = "legacy"
    else:
        raise RowError("no program columns: expected src_code/tgt_code (ICLR) or input/target (pie-perf)")

    problem_id = problem_id_value(row.get("problem_id"))
    src_col, tgt_col = ("src_code", "tgt_code") if "src_code" in row else ("input", "target")
    src_code = text_value(row.get(src_col), src_col, required=True)
    tgt_code = text_value(row.get(tgt_col), tgt_col, required=True)
    consumed = set(_COMMON) | {src_col, tgt_col}

    src_id = text_value(row.get("src_id", row.get("submission_id_v0")), "src_id", max_length=32)
    tgt_id = text_value(row.get("tgt_id", row.get("submission_id_v1")), "tgt_id", max_length=32)
    consumed |= {"src_id", "tgt_id"}
    speedup = float_value(row.get("speedup"), "speedup")
    if fmt == "iclr":
        src_rt = float_value(row.get("src_agg_runtime"), "src_agg_runtime")
        tgt_rt = float_value(row.get("tgt_agg_runtime"), "tgt_agg_runtime")
        backend = "gem5" if src_rt is not None or tgt_rt is not None else ""
        consumed |= _ICLR
    elif fmt == "legacy":
        src_rt = _ms_to_s(row.get("cpu_time_v0"), "cpu_time_v0")
        tgt_rt = _ms_to_s(row.get("cpu_time_v1"), "cpu_time_v1")
        backend = "codenet-cpu-time"
        consumed |= (_LEGACY - {"cpu_time_v0", "cpu_time_v1"}) | {"speedup"}
    else:
        sid = row.get("supersonic_submission_id")
        if isinstance(sid, bool) or not isinstance(sid, (int, str)) or not str(sid).strip():
            raise RowError(f"supersonic_submission_id: expected an id, got {sid!r}")
        src_rt = _ms_to_s(row.get("src_cpu_time_ms"), "src_cpu_time_ms")
        tgt_rt = _ms_to_s(row.get("tgt_cpu_time_ms"), "tgt_cpu_time_ms")
        backend = "aizu-cpu-time"
        consumed |= {"speedup"}  # the raw judge times stay in extra next to memory and status
    if isinstance(row.get("runtime_backend"), str) and row["runtime_backend"].strip():
        backend = text_value(row["runtime_backend"], "runtime_backend", max_length=32).strip()
        consumed.add("runtime_backend")
    if speedup is None:
        speedup = _ratio(src_rt, tgt_rt)
    if speedup is not None and speedup <= 0:
        raise RowError(f"speedup: must be positive, got {speedup}")

    tests = tests_value(row.get("tests"))
    n_tests = int_value(row.get("n_tests"), "n_tests", low=0)
    if n_tests is None and "tests" in row:
        n_tests = len(tests)

    if fmt == "supersonic":
        key = f"supersonic:{str(row['supersonic_submission_id']).strip()}"
    else:
        key = pair_key(src_id, tgt_id, src_code, tgt_code)
    if len(key) > 128:
        raise RowError("src_id/tgt_id: key longer than 128 characters")
    extra = {k: v for k, v in row.items() if k not in consumed}
    return PairRecord(
        problem_id=problem_id,
        key=key,
        src_code=src_code,
        tgt_code=tgt_code,
        language=text_value(row.get("language"), "language", max_length=16) or "C++",
        src_id=src_id,
        tgt_id=tgt_id,
        user_id=text_value(row.get("user_id"), "user_id", max_length=32),
        src_runtime_s=src_rt,
        tgt_runtime_s=tgt_rt,
        runtime_backend=backend,
        speedup=speedup,
        target_pct_bin=int_value(row.get("target_reward_updated_pct_bin"), "target_reward_updated_pct_bin",
                                 low=0, high=10),
        src_pct_bin=int_value(row.get("src_reward_updated_pct_bin"), "src_reward_updated_pct_bin", low=0, high=10),
        tests=tests,
        n_tests=n_tests,
        extra=extra,
        format=fmt,
    )


def open_lines(path: Path):
    """Open a (possibly gzipped) text-lines file in binary mode."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def parse_pairs(
    path: Path, *, on_line: Callable[[bytes], None] | None = None
) -> Iterator[tuple[int, PairRecord] | Issue]:
    """Stream a pair jsonl file: one line in memory at a time.

    Args:
        path: the .jsonl (or .jsonl.gz) file.
        on_line: called with every raw line (bytes) before it is parsed; the importer uses it
            to hash the file for provenance and to advance the progress bar by bytes.
    """
    with open_lines(path) as fh:
        for line_no, raw in enumerate(fh, start=1):
            if on_line is not None:
                on_line(raw)
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                if not isinstance(row, dict):
                    raise RowError(f"expected a JSON object, got {type(row).__name__}")
                yield line_no, pair_record_from_row(row)
            except UnicodeDecodeError:
                yield Issue(str(path), line_no, "not valid UTF-8")
            except json.JSONDecodeError as exc:
                yield Issue(str(path), line_no, f"invalid JSON ({exc.msg} at column {exc.colno}; truncated line?)")
            except RowError as exc:
                yield Issue(str(path), line_no, str(exc))
