"""CodeNet statement HTML: a folder or ``.zip`` of ``<problem_id>.html``, or jsonl ``{problem_id, html}``.

The same formats carry translated statements (pie-perf's ``problem_statements_translated.zip``).
"""
from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from .base import Issue, RowError, StatementRecord, problem_id_value, text_value


def parse_statements(path: Path) -> Iterator[tuple[int, StatementRecord] | Issue]:
    """Yield ``(line, StatementRecord)`` (line 0 for a file of a folder) or an Issue."""
    if path.is_dir():
        for file in sorted(path.glob("*.html")):
            try:
                html = file.read_text(encoding="utf-8", errors="replace")
                yield 0, StatementRecord(problem_id=problem_id_value(file.stem, "file name"),
                                         html=text_value(html, "html"))
            except RowError as exc:
                yield Issue(str(file), 0, str(exc))
        return
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                member = PurePosixPath(info.filename)
                if info.is_dir() or member.suffix.lower() != ".html" or any(
                        part.startswith((".", "__MACOSX")) for part in member.parts):
                    continue
                try:
                    html = zf.read(info).decode("utf-8", errors="replace")
                    yield 0, StatementRecord(problem_id=problem_id_value(member.stem, "file name"),
                                             html=text_value(html, "html"))
                except RowError as exc:
                    yield Issue(f"{path}:{info.filename}", 0, str(exc))
        return
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise RowError(f"expected a JSON object, got {type(row).__name__}")
                html = row.get("html", row.get("statement_html"))
                yield line_no, StatementRecord(
                    problem_id=problem_id_value(row.get("problem_id")), html=text_value(html, "html", required=True)
                )
            except json.JSONDecodeError as exc:
                yield Issue(str(path), line_no, f"invalid JSON ({exc.msg} at column {exc.colno}; truncated line?)")
            except RowError as exc:
                yield Issue(str(path), line_no, str(exc))
