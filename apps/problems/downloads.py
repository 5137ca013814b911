"""Downloads: filtered pair lists as PIE jsonl, and full test-case files.

Pair lists stream (``StreamingHttpResponse`` over a server-side cursor iterator), so exporting
all 78K pairs (~300 MB of code) keeps the web worker's memory flat. Test-case files are served
from the content-addressed blob store with ``FileResponse`` (sendfile-friendly, no read into memory).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse

from .blobs import blob_store
from .models import Pair, Problem, TestCase
from .selectors import PairFilters, ProblemFilters, pair_to_pie_record, pairs_jsonl, problem_list

JSONL_CONTENT_TYPE = "application/x-ndjson; charset=utf-8"


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "pairs"


def jsonl_response(lines: Iterator[str], *, filename: str) -> StreamingHttpResponse:
    """Stream ``lines`` as an attachment named ``filename`` (reduced to safe characters)."""
    response = StreamingHttpResponse((line.encode("utf-8") for line in lines), content_type=JSONL_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(filename)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pair_filters_filename(filters: PairFilters) -> str:
    """A descriptive file name for a filtered pair list, e.g. ``pie-test-p00001.jsonl``."""
    parts = ["pie", filters.split, filters.source, filters.problem]
    if filters.tag is not None:
        parts.append(f"tag{filters.tag}")
    if filters.min_speedup is not None:
        parts.append(f"ge{filters.min_speedup:g}")
    if filters.max_speedup is not None:
        parts.append(f"le{filters.max_speedup:g}")
    if filters.code:
        parts.append("code")
    return "-".join(p for p in parts if p) + ".jsonl"


def pairs_download(*, filters: PairFilters) -> StreamingHttpResponse:
    """Every pair matching ``filters`` as PIE jsonl (same order as the page)."""
    return jsonl_response(pairs_jsonl(filters=filters), filename=pair_filters_filename(filters))


def _problem_pairs(filters: ProblemFilters) -> QuerySet[Pair]:
    ids = problem_list(filters=filters).order_by().values("id")
    qs = Pair.objects.filter(problem_id__in=ids).select_related("split").order_by("problem_id", "id")
    if filters.split:
        qs = qs.filter(split__name=filters.split)
    return qs


def problem_pairs_download(*, filters: ProblemFilters, chunk_size: int = 500) -> StreamingHttpResponse:
    """The pairs of every problem in a filtered problem list (restricted to its split filter)."""
    import json

    def lines() -> Iterator[str]:
        for pair in _problem_pairs(filters).iterator(chunk_size=chunk_size):
            yield json.dumps(pair_to_pie_record(pair), ensure_ascii=False) + "\n"

    name = "-".join(p for p in ["pie-problems", filters.split, filters.source, filters.q] if p) + ".jsonl"
    return jsonl_response(lines(), filename=name)


def testcase_file_response(*, problem: Problem, index: int, which: str) -> FileResponse:
    """The full input or expected output of one test case, as a text download."""
    if which not in ("input", "output"):
        raise Http404("unknown test-case file")
    test = TestCase.objects.filter(problem=problem, index=index).only(
        "input_sha256", "output_sha256", "problem_id", "index"
    ).first()
    if test is None:
        raise Http404(f"{problem.id} has no test {index}")
    sha = test.input_sha256 if which == "input" else test.output_sha256
    path = blob_store().path(sha)
    if not path.exists():
        raise Http404("the test-case file is missing from the blob store")
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{problem.id}-{which}.{index}.txt", content_type="text/plain"
    )
    return response
