"""Test cases: PIE's ``<problem_id>/input.N.txt|output.N.txt`` layout as a folder, ``.zip`` or
``.tar.gz`` (any number of leading folders, e.g. ``merged_test_cases/p00001/input.0.txt``), or
the jsonl ``{problem_id, tests: [{input, output}]}`` of CodeNet's sample tests.

Parsers yield single files (:class:`TestFile`); :func:`pair_test_files` joins inputs with
their outputs. It keeps only metadata of unmatched halves (the bytes go to ``put`` at once),
so memory stays flat whatever the member order inside an archive.
"""
from __future__ import annotations

import json
import os
import re
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .base import Issue, RowError, TestFile, problem_id_value

NAME_RE = re.compile(r"^(input|output)\.(\d+)\.txt$")


def test_source_kind(path: Path) -> str:
    """``dir``, ``zip``, ``tar`` or ``jsonl``; raise ValueError for anything else."""
    name = path.name.lower()
    if path.is_dir():
        return "dir"
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
        return "tar"
    if name.endswith((".jsonl", ".jsonl.gz", ".json")):
        return "jsonl"
    raise ValueError(f"{path}: not a folder, .zip, .tar.gz or .jsonl of test cases")


def _classify(member: str) -> tuple[str, int, str] | None | str:
    """(problem_id, index, kind) for ``.../<pid>/input.N.txt``; None to ignore; a message if malformed."""
    parts = PurePosixPath(member).parts
    if not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts):
        return None
    match = NAME_RE.match(parts[-1])
    if not match:
        # Other files (README, .DS_Store) are ignored; a misspelt test file is worth a word.
        if parts[-1].startswith(("input", "output")):
            return "ignored: test files must be named input.N.txt / output.N.txt"
        return None
    if len(parts) < 2:
        return "test file outside a <problem_id>/ folder"
    try:
        pid = problem_id_value(parts[-2], "folder name")
    except RowError as exc:
        return str(exc)
    return pid, int(match.group(2)), match.group(1)


def count_test_units(path: Path) -> int | None:
    """A cheap total for the progress bar: files in a folder/zip, lines in a jsonl; None if unknown."""
    kind = test_source_kind(path)
    if kind == "dir":
        return sum(len(files) for _, _, files in os.walk(path))
    if kind == "zip":
        with zipfile.ZipFile(path) as zf:
            return sum(1 for info in zf.infolist() if not info.is_dir())
    return None


def iter_test_files(path: Path) -> Iterator[TestFile | Issue]:
    """Yield every test file under ``path`` (sorted for folders, archive order otherwise)."""
    kind = test_source_kind(path)
    if kind == "dir":
        yield from _iter_dir(path)
    elif kind == "zip":
        yield from _iter_zip(path)
    elif kind == "tar":
        yield from _iter_tar(path)
    else:
        yield from _iter_jsonl(path)


def _entry(location: str, name: str, read: Callable[[], bytes]) -> TestFile | Issue | None:
    """One archive or folder entry as a test file, an issue (a misnamed file), or None (not a test).

    ``read`` is only called for a test file, so skipped entries are never read.
    """
    what = _classify(name)
    if what is None:
        return None
    if isinstance(what, str):
        return Issue(location, 0, what)
    pid, index, half = what
    return TestFile(location, pid, index, half, read())


def _iter_dir(root: Path) -> Iterator[TestFile | Issue]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames, key=_natural):
            full = Path(dirpath) / name
            item = _entry(str(full), full.relative_to(root).as_posix(), full.read_bytes)
            if item is not None:
                yield item


def _iter_zip(path: Path) -> Iterator[TestFile | Issue]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            item = _entry(f"{path}:{info.filename}", info.filename, lambda info=info: zf.read(info))
            if item is not None:
                yield item


def _iter_tar(path: Path) -> Iterator[TestFile | Issue]:
    # "r|*" streams the archive once, in order, without seeking or an index in memory.
    with tarfile.open(path, "r|*") as tf:
        while (member := tf.next()) is not None:
            # TarFile remembers every member it has read (~0.5 KB each, 240K in PIE's tests):
            # forget them, or memory grows with the archive.
            tf.members.clear()
            if not member.isfile():
                continue
            fh = tf.extractfile(member)
            if fh is None:
                continue
            item = _entry(f"{path}:{member.name}", member.name, fh.read)
            if item is not None:
                yield item


def _iter_jsonl(path: Path) -> Iterator[TestFile | Issue]:
    from .pairs import open_lines

    with open_lines(path) as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            location = f"{path}:{line_no}"
            try:
                row = json.loads(raw)
                if not isinstance(row, dict):
                    raise RowError(f"expected a JSON object, got {type(row).__name__}")
                pid = problem_id_value(row.get("problem_id"))
                tests = row.get("tests")
                if not isinstance(tests, list):
                    raise RowError(f"tests: expected a list of {{input, output}}, got {type(tests).__name__}")
                files = []
                for index, test in enumerate(tests):
                    if not isinstance(test, dict) or not isinstance(test.get("input"), str) \
                            or not isinstance(test.get("output"), str):
                        raise RowError(f"tests[{index}]: expected {{\"input\": str, \"output\": str}}")
                    files.append(TestFile(location, pid, index, "input", test["input"].encode()))
                    files.append(TestFile(location, pid, index, "output", test["output"].encode()))
            except UnicodeDecodeError:
                yield Issue(str(path), line_no, "not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield Issue(str(path), line_no, f"invalid JSON ({exc.msg} at column {exc.colno}; truncated line?)")
                continue
            except RowError as exc:
                yield Issue(str(path), line_no, str(exc))
                continue
            yield from files


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


@dataclass(frozen=True)
class StoredHalf:
    """One stored test file: where it came from and what the blob store returned."""

    location: str
    sha256: str
    size_bytes: int
    preview: str


@dataclass(frozen=True)
class TestCaseRecord:
    problem_id: str
    index: int
    location: str
    input: StoredHalf
    output: StoredHalf


def pair_test_files(
    items: Iterable[TestFile | Issue], *, store: Callable[[TestFile], StoredHalf]
) -> Iterator[TestCaseRecord | Issue]:
    """Join ``input.N`` with ``output.N`` per problem; report halves that never find a partner.

    Args:
        items: the output of :func:`iter_test_files`.
        store: saves a file's bytes (in the blob store) and returns its metadata; called as
            soon as a file is read, so only metadata waits for the partner.
    """
    pending: dict[tuple[str, int], dict[str, StoredHalf]] = {}
    for item in items:
        if isinstance(item, Issue):
            yield item
            continue
        key = (item.problem_id, item.index)
        halves = pending.setdefault(key, {})
        if item.kind in halves:
            yield Issue(item.location, 0, f"duplicate {item.kind}.{item.index}.txt for {item.problem_id}")
            continue
        halves[item.kind] = store(item)
        if len(halves) == 2:
            del pending[key]
            yield TestCaseRecord(item.problem_id, item.index, halves["input"].location, halves["input"],
                                 halves["output"])
    for (pid, index), halves in sorted(pending.items()):
        (kind, half), = halves.items()
        missing = "output" if kind == "input" else "input"
        yield Issue(half.location, 0, f"missing {missing}.{index}.txt for {pid} (test skipped)")
