"""Model-run uploads: stream a jsonl of generations, validate ALL of it, then store it at once.

Validation runs to the end of the file before anything is written, so a user sees every
problem in one go (capped at ``MAX_REPORTED_ERRORS``), and a rejected file leaves no row
behind: the writes happen in one transaction, after validation succeeded.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from apps.problems.models import Pair, Split

from ..models import ModelRun, ModelRunRow, Sample, Visibility

MAX_REPORTED_ERRORS = 50
#: Bytes a multipart request may carry beyond the file itself (boundaries, name, columns...).
MULTIPART_ALLOWANCE_BYTES = 64 * 1024
DEFAULT_COLUMNS: dict[str, str] = {
    "src_id": "src_id",
    "problem_id": "problem_id",
    "src_code": "src_code",
    "generated_answers": "generated_answers",
}


class ModelRunRejected(Exception):
    """The upload is invalid; ``errors`` holds one ``line N: problem`` message per issue."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))
        self.errors = errors


@dataclass
class ParsedRow:
    line: int
    pair_id: int
    answers: list[str]


@dataclass
class ParsedUpload:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors.append(message)


def upload_size_bytes(file: IO[bytes] | Any) -> int | None:
    """Size of an uploaded file in bytes without reading it (``.size``, ``fstat`` or seek), or None."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    try:
        return os.fstat(file.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    try:
        position = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(position)
        return end - position
    except (AttributeError, OSError, ValueError):
        return None


def _iter_lines(file: IO[bytes] | Any, *, max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, raw line); raises ModelRunRejected past ``max_bytes``."""
    read = 0
    chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b"")
    pending = b""
    number = 0
    for chunk in chunks:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        read += len(chunk)
        if read > max_bytes:
            raise ModelRunRejected([f"file is larger than the upload limit of {max_bytes} bytes"])
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            number += 1
            yield number, line
    if pending:
        yield number + 1, pending


class _PairIndex:
    """Resolves a row to a pair of the split, loading only what the file refers to."""

    def __init__(self, split: Split) -> None:
        self.split = split
        self.by_src_id: dict[str, list[int]] = {}
        for pk, src_id in Pair.objects.filter(split=split).exclude(src_id="").values_list("id", "src_id"):
            self.by_src_id.setdefault(src_id, []).append(pk)
        self._by_problem: dict[str, list[tuple[int, str]]] = {}
        self.problem_of: dict[int, str] = {}

    def _problem_pairs(self, problem_id: str) -> list[tuple[int, str]]:
        if problem_id not in self._by_problem:
            pairs = list(Pair.objects.filter(split=self.split, problem_id=problem_id).values_list("id", "src_code"))
            self._by_problem[problem_id] = pairs
        return self._by_problem[problem_id]

    def resolve(self, *, src_id: str | None, problem_id: str | None, src_code: str | None) -> tuple[int | None, str]:
        """Return (pair id, "") or (None, reason)."""
        if src_id:
            candidates = self.by_src_id.get(src_id, [])
            if len(candidates) == 1:
                return candidates[0], ""
            if not candidates:
                return None, f"unknown src_id {src_id!r} in split {self.split.name!r}"
            if not (problem_id and src_code):
                return None, f"src_id {src_id!r} matches {len(candidates)} pairs; add problem_id and src_code"
        if problem_id and src_code is not None:
            pairs = self._problem_pairs(problem_id)
            matches = [pk for pk, code in pairs if code == src_code] or [
                pk for pk, code in pairs if code.strip() == src_code.strip()
            ]
            if src_id:
                matches = [pk for pk in matches if pk in self.by_src_id.get(src_id, [])]
            if len(matches) >= 1:
                return matches[0], ""
            if not pairs:
                return None, f"problem {problem_id!r} has no pairs in split {self.split.name!r}"
            return None, f"src_code matches no pair of problem {problem_id!r} in split {self.split.name!r}"
        return None, "row needs src_id, or problem_id and src_code"


def _answers(value: Any, *, column: str, max_source_bytes: int) -> tuple[list[str] | None, str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None, f"{column} must be a list of strings (or one string), got {type(value).__name__}"
    for index, answer in enumerate(value):
        if not isinstance(answer, str):
            return None, f"{column}[{index}] must be a string, got {type(answer).__name__}"
        if "\x00" in answer:
            return None, f"{column}[{index}] contains a NUL character"
        if len(answer.encode("utf-8")) > max_source_bytes:
            return None, f"{column}[{index}] is larger than {max_source_bytes} bytes"
    return value, ""


def model_run_parse(
    *, file: IO[bytes] | Any, split: Split, columns: dict[str, str] | None = None
) -> ParsedUpload:
    """Validate an upload without writing anything. See ``model_run_upload``."""
    cols = {**DEFAULT_COLUMNS, **(columns or {})}
    max_bytes = int(settings.MAX_UPLOAD_BYTES)
    max_source_bytes = int(settings.MAX_SOURCE_BYTES)
    parsed = ParsedUpload()
    size = upload_size_bytes(file)
    if size is not None and size > max_bytes:
        parsed.error(f"file is {size} bytes, larger than the upload limit of {max_bytes} bytes")
        return parsed
    if size == 0:
        parsed.error("file is empty: expected one JSON object per line")
        return parsed
    index = _PairIndex(split)
    seen: dict[int, int] = {}
    answers_col = cols["generated_answers"]
    for number, raw in _iter_lines(file, max_bytes=max_bytes):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except UnicodeDecodeError as exc:
            parsed.error(f"line {number}: not UTF-8: {exc}")
            continue
        except json.JSONDecodeError as exc:
            parsed.error(f"line {number}: invalid JSON: {exc}")
            continue
        if not isinstance(record, dict):
            parsed.error(f"line {number}: expected a JSON object, got {type(record).__name__}")
            continue
        if answers_col not in record:
            parsed.error(f"line {number}: missing column {answers_col!r}")
            continue
        answers, problem = _answers(record[answers_col], column=answers_col, max_source_bytes=max_source_bytes)
        if answers is None:
            parsed.error(f"line {number}: {problem}")
            continue
        src_id = record.get(cols["src_id"])
        problem_id = record.get(cols["problem_id"])
        src_code = record.get(cols["src_code"])
        if not src_id and not (problem_id and src_code is not None):
            parsed.error(
                f"line {number}: missing column {cols['src_id']!r} (or both {cols['problem_id']!r} and {cols['src_code']!r})"
            )
            continue
        pair_id, reason = index.resolve(
            src_id=str(src_id) if src_id else None,
            problem_id=str(problem_id) if problem_id else None,
            src_code=src_code if isinstance(src_code, str) else None,
        )
        if pair_id is None:
            parsed.error(f"line {number}: {reason}")
            continue
        if pair_id in seen:
            parsed.error(f"line {number}: duplicate row for the pair of line {seen[pair_id]}")
            continue
        seen[pair_id] = number
        parsed.rows.append(ParsedRow(line=number, pair_id=pair_id, answers=answers))
    if not parsed.rows and not parsed.errors:
        parsed.error("file is empty: expected one JSON object per line")
    if len(parsed.errors) > MAX_REPORTED_ERRORS:
        hidden = len(parsed.errors) - MAX_REPORTED_ERRORS
        parsed.errors = parsed.errors[:MAX_REPORTED_ERRORS] + [f"... and {hidden} more errors"]
    return parsed


def model_run_upload(
    *,
    owner: AbstractBaseUser,
    file: IO[bytes] | Any,
    name: str,
    split: Split,
    backend: str | None = None,
    visibility: str = Visibility.PRIVATE,
    columns: dict[str, str] | None = None,
    description: str = "",
    backend_options: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> ModelRun:
    """Validate and store a jsonl of generations, then enqueue its scoring.

    Each line is a JSON object with ``src_id`` and/or (``problem_id``, ``src_code``) and
    ``generated_answers`` (a list of C++ sources, or one string); ``columns`` renames them,
    e.g. ``{"generated_answers": "code_opt"}``. The whole file is validated before anything
    is stored; the size limit (``settings.MAX_UPLOAD_BYTES``, bytes) is checked before reading.

    Raises:
        ModelRunRejected: with every ``line N: problem`` found; nothing was stored.
    """
    from apps.benchmarks.services import program_get_or_create

    if visibility not in Visibility.values:
        raise ModelRunRejected([f"visibility must be one of {', '.join(Visibility.values)}"])
    if not name.strip():
        raise ModelRunRejected(["a model run needs a name"])
    backend_name = backend or settings.BENCH_BACKEND
    parsed = model_run_parse(file=file, split=split, columns=columns)
    if parsed.errors:
        raise ModelRunRejected(parsed.errors)

    with transaction.atomic():
        model_run = ModelRun.objects.create(
            owner=owner,
            visibility=visibility,
            name=name.strip()[:200],
            description=description,
            split=split,
            backend_name=backend_name,
            backend_options=backend_options or {},
            source_filename=os.path.basename(getattr(file, "name", "") or "")[:255],
            columns={**DEFAULT_COLUMNS, **(columns or {})},
            row_count=len(parsed.rows),
            sample_count=sum(len(r.answers) for r in parsed.rows),
            samples_per_row=max((len(r.answers) for r in parsed.rows), default=0),
        )
        programs: dict[str, Any] = {}
        samples: list[Sample] = []
        for row in parsed.rows:
            db_row = ModelRunRow.objects.create(model_run=model_run, pair_id=row.pair_id)
            for k, answer in enumerate(row.answers):
                if not answer.strip():  # PIE drops empty generations: the sample counts as missing
                    samples.append(Sample(row=db_row, k=k, program=None))
                    continue
                if answer not in programs:
                    programs[answer] = program_get_or_create(source=answer)
                samples.append(Sample(row=db_row, k=k, program=programs[answer]))
        Sample.objects.bulk_create(samples, batch_size=1000)
        if enqueue:
            from ..tasks import model_run_score as model_run_score_task

            transaction.on_commit(lambda: model_run_score_task.delay(model_run.pk))
    return model_run


def upload_request_too_large(content_length: str | int | None) -> str | None:
    """Reject a request from its ``Content-Length`` header alone, before its body is read.

    Returns the error message when the declared body exceeds ``settings.MAX_UPLOAD_BYTES``
    (bytes) plus a small allowance for the multipart envelope and form fields, else None.
    A 200 MB upload is thus refused without reading (or spooling to disk) any of it.
    """
    try:
        length = int(content_length or 0)
    except (TypeError, ValueError):
        return None
    limit = int(settings.MAX_UPLOAD_BYTES)
    if length > limit + MULTIPART_ALLOWANCE_BYTES:
        return f"file is larger than the upload limit of {limit} bytes (request body is {length} bytes)"
    return None
