"""``problem_list.csv``: ``id,name,dataset,time_limit,memory_limit,rating,tags,complexity``.

Time limits are in milliseconds and memory limits in KB, as in CodeNet.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from .base import Issue, ProblemRecord, RowError, int_value, problem_id_value, text_value

SOURCES = {"aizu": "AIZU", "atcoder": "AtCoder"}


def parse_problem_list(path: Path) -> Iterator[tuple[int, ProblemRecord] | Issue]:
    """Yield ``(line, ProblemRecord)`` per data row, or an Issue for a bad row."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            yield Issue(str(path), 1, f"header must contain 'id' (got {reader.fieldnames})")
            return
        for row in reader:
            line = reader.line_num
            try:
                if None in row:
                    raise RowError(f"{len(row[None])} more fields than the header")
                yield line, ProblemRecord(
                    id=problem_id_value(row.get("id"), "id"),
                    name=text_value(row.get("name"), "name", max_length=300),
                    source=SOURCES.get((row.get("dataset") or "").strip().lower(), "other"),
                    time_limit_ms=int_value(row.get("time_limit"), "time_limit", low=0),
                    memory_limit_kb=int_value(row.get("memory_limit"), "memory_limit", low=0),
                    rating=text_value(row.get("rating"), "rating", max_length=32),
                    tags=text_value(row.get("tags"), "tags", max_length=300),
                    complexity=text_value(row.get("complexity"), "complexity", max_length=64),
                )
            except RowError as exc:
                yield Issue(str(path), line, str(exc))
