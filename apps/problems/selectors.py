"""Read-side queries for the browse pages, sized for full PIE (78K pairs, 1.5K problems, 120K tests).

Rules kept here so every page stays fast:

* list queries never load ``src_code``/``tgt_code`` (``PAIR_LIST_FIELDS``); a pair row is ~30 bytes
  instead of ~4 KB;
* aggregates are computed in SQL with conditional ``Count(filter=...)`` (one scan per chart) and
  cached under the dataset version, so the overview costs one cheap query when warm;
* filtering problems by split is an ``EXISTS`` over the ``(split, problem)`` index;
* full-text search uses the generated ``search_document`` column and its GIN index (migrations
  0002/0003, PostgreSQL), and code search uses trigram GIN indexes; SQLite gets
  ``icontains``/``contains`` fallbacks.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import RawSQL

from .models import Pair, Problem, Split, TestCase

# Fields a pair *row* needs; the programs themselves are only loaded on the pair page.
PAIR_LIST_FIELDS = (
    "id", "problem_id", "split_id", "src_id", "tgt_id", "speedup", "src_runtime_s", "tgt_runtime_s",
    "runtime_backend", "target_pct_bin", "src_length", "tgt_length", "n_tests", "key",
)
OVERVIEW_CACHE_SECONDS = 60 * 60
MOST_IMPROVED_LIMIT = 15

# Histogram buckets: (label, low inclusive, high exclusive); None = unbounded.
SPEEDUP_BUCKETS: tuple[tuple[str, float | None, float | None], ...] = (
    ("<1", None, 1.0), ("1–1.1", 1.0, 1.1), ("1.1–1.25", 1.1, 1.25), ("1.25–1.5", 1.25, 1.5), ("1.5–2", 1.5, 2.0),
    ("2–3", 2.0, 3.0), ("3–5", 3.0, 5.0), ("5–10", 5.0, 10.0), ("10–20", 10.0, 20.0), ("≥20", 20.0, None),
)
PAIRS_PER_PROBLEM_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("0", None, 1), ("1", 1, 2), ("2–5", 2, 6), ("6–10", 6, 11), ("11–25", 11, 26), ("26–50", 26, 51),
    ("51–100", 51, 101), ("101–250", 101, 251), ("251–500", 251, 501), (">500", 501, None),
)
CODE_LENGTH_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("<250", None, 250), ("250–500", 250, 500), ("500–1k", 500, 1000), ("1k–2k", 1000, 2000),
    ("2k–4k", 2000, 4000), ("4k–8k", 4000, 8000), ("≥8k", 8000, None),
)

PROBLEM_SORTS = {
    "id": "id", "name": "name", "source": "source", "pairs": "pair_count", "tests": "test_count",
    "median_speedup": "median_speedup", "best_speedup": "best_speedup",
}
PAIR_SORTS = {
    "speedup": "speedup", "src_runtime": "src_runtime_s", "tgt_runtime": "tgt_runtime_s",
    "tag": "target_pct_bin", "src_length": "src_length", "tgt_length": "tgt_length", "id": "id", "problem": "problem_id",
}
_PROBLEM_ID_RE = re.compile(r"^p\d{5}$", re.IGNORECASE)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# ------------------------------------------------------------------------------------------------
# dataset version and overview
# ------------------------------------------------------------------------------------------------
DATASET_VERSION_KEY = "problems:dataset-version"
#: How long (seconds) a computed dataset version is trusted: pages reflect an import within this.
DATASET_VERSION_TTL_S = 5


def dataset_version_compute() -> str:
    """A string that changes whenever an import adds, removes or re-counts pairs or problems.

    Two small aggregates (~10 split rows, 1.5K problems) and one index probe for the highest
    pair id, so inserts and deletes always show.
    """
    splits = Split.objects.aggregate(n=Count("id"), last=Max("updated_at"), pairs=Sum("pair_count"))
    problems = Problem.objects.aggregate(last=Max("updated_at"), pairs=Sum("pair_count"))
    problems["top_pair"] = Pair.objects.order_by("-id").values_list("id", flat=True).first()
    return (f"{splits['n']}:{splits['pairs']}:{splits['last']}:{problems['last']}:{problems['pairs']}:"
            f"{problems['top_pair']}").replace(" ", "_")


def dataset_version() -> str:
    """``dataset_version_compute()``, reused for ``DATASET_VERSION_TTL_S`` seconds.

    Every cached block of the browse pages is keyed by it; remembering it briefly turns a warm
    overview into cache reads only (no database round trip).
    """
    version = cache.get(DATASET_VERSION_KEY)
    if version is None:
        version = dataset_version_compute()
        cache.set(DATASET_VERSION_KEY, version, DATASET_VERSION_TTL_S)
    return version


def dataset_version_forget() -> None:
    """Drop the remembered version (after an import, so pages show it at once)."""
    cache.delete(DATASET_VERSION_KEY)


def _bucket_q(field_name: str, low: float | None, high: float | None) -> Q:
    q = Q(**{f"{field_name}__isnull": False})
    if low is not None:
        q &= Q(**{f"{field_name}__gte": low})
    if high is not None:
        q &= Q(**{f"{field_name}__lt": high})
    return q


def _histogram(qs: QuerySet, field_name: str, buckets: Iterable[tuple[str, Any, Any]]) -> dict[str, Any]:
    buckets = list(buckets)
    aggregates = {f"b{i}": Count("pk", filter=_bucket_q(field_name, lo, hi)) for i, (_, lo, hi) in enumerate(buckets)}
    row = qs.aggregate(**aggregates)
    return {"labels": [label for label, _, _ in buckets], "counts": [row[f"b{i}"] for i in range(len(buckets))]}


def _speedup_by_split() -> dict[str, Any]:
    """Per-split speedup histogram in one grouped scan of the pair table."""
    aggregates = {
        f"b{i}": Count("pk", filter=_bucket_q("speedup", lo, hi)) for i, (_, lo, hi) in enumerate(SPEEDUP_BUCKETS)
    }
    rows = Pair.objects.order_by().values("split__name").annotate(**aggregates).order_by("split__name")
    return {
        "labels": [label for label, _, _ in SPEEDUP_BUCKETS],
        "series": [
            {"name": r["split__name"], "counts": [r[f"b{i}"] for i in range(len(SPEEDUP_BUCKETS))]} for r in rows
        ],
    }


def _split_rows() -> list[dict[str, Any]]:
    counted = {
        r["split_id"]: r
        for r in Pair.objects.order_by()
        .values("split_id")
        .annotate(pairs=Count("pk"), problems=Count("problem_id", distinct=True), best=Max("speedup"))
    }
    rows = []
    for split in Split.objects.order_by("name"):
        c = counted.get(split.pk, {})
        rows.append(
            {
                "name": split.name,
                "description": split.description,
                "pairs": c.get("pairs", 0),
                "problems": c.get("problems", 0),
                "best_speedup": c.get("best"),
            }
        )
    return rows


def _tag_histogram() -> dict[str, Any]:
    counts = dict(
        Pair.objects.order_by()
        .filter(target_pct_bin__isnull=False)
        .values_list("target_pct_bin")
        .annotate(n=Count("pk"))
        .values_list("target_pct_bin", "n")
    )
    labels = list(range(0, 11)) if 0 in counts else list(range(1, 11))
    return {"labels": [str(b) for b in labels], "counts": [counts.get(b, 0) for b in labels],
            "untagged": Pair.objects.filter(target_pct_bin__isnull=True).count()}


def overview_stats_compute() -> dict[str, Any]:
    """Every figure of the overview page, computed from scratch (~8 aggregate queries)."""
    src_len = _histogram(Pair.objects.order_by(), "src_length", CODE_LENGTH_BUCKETS)
    tgt_len = _histogram(Pair.objects.order_by(), "tgt_length", CODE_LENGTH_BUCKETS)
    return {
        "totals": {
            "problems": Problem.objects.count(),
            "problems_with_pairs": Problem.objects.filter(pair_count__gt=0).count(),
            "pairs": Pair.objects.count(),
            "test_cases": TestCase.objects.count(),
        },
        "splits": _split_rows(),
        "speedup_by_split": _speedup_by_split(),
        "tags": _tag_histogram(),
        "pairs_per_problem": _histogram(Problem.objects.order_by(), "pair_count", PAIRS_PER_PROBLEM_BUCKETS),
        "code_length": {"labels": src_len["labels"], "src": src_len["counts"], "tgt": tgt_len["counts"]},
    }


def overview_stats() -> dict[str, Any]:
    """Overview figures, cached per dataset version (so imports invalidate them)."""
    key = f"problems:overview:{dataset_version()}"
    stats = cache.get(key)
    if stats is None:
        stats = overview_stats_compute()
        cache.set(key, stats, OVERVIEW_CACHE_SECONDS)
    return stats


def overview_most_improved(*, limit: int = MOST_IMPROVED_LIMIT) -> list[Pair]:
    """``most_improved_pairs`` cached under the dataset version, like the charts."""
    key = f"problems:most-improved:{limit}:{dataset_version()}"
    rows = cache.get(key)
    if rows is None:
        rows = most_improved_pairs(limit=limit)
        cache.set(key, rows, OVERVIEW_CACHE_SECONDS)
    return rows


def most_improved_pairs(*, limit: int = MOST_IMPROVED_LIMIT, split: str | None = None) -> list[Pair]:
    """Top pairs by dataset speedup (uses the speedup index; programs not loaded)."""
    qs = Pair.objects.filter(speedup__isnull=False).select_related("split").only(
        *PAIR_LIST_FIELDS, "split__name", "problem__name"
    ).select_related("problem")
    if split:
        qs = qs.filter(split__name=split)
    return list(qs.order_by("-speedup", "id")[:limit])


# ------------------------------------------------------------------------------------------------
# problems
# ------------------------------------------------------------------------------------------------
@dataclass
class ProblemFilters:
    """Validated filters of the problem list (from ``ProblemFilterForm``)."""

    q: str = ""
    source: str = ""
    split: str = ""
    min_pairs: int | None = None
    max_pairs: int | None = None
    min_tests: int | None = None
    max_tests: int | None = None
    sort: str = "id"
    descending: bool = False


def _ordered(qs: QuerySet, column: str, descending: bool, tiebreak: str = "id") -> QuerySet:
    expr = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return qs.order_by(expr, tiebreak) if column != tiebreak else qs.order_by(expr)


def problem_list(*, filters: ProblemFilters) -> QuerySet[Problem]:
    """Problems matching ``filters``, with the columns the list shows (statements deferred)."""
    qs = Problem.objects.only(
        "id", "name", "source", "time_limit_ms", "memory_limit_kb", "pair_count", "test_count",
        "median_speedup", "best_speedup",
    )
    if filters.q:
        q = filters.q.strip()
        if _PROBLEM_ID_RE.match(q):
            qs = qs.filter(id__iexact=q)
        else:
            qs = qs.filter(Q(id__istartswith=q) | Q(name__icontains=q))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.split:
        in_split = Pair.objects.filter(split__name=filters.split, problem_id=OuterRef("pk"))
        qs = qs.filter(Exists(in_split))
        split_pairs = (
            Pair.objects.filter(split__name=filters.split, problem_id=OuterRef("pk"))
            .order_by()
            .values("problem_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.annotate(split_pairs=Subquery(split_pairs))
    for attr, lookup in (
        ("min_pairs", "pair_count__gte"), ("max_pairs", "pair_count__lte"),
        ("min_tests", "test_count__gte"), ("max_tests", "test_count__lte"),
    ):
        value = getattr(filters, attr)
        if value is not None:
            qs = qs.filter(**{lookup: value})
    return _ordered(qs, PROBLEM_SORTS.get(filters.sort, "id"), filters.descending)


def problem_sources() -> list[str]:
    return [value for value, _ in Problem.Source.choices]


def split_names() -> list[str]:
    """Split names for the filter menus, cached under the dataset version (every page asks)."""
    key = f"problems:split-names:{dataset_version()}"
    names = cache.get(key)
    if names is None:
        names = list(Split.objects.order_by("name").values_list("name", flat=True))
        cache.set(key, names, OVERVIEW_CACHE_SECONDS)
    return names


def problem_test_cases(*, problem: Problem) -> QuerySet[TestCase]:
    return TestCase.objects.filter(problem=problem).order_by("index")


DIFF_CACHE_SECONDS = 24 * 60 * 60
FASTEST_CACHE_SECONDS = 60 * 60


def pair_diffs(*, pair: Pair, fold: bool = False, context_lines: int = 5) -> dict[str, str]:
    """Both highlighted diff tables of ``pair`` (see ``diff.render_diff_layouts``), cached.

    Highlighting two ~2 KB programs costs tens of milliseconds of CPU, most of a pair page's
    time; the key includes ``updated_at`` so a re-imported pair is re-rendered.
    """
    from .diff import render_diff_layouts, undouble_newlines

    key = f"problems:diff:v1:{pair.pk}:{pair.updated_at.timestamp() if pair.updated_at else 0}:{int(fold)}"
    tables = cache.get(key)
    if tables is None:
        tables = render_diff_layouts(
            undouble_newlines(pair.src_code),
            undouble_newlines(pair.tgt_code),
            context=context_lines if fold else None,
            old_label=f"slow · {pair.src_id or 'src'}",
            new_label=f"fast · {pair.tgt_id or 'tgt'}",
        )
        tables = {k: str(v) for k, v in tables.items()}
        cache.set(key, tables, DIFF_CACHE_SECONDS)
    from django.utils.safestring import mark_safe

    return {k: mark_safe(v) for k, v in tables.items()}  # noqa: S308 - our own escaped HTML


def pair_code_listing(*, pair: Pair, side: str = "tgt") -> str:
    """One program of ``pair`` as a highlighted, numbered table, cached like ``pair_diffs``."""
    from django.utils.safestring import mark_safe

    from .diff import render_code, undouble_newlines

    key = f"problems:listing:v1:{pair.pk}:{pair.updated_at.timestamp() if pair.updated_at else 0}:{side}"
    html = cache.get(key)
    if html is None:
        html = str(render_code(undouble_newlines(pair.tgt_code if side == "tgt" else pair.src_code)))
        cache.set(key, html, DIFF_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own escaped HTML


def problem_fastest_pair_cached(*, problem: Problem) -> Pair | None:
    """``problem_fastest_pair``, remembered per problem while its counters are unchanged.

    The problem's denormalised counters change with every import that touches its pairs, so
    they version the entry at no extra query; one primary-key fetch remains on a hit.
    """
    key = (f"problems:fastest:{problem.pk}:{problem.pair_count}:{problem.best_speedup}:"
           f"{problem.median_speedup}")
    pair_id = cache.get(key)
    if pair_id is None:
        fastest = problem_fastest_pair(problem=problem)
        cache.set(key, fastest.pk if fastest else 0, FASTEST_CACHE_SECONDS)
        return fastest
    if pair_id == 0:
        return None
    return Pair.objects.select_related("split").filter(pk=pair_id).first()


def problem_fastest_pair(*, problem: Problem) -> Pair | None:
    """The pair whose fast program has the lowest dataset runtime (ties: highest speedup).

    Runtimes from different backends are not comparable, so the backend used by most of the
    problem's pairs wins; one extra small query.
    """
    backends = (
        Pair.objects.filter(problem=problem, tgt_runtime_s__isnull=False)
        .order_by()
        .values("runtime_backend")
        .annotate(n=Count("pk"))
        .order_by("-n", "runtime_backend")
    )
    top = backends.first()
    if top is None:
        return None
    return (
        Pair.objects.filter(problem=problem, runtime_backend=top["runtime_backend"], tgt_runtime_s__isnull=False)
        .select_related("split")
        .order_by("tgt_runtime_s", F("speedup").desc(nulls_last=True), "id")
        .first()
    )


def problem_submissions(*, problem: Problem, user: Any, limit: int = 20) -> list[Any]:
    """Submissions to ``problem`` the viewer may see: public ones and their own.

    Imported lazily: submissions depend on problems, never the reverse.
    """
    try:
        from apps.submissions.models import Submission, Visibility
    except ImportError:  # the submissions app is optional for the dataset pages
        return []
    visible = Q(visibility=Visibility.PUBLIC)
    if getattr(user, "is_authenticated", False):
        visible |= Q(owner=user)
        if getattr(user, "is_staff", False):
            visible = Q()
    return list(
        Submission.objects.filter(visible, problem=problem)
        .select_related("owner", "job")
        .only(
            "id", "created_at", "visibility", "backend_name", "pair_id", "owner__username", "job__state",
            "job__status", "job__agg_cost_s", "job__correct", "job__progress_done", "job__progress_total",
        )
        .order_by("-created_at")[:limit]
    )


# ------------------------------------------------------------------------------------------------
# pairs
# ------------------------------------------------------------------------------------------------
@dataclass
class PairFilters:
    """Validated filters of any pair list (problem page, pair list, code search, downloads)."""

    problem: str = ""
    split: str = ""
    source: str = ""
    min_speedup: float | None = None
    max_speedup: float | None = None
    tag: int | None = None
    code: str = ""
    code_side: str = "tgt"  # tgt | src | both
    sort: str = "speedup"
    descending: bool = True


def pair_list(*, filters: PairFilters, with_code: bool = False) -> QuerySet[Pair]:
    """Pairs matching ``filters``. Programs are deferred unless ``with_code`` (downloads)."""
    qs = Pair.objects.select_related("split")
    if with_code:
        qs = qs.only(*PAIR_LIST_FIELDS, "src_code", "tgt_code", "user_id", "tests", "extra", "src_pct_bin",
                     "language", "split__name")
    else:
        qs = qs.only(*PAIR_LIST_FIELDS, "split__name")
    if filters.problem:
        qs = qs.filter(problem_id=filters.problem)
    if filters.split:
        qs = qs.filter(split__name=filters.split)
    if filters.source:
        qs = qs.filter(problem__source=filters.source)
    if filters.min_speedup is not None:
        qs = qs.filter(speedup__gte=filters.min_speedup)
    if filters.max_speedup is not None:
        qs = qs.filter(speedup__lte=filters.max_speedup)
    if filters.tag is not None:
        qs = qs.filter(target_pct_bin=filters.tag)
    if filters.code:
        # Case-sensitive substring: code is case-sensitive, and on PostgreSQL LIKE '%x%' is
        # served by the pg_trgm GIN indexes of migration 0002 (SQLite scans; fine for the demo).
        side = {
            "tgt": Q(tgt_code__contains=filters.code),
            "src": Q(src_code__contains=filters.code),
            "both": Q(tgt_code__contains=filters.code) | Q(src_code__contains=filters.code),
        }[filters.code_side if filters.code_side in ("tgt", "src", "both") else "tgt"]
        qs = qs.filter(side)
    column = PAIR_SORTS.get(filters.sort, "speedup")
    return _ordered(qs, column, filters.descending)


def pair_navigation(*, pair: Pair) -> dict[str, int | None]:
    """Previous/next pair ids of the same problem (id order), ``pair``'s 1-based position and the total.

    One aggregate over the ``(problem_id, id)`` index (an index-only scan), instead of two probes
    and a count.
    """
    row = Pair.objects.filter(problem_id=pair.problem_id).aggregate(
        prev_id=Max("id", filter=Q(id__lt=pair.id)),
        next_id=Min("id", filter=Q(id__gt=pair.id)),
        before=Count("pk", filter=Q(id__lt=pair.id)),
        total=Count("pk"),
    )
    return {"prev_id": row["prev_id"], "next_id": row["next_id"], "position": row["before"] + 1,
            "total": row["total"]}


def pair_neighbours(*, pair: Pair) -> tuple[int | None, int | None]:
    """Ids of the previous and next pair of the same problem, in id order."""
    nav = pair_navigation(pair=pair)
    return nav["prev_id"], nav["next_id"]


def pair_position(*, pair: Pair) -> tuple[int, int]:
    """(1-based position of ``pair`` among its problem's pairs, their count)."""
    nav = pair_navigation(pair=pair)
    return nav["position"], nav["total"]


PIE_FIELD_ORDER = (
    "src_id", "tgt_id", "src_agg_runtime", "tgt_agg_runtime", "problem_id", "speedup", "src_code", "tgt_code",
    "user_id", "target_reward_updated_pct_bin", "src_reward_updated_pct_bin", "tests", "n_tests",
)


def pair_to_pie_record(pair: Pair) -> dict[str, Any]:
    """One pair as a row of PIE's jsonl (``train.jsonl`` column names).

    Columns the importer kept in ``extra`` come back verbatim, so an import followed by an
    export round-trips. ``runtime_backend`` and ``split`` label where the runtimes came from.
    """
    record: dict[str, Any] = dict(pair.extra or {})
    record.update(
        {
            "src_id": pair.src_id,
            "tgt_id": pair.tgt_id,
            "src_agg_runtime": pair.src_runtime_s,
            "tgt_agg_runtime": pair.tgt_runtime_s,
            "problem_id": pair.problem_id,
            "speedup": pair.speedup,
            "src_code": pair.src_code,
            "tgt_code": pair.tgt_code,
            "user_id": pair.user_id or None,
            "target_reward_updated_pct_bin": pair.target_pct_bin,
            "src_reward_updated_pct_bin": pair.src_pct_bin,
            "tests": list(pair.tests or []),
            "n_tests": pair.n_tests,
            "runtime_backend": pair.runtime_backend or None,
            "split": pair.split.name,
        }
    )
    ordered = {k: record.pop(k) for k in PIE_FIELD_ORDER if k in record}
    ordered.update(record)
    return ordered


def pairs_jsonl(*, filters: PairFilters, chunk_size: int = 500) -> Iterator[str]:
    """Yield PIE jsonl lines for every pair matching ``filters``, streaming from the database.

    ``chunk_size`` rows (~4 KB each) are fetched at a time, so memory stays flat at any size.
    """
    for pair in pair_list(filters=filters, with_code=True).iterator(chunk_size=chunk_size):
        yield json.dumps(pair_to_pie_record(pair), ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------------
# full-text search over problems
# ------------------------------------------------------------------------------------------------
class ProblemDocument(Func):
    """``pieweb_problem_document(name, statement_html, statement_translated_html)``.

    The SQL function is created by migration 0002 on PostgreSQL; migration 0003 stores its
    value in the generated column that ``SearchDocument`` reads.
    """

    function = "pieweb_problem_document"
    arity = 3

    def __init__(self, **extra: Any) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(F("name"), F("statement_html"), F("statement_translated_html"),
                         output_field=SearchVectorField(), **extra)


class SearchDocument(RawSQL):
    """The generated ``problems_problem.search_document`` column (migration 0003, PostgreSQL).

    It equals ``ProblemDocument()`` but is stored, so ``ts_rank`` reads it instead of
    re-parsing every matching statement.
    """

    def __init__(self) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__('"problems_problem"."search_document"', [], output_field=SearchVectorField())


def problem_search(*, q: str, limit: int = 50) -> list[Problem]:
    """Problems whose name or statement matches ``q``, best first.

    PostgreSQL: ``websearch_to_tsquery`` syntax ("two words", -exclude, or), ranked with
    ``ts_rank`` (name weighted A, translated statement B, original C). SQLite: every word
    must appear in the name or a statement (``icontains``), ordered by id.
    """
    q = q.strip()
    if not q:
        return []
    fields = ("id", "name", "source", "pair_count", "test_count", "median_speedup", "best_speedup")
    exact = list(Problem.objects.filter(id__iexact=q).only(*fields)) if _PROBLEM_ID_RE.match(q) else []
    if is_postgresql():
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(q, search_type="websearch", config="english")
        found = list(
            Problem.objects.annotate(document=SearchDocument())
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .only(*fields)
            .order_by("-rank", "id")[:limit]
        )
    else:
        cond = Q()
        for word in q.split():
            cond &= Q(name__icontains=word) | Q(statement_html__icontains=word) | Q(
                statement_translated_html__icontains=word
            )
        found = list(Problem.objects.filter(cond).only(*fields).order_by("id")[:limit])
    seen = {p.id for p in exact}
    return exact + [p for p in found if p.id not in seen]


def code_search(*, q: str, side: str = "tgt", split: str = "", limit: int = 50) -> tuple[list[Pair], int | None]:
    """Pairs whose programs contain ``q`` (case-sensitive), and the match count when cheap.

    The count is skipped (``None``) for queries under 3 characters on PostgreSQL, where the
    trigram index cannot help and counting would scan every program.
    """
    filters = PairFilters(code=q, code_side=side, split=split, sort="speedup", descending=True)
    qs = pair_list(filters=filters).select_related("problem").only(*PAIR_LIST_FIELDS, "split__name", "problem__name")
    rows = list(qs[:limit])
    total: int | None
    if len(rows) < limit:
        total = len(rows)
    elif len(q) >= 3 or not is_postgresql():
        total = pair_list(filters=filters).count()
    else:
        total = None
    return rows, total
