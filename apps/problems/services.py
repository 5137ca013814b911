"""Writes to the dataset: importing PIE files and keeping the problem counters fresh.

Import contract (``pie_import``):

* Streaming: records are parsed lazily and written in batches of ``batch_size`` rows with one
  ``INSERT ... ON CONFLICT DO UPDATE`` each, so memory is bounded by one batch.
* Idempotent: problems are keyed by id, test cases by (problem, index), pairs by (split, key);
  a re-import updates those rows and never duplicates them.
* Transactions: by default each batch commits on its own, so every row is either fully in or
  not at all, and a bad row is reported and skipped. With ``strict=True`` the whole import is
  one transaction and the first bad row rolls everything back (:class:`ImportAborted`).
  Test-case blobs already written stay in the blob store: they are content-addressed and only
  reachable through a TestCase row, so an orphan is harmless.
"""
from __future__ import annotations

import hashlib
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from .blobs import blob_store
from .importers import (
    Issue,
    PairRecord,
    ProblemRecord,
    StatementRecord,
    StoredHalf,
    TestCaseRecord,
    TestFile,
    count_test_units,
    iter_test_files,
    pair_test_files,
    parse_pairs,
    parse_problem_list,
    parse_statements,
    test_source_kind,
)
from .importers.base import preview
from .models import PREVIEW_BYTES, Pair, Problem, Split, TestCase

DEFAULT_BATCH_SIZE = 1000
PAIR_UPDATE_FIELDS = [
    "problem", "language", "src_id", "tgt_id", "user_id", "src_code", "tgt_code", "src_length", "tgt_length",
    "src_runtime_s", "tgt_runtime_s", "runtime_backend", "speedup", "target_pct_bin", "src_pct_bin", "tests",
    "n_tests", "extra", "updated_at",
]
TESTCASE_UPDATE_FIELDS = [
    "origin", "input_sha256", "output_sha256", "input_size_bytes", "output_size_bytes", "input_preview",
    "output_preview", "sha256",
]
PROBLEM_UPDATE_FIELDS = ["name", "source", "time_limit_ms", "memory_limit_kb", "rating", "tags", "complexity",
                         "updated_at"]


class ImportAborted(Exception):
    """A strict import met a bad row; everything it wrote was rolled back."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(str(issue))
        self.issue = issue


@dataclass
class ImportCounts:
    """Rows written per kind: ``created`` new, ``updated`` already present, ``skipped`` bad."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    seconds: float = 0.0  # wall time spent on this kind (parsing, blob writes and database)

    def __str__(self) -> str:
        return f"imported {self.created}, updated {self.updated}, skipped {self.skipped} ({self.seconds:.1f} s)"


@dataclass
class ImportReport:
    counts: dict[str, ImportCounts] = field(default_factory=dict)
    issue_count: int = 0
    counters_seconds: float = 0.0  # refreshing the problem and split counters at the end

    def bucket(self, name: str) -> ImportCounts:
        return self.counts.setdefault(name, ImportCounts())

    @property
    def skipped(self) -> int:
        return sum(c.skipped for c in self.counts.values())


def split_name_for(path: Path) -> str:
    """Default split of a pair file: its name without extensions (``train_hq_only.jsonl`` -> ``train_hq_only``)."""
    stem = path.name.split(".")[0]
    return slugify(stem)[:64] or "default"


def origin_for(path: Path) -> str:
    """Guess a test-case origin from PIE's download names (merged/generated/public)."""
    name = path.name.lower()
    for origin in (TestCase.Origin.MERGED, TestCase.Origin.GENERATED):
        if origin.value in name:
            return origin.value
    return TestCase.Origin.PUBLIC.value


def _pg_upsert(model: type[models.Model], objs: Sequence[models.Model], *, unique_fields: Sequence[str],
               update_fields: Sequence[str]) -> tuple[int, int]:
    """Upsert ``objs`` on PostgreSQL through COPY into a temporary stage table.

    ``bulk_create(update_conflicts=True)`` quotes every value client-side (psycopg's client
    cursor escapes ~4 KB of code per pair with regular expressions); COPY streams the values
    unquoted, which cuts the importer's own CPU per pair several-fold. Rows whose values are
    all unchanged are not rewritten, so a re-import leaves no dead tuples and no index churn.
    Must run inside a transaction (the stage table is dropped at commit).

    Returns:
        ``(inserted, already_present)`` row counts.
    """
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    columns = ", ".join(qn(f.column) for f in fields)
    table = qn(model._meta.db_table)
    stage = qn(f"pieweb_stage_{model._meta.db_table}")
    by_name = {f.name: f for f in fields}
    updated = [by_name[name] for name in update_fields]
    compared = [f for f in updated if not getattr(f, "auto_now", False)]
    conflict = ", ".join(qn(by_name[name].column) for name in unique_fields)
    assignments = ", ".join(f"{qn(f.column)} = EXCLUDED.{qn(f.column)}" for f in updated)
    changed = " OR ".join(f"{table}.{qn(f.column)} IS DISTINCT FROM EXCLUDED.{qn(f.column)}" for f in compared)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: Django's wrapper has no copy()
        raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
                    f"SELECT {columns} FROM {table} WITH NO DATA")
        raw.execute(f"TRUNCATE {stage}")
        with raw.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, obj._state.adding), connection) for f in fields])
        raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} "
                    f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments} WHERE {changed} "
                    f"RETURNING (xmax = 0)")
        written = [row[0] for row in raw.fetchall()]
    inserted = sum(written)
    return inserted, len(objs) - inserted


class _Importer:
    """State of one ``pie_import`` call: the known problem ids, counters and issue routing."""

    def __init__(self, *, strict: bool, batch_size: int, progress: bool, on_issue: Callable[[Issue], None] | None):
        self.strict = strict
        self.batch_size = batch_size
        self.progress = progress
        self.on_issue = on_issue
        self.report = ImportReport()
        self.touched_problems: set[str] = set()
        self.touched_splits: set[int] = set()
        self.known_problems: set[str] = set(Problem.objects.values_list("id", flat=True))

    # -- helpers ---------------------------------------------------------------------------
    def issue(self, issue: Issue, bucket: ImportCounts) -> None:
        bucket.skipped += 1
        self.report.issue_count += 1
        if self.strict:
            raise ImportAborted(issue)
        if self.on_issue is not None:
            self.on_issue(issue)

    def bar(self, **kwargs) -> tqdm:
        return tqdm(file=sys.stderr, disable=not self.progress, dynamic_ncols=True, mininterval=0.5, **kwargs)

    def batched(self, items: Iterable, bucket: ImportCounts, bar: tqdm | None = None) -> Iterator[list]:
        """Group records into batches, routing Issues; ``bar`` advances by one per row."""
        batch: list = []
        for item in items:
            if isinstance(item, Issue):
                self.issue(item, bucket)
            else:
                batch.append(item)
                if len(batch) >= self.batch_size:
                    yield batch
                    batch = []
            if bar is not None:
                bar.update(1)
        if batch:
            yield batch

    def unknown_problem(self, pid: str, file: str, line: int, bucket: ImportCounts) -> bool:
        if pid in self.known_problems:
            return False
        self.issue(Issue(file, line, f"unknown problem {pid} (import --problems first)"), bucket)
        return True

    # -- problems --------------------------------------------------------------------------
    def problems(self, path: Path) -> None:
        started = time.perf_counter()
        bucket = self.report.bucket("problems")
        with self.bar(desc=f"problems {path.name}", unit=" rows") as bar:
            for batch in self.batched(parse_problem_list(path), bucket, bar):
                records: dict[str, ProblemRecord] = {rec.id: rec for _, rec in batch}
                now = timezone.now()
                rows = [Problem(updated_at=now, **vars(rec)) for rec in records.values()]
                with transaction.atomic():
                    if connection.vendor == "postgresql":
                        _pg_upsert(Problem, rows, unique_fields=["id"], update_fields=PROBLEM_UPDATE_FIELDS)
                    else:
                        Problem.objects.bulk_create(rows, update_conflicts=True, unique_fields=["id"],
                                                    update_fields=PROBLEM_UPDATE_FIELDS)
                new = records.keys() - self.known_problems
                bucket.created += len(new)
                bucket.updated += len(records) - len(new)
                self.known_problems |= new
        bucket.seconds += time.perf_counter() - started

    # -- statements ------------------------------------------------------------------------
    def statements(self, path: Path, *, field: str = "statement_html") -> None:
        """Fill ``field`` (``statement_html`` or ``statement_translated_html``) of known problems."""
        started = time.perf_counter()
        bucket = self.report.bucket("statements" if field == "statement_html" else "translated statements")
        with self.bar(desc=f"statements {path.name}", unit=" rows") as bar:
            for batch in self.batched(parse_statements(path), bucket, bar):
                records: dict[str, StatementRecord] = {}
                for line, rec in batch:
                    if not self.unknown_problem(rec.problem_id, str(path), line, bucket):
                        records[rec.problem_id] = rec
                if not records:
                    continue
                now = timezone.now()
                had = dict(Problem.objects.filter(id__in=records).values_list("id", field))
                rows = [Problem(id=pid, updated_at=now, **{field: rec.html})
                        for pid, rec in records.items() if had.get(pid) != rec.html]
                if rows:  # unchanged statements are not rewritten (each write re-indexes the text)
                    with transaction.atomic():
                        Problem.objects.bulk_update(rows, [field, "updated_at"], batch_size=200)
                old = sum(1 for pid in records if had.get(pid))
                bucket.updated += old
                bucket.created += len(records) - old
        bucket.seconds += time.perf_counter() - started

    # -- test cases ------------------------------------------------------------------------
    def testcases(self, path: Path, origin: str) -> None:
        started = time.perf_counter()
        bucket = self.report.bucket("testcases")
        kind = test_source_kind(path)
        store = blob_store()

        def put(item: TestFile) -> StoredHalf:
            return StoredHalf(item.location, store.put(item.data), len(item.data), preview(item.data, PREVIEW_BYTES))

        total = count_test_units(path)
        unit = " files" if kind in ("dir", "zip") else (" problems" if kind == "jsonl" else " files")
        with self.bar(desc=f"test cases {path.name}", unit=unit, total=total) as bar:
            files = _counting(iter_test_files(path), bar, per_line=(kind == "jsonl"))
            for batch in self.batched(pair_test_files(files, store=put), bucket):
                self._write_testcases(batch, origin, bucket)
        bucket.seconds += time.perf_counter() - started

    def _write_testcases(self, batch: list[TestCaseRecord], origin: str, bucket: ImportCounts) -> None:
        records: dict[tuple[str, int], TestCaseRecord] = {}
        for rec in batch:
            file, _, line = rec.location.rpartition(":")
            if not (file and line.isdigit()):
                file, line = rec.location, "0"
            if not self.unknown_problem(rec.problem_id, file, int(line), bucket):
                records[(rec.problem_id, rec.index)] = rec
        if not records:
            return
        pids = {pid for pid, _ in records}
        rows = [
            TestCase(
                problem_id=rec.problem_id, index=rec.index, origin=origin,
                input_sha256=rec.input.sha256, output_sha256=rec.output.sha256,
                input_size_bytes=rec.input.size_bytes, output_size_bytes=rec.output.size_bytes,
                input_preview=rec.input.preview, output_preview=rec.output.preview,
                sha256=hashlib.sha256((rec.input.sha256 + rec.output.sha256).encode()).hexdigest(),
            )
            for rec in records.values()
        ]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                created, old = _pg_upsert(TestCase, rows, unique_fields=["problem", "index"],
                                          update_fields=TESTCASE_UPDATE_FIELDS)
            else:
                existing = set(TestCase.objects.filter(problem_id__in=pids).values_list("problem_id", "index"))
                TestCase.objects.bulk_create(rows, update_conflicts=True, unique_fields=["problem", "index"],
                                             update_fields=TESTCASE_UPDATE_FIELDS)
                old = len(records.keys() & existing)
                created = len(records) - old
        bucket.updated += old
        bucket.created += created
        self.touched_problems |= pids

    # -- pairs -----------------------------------------------------------------------------
    def pairs(self, path: Path, split_name: str) -> None:
        split, _ = Split.objects.get_or_create(name=split_name)
        started = time.perf_counter()
        bucket = self.report.bucket(f"pairs[{split_name}]")
        digest = hashlib.sha256()
        formats: dict[str, int] = defaultdict(int)
        rows_in = 0
        with self.bar(desc=f"pairs {path.name}", unit="B", unit_scale=True, unit_divisor=1024,
                      total=path.stat().st_size) as bar:

            def on_line(raw: bytes) -> None:
                digest.update(raw)
                bar.update(len(raw))

            for batch in self.batched(parse_pairs(path, on_line=on_line), bucket):
                records: dict[str, PairRecord] = {}
                for line, rec in batch:
                    if not self.unknown_problem(rec.problem_id, str(path), line, bucket):
                        records[rec.key] = rec  # a key repeated in the file: the last line wins
                        formats[rec.format] += 1
                rows_in += len(records)
                if records:
                    self._write_pairs(split, records, bucket)
        files = [f for f in split.provenance.get("files", []) if f.get("path") != str(path.resolve())]
        files.append({"path": str(path.resolve()), "sha256": digest.hexdigest(), "rows": rows_in,
                      "formats": dict(formats), "imported_at": timezone.now().isoformat()})
        split.provenance = {**split.provenance, "files": files}
        split.save(update_fields=["provenance", "updated_at"])
        self.touched_splits.add(split.pk)
        bucket.seconds += time.perf_counter() - started

    def _write_pairs(self, split: Split, records: dict[str, PairRecord], bucket: ImportCounts) -> None:
        rows = []
        for rec in records.values():
            fields = vars(rec).copy()
            fields.pop("format")
            rows.append(Pair(split=split, src_length=len(rec.src_code), tgt_length=len(rec.tgt_code), **fields))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                created, old = _pg_upsert(Pair, rows, unique_fields=["split", "key"], update_fields=PAIR_UPDATE_FIELDS)
            else:
                existing = set(Pair.objects.filter(split=split, key__in=records).values_list("key", flat=True))
                Pair.objects.bulk_create(rows, update_conflicts=True, unique_fields=["split", "key"],
                                         update_fields=PAIR_UPDATE_FIELDS)
                old = len(existing)
                created = len(records) - old
        bucket.updated += old
        bucket.created += created
        self.touched_problems |= {rec.problem_id for rec in records.values()}


def _counting(items: Iterable, bar: tqdm, *, per_line: bool) -> Iterator:
    """Advance ``bar`` per file, or per source line for jsonl (two files share one line)."""
    last = None
    for item in items:
        if per_line:
            if item.location != last:
                bar.update(1)
                last = item.location
        else:
            bar.update(1)
        yield item


def pie_import(
    *,
    problems: Path | None = None,
    statements: Path | None = None,
    translated_statements: Path | None = None,
    testcases: Path | None = None,
    pairs: Sequence[Path] = (),
    split: str | None = None,
    origin: str | None = None,
    strict: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
    on_issue: Callable[[Issue], None] | None = None,
) -> ImportReport:
    """Import any subset of PIE's files, in dependency order: problems, statements, tests, pairs.

    Args:
        problems: ``problem_list.csv``.
        statements: folder or .zip of ``<pid>.html``, or jsonl ``{problem_id, html}``.
        translated_statements: the same formats, for ``statement_translated_html``.
        testcases: folder, .zip, .tar.gz or jsonl of test cases.
        pairs: pair jsonl files (ICLR, legacy pie-perf or Supersonic rows).
        split: split for every pair file; default: each file's name (``train.jsonl`` -> ``train``).
        origin: public|generated|merged for the test cases; default guessed from the file name.
        strict: one transaction; the first bad row raises :class:`ImportAborted` and rolls back all.
        batch_size: rows per INSERT and per transaction in the default mode.
        progress: draw tqdm bars on stderr.
        on_issue: receives each skipped row's :class:`Issue` (default mode only).

    Returns:
        Per-kind counts (created/updated/skipped) and the number of issues.
    """
    for path in [problems, statements, translated_statements, testcases, *pairs]:
        if path is not None and not Path(path).exists():
            raise FileNotFoundError(f"{path}: no such file or directory")
    if testcases is not None:
        test_source_kind(Path(testcases))  # fail fast on an unknown container before writing anything
    if origin is not None and origin not in TestCase.Origin.values:
        raise ValueError(f"origin must be one of {', '.join(TestCase.Origin.values)}, got {origin!r}")

    with transaction.atomic() if strict else nullcontext():
        importer = _Importer(strict=strict, batch_size=batch_size, progress=progress, on_issue=on_issue)
        if problems is not None:
            importer.problems(Path(problems))
        if statements is not None:
            importer.statements(Path(statements))
        if translated_statements is not None:
            importer.statements(Path(translated_statements), field="statement_translated_html")
        if testcases is not None:
            importer.testcases(Path(testcases), origin or origin_for(Path(testcases)))
        for path in pairs:
            importer.pairs(Path(path), split or split_name_for(Path(path)))
        started = time.perf_counter()
        if importer.touched_problems:
            problem_stats_refresh(problem_ids=importer.touched_problems)
        if importer.touched_splits:
            split_stats_refresh(split_ids=importer.touched_splits)
        importer.report.counters_seconds = time.perf_counter() - started
    return importer.report


def split_stats_refresh(*, split_ids: Iterable[int] | None = None) -> None:
    """Recount ``Split.pair_count`` (one grouped COUNT)."""
    splits = Split.objects.all() if split_ids is None else Split.objects.filter(pk__in=list(split_ids))
    counts = dict(Pair.objects.filter(split__in=splits).values_list("split").annotate(n=Count("id")).order_by())
    rows = list(splits)
    for row in rows:
        row.pair_count = counts.get(row.pk, 0)
    Split.objects.bulk_update(rows, ["pair_count"])


def problem_stats_refresh(*, problem_ids: Iterable[str] | None = None) -> int:
    """Recompute pair_count, test_count, median_speedup and best_speedup of problems.

    One ordered scan of (problem_id, speedup) over the pairs plus one grouped count of test
    cases; medians are computed in Python so SQLite and PostgreSQL agree. At 1,500 problems
    and 78K pairs this takes well under a second.

    Args:
        problem_ids: the problems to refresh; None refreshes all.

    Returns:
        The number of problems refreshed.
    """
    ids = None if problem_ids is None else sorted(set(problem_ids))
    problems = Problem.objects.all() if ids is None else Problem.objects.filter(id__in=ids)
    pairs = Pair.objects.all() if ids is None else Pair.objects.filter(problem_id__in=ids)
    tests = TestCase.objects.all() if ids is None else TestCase.objects.filter(problem_id__in=ids)

    pair_counts: dict[str, int] = defaultdict(int)
    speedups: dict[str, list[float]] = defaultdict(list)
    for pid, speedup in pairs.values_list("problem_id", "speedup").iterator(chunk_size=10_000):
        pair_counts[pid] += 1
        if speedup is not None:
            speedups[pid].append(speedup)
    test_counts = dict(tests.values_list("problem_id").annotate(n=Count("id")).order_by())

    # Only rows whose figures changed are written: an UPDATE of a problem also re-indexes its
    # statement's full-text document, and bulk_update's CASE grows with the batch squared.
    fields = ["pair_count", "test_count", "median_speedup", "best_speedup"]
    rows = []
    seen = 0
    for problem in problems.only("id", *fields).iterator(chunk_size=2000):
        seen += 1
        values = speedups.get(problem.id)
        fresh = (pair_counts.get(problem.id, 0), test_counts.get(problem.id, 0),
                 statistics.median(values) if values else None, max(values) if values else None)
        if fresh != tuple(getattr(problem, name) for name in fields):
            problem.pair_count, problem.test_count, problem.median_speedup, problem.best_speedup = fresh
            rows.append(problem)
    Problem.objects.bulk_update(rows, fields, batch_size=200)
    return seen


# The demo's splits, described on the overview page (the importer leaves descriptions empty).
DEMO_SPLIT_DESCRIPTIONS = {
    "train": "Demo: slow/fast pairs written for pieweb (algorithmic, I/O and data-structure edits).",
    "val": "Demo: held-out pairs for choosing prompts and checkpoints.",
    "test": "Demo: the pairs that model runs are scored on (demo/model_outputs/).",
}


def demo_dataset_load(*, root: str | Path, progress: bool = False) -> ImportReport:
    """Import the bundled demo dataset (``demo/`` in PIE's layout) strictly, in one transaction."""
    root = Path(root)
    report = pie_import(
        problems=root / "problem_list.csv",
        statements=root / "statements.jsonl",
        testcases=root / "test_cases",
        origin=TestCase.Origin.GENERATED.value,
        pairs=[root / "pairs" / f"{name}.jsonl" for name in DEMO_SPLIT_DESCRIPTIONS],
        strict=True,
        progress=progress,
    )
    for name, description in DEMO_SPLIT_DESCRIPTIONS.items():
        Split.objects.filter(name=name, description="").update(description=description)
    return report

