"""Dataset browse pages. Thin: parse the request, call selectors/services, render.

Every page is a permalink: filters, sort order, page and layout live in the query string.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import downloads, selectors
from .forms import PAGE_SIZES, PairFilterForm, ProblemFilterForm
from .models import Pair, Problem
from .pagecache import anonymous_page_cache
from .pair_benchmarks import benchmarks_available, pair_benchmark, pair_benchmark_start
from .search import site_search

PROBLEM_PAIRS_PER_PAGE = 25
PROBLEM_TESTS_PER_PAGE = 20
TEST_PREVIEW_CHARS = 400


@require_GET
@anonymous_page_cache
def overview(request: HttpRequest) -> HttpResponse:
    stats = selectors.overview_stats()
    return render(
        request,
        "problems/overview.html",
        {
            "stats": stats,
            "charts": {k: stats[k] for k in ("speedup_by_split", "tags", "pairs_per_problem", "code_length")},
            "most_improved": selectors.overview_most_improved(),
        },
    )


@require_GET
@anonymous_page_cache
def problem_list(request: HttpRequest) -> HttpResponse:
    form = ProblemFilterForm(request.GET, splits=selectors.split_names())
    filters = form.filters()
    per_page = form.value("per_page", 50)
    page = Paginator(selectors.problem_list(filters=filters), per_page).get_page(request.GET.get("page"))
    return render(
        request,
        "problems/problem_list.html",
        {"form": form, "filters": filters, "page": page, "page_sizes": PAGE_SIZES, "default_sort": "id"},
    )


@require_GET
def problem_list_download(request: HttpRequest) -> HttpResponse:
    form = ProblemFilterForm(request.GET, splits=selectors.split_names())
    return downloads.problem_pairs_download(filters=form.filters())


@require_GET
@anonymous_page_cache
def problem_detail(request: HttpRequest, problem_id: str) -> HttpResponse:
    problem = get_object_or_404(Problem, pk=problem_id)
    form = PairFilterForm(request.GET, splits=selectors.split_names())
    pair_filters = form.filters(problem=problem.id)
    pairs = Paginator(selectors.pair_list(filters=pair_filters), PROBLEM_PAIRS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    tests = Paginator(selectors.problem_test_cases(problem=problem), PROBLEM_TESTS_PER_PAGE).get_page(
        request.GET.get("tests_page")
    )
    fastest = selectors.problem_fastest_pair_cached(problem=problem)
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "form": form,
            "pairs": pairs,
            "tests": tests,
            "preview_chars": TEST_PREVIEW_CHARS,
            "fastest": fastest,
            "fastest_listing": selectors.pair_code_listing(pair=fastest) if fastest else "",
            "submissions": selectors.problem_submissions(problem=problem, user=request.user),
            "default_sort": "-speedup",
        },
    )


@require_GET
def testcase_download(request: HttpRequest, problem_id: str, index: int, which: str) -> HttpResponse:
    problem = get_object_or_404(Problem.objects.only("id"), pk=problem_id)
    return downloads.testcase_file_response(problem=problem, index=index, which=which)


@require_GET
@anonymous_page_cache
def pair_list(request: HttpRequest) -> HttpResponse:
    form = PairFilterForm(request.GET, splits=selectors.split_names())
    filters = form.filters()
    per_page = form.value("per_page", 50)
    qs = selectors.pair_list(filters=filters)
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    return render(
        request,
        "problems/pair_list.html",
        {"form": form, "filters": filters, "page": page, "page_sizes": PAGE_SIZES, "default_sort": "-speedup"},
    )


@require_GET
def pair_list_download(request: HttpRequest) -> HttpResponse:
    form = PairFilterForm(request.GET, splits=selectors.split_names())
    return downloads.pairs_download(filters=form.filters())


@require_GET
@anonymous_page_cache
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Pair.objects.select_related("problem", "split"), pk=pk)
    layout = request.GET.get("layout", "side-by-side")
    if layout not in ("side-by-side", "inline"):
        layout = "side-by-side"
    fold = request.GET.get("fold") == "1"
    diffs = selectors.pair_diffs(pair=pair, fold=fold)
    nav = selectors.pair_navigation(pair=pair)
    return render(
        request,
        "problems/pair_detail.html",
        {
            "pair": pair,
            "layout": layout,
            "fold": fold,
            "diff_sbs": diffs["side-by-side"],
            "diff_inline": diffs["inline"],
            **nav,
            "bench": pair_benchmark(pair=pair),
            "bench_available": benchmarks_available(),
        },
    )


@require_POST
def pair_benchmark_create(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Pair.objects.select_related("problem"), pk=pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.user.is_authenticated:  # benchmarks spend compute: accounts only
        if wants_json:
            return JsonResponse({"error": "Log in to run benchmarks."}, status=403)
        return redirect_to_login(pair.get_absolute_url())
    try:
        pair_benchmark_start(pair=pair, owner=request.user)
    except ValidationError as exc:
        if wants_json:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(pair.get_absolute_url() + "#benchmark")
    if wants_json:
        return JsonResponse(pair_benchmark(pair=pair).as_json(), status=202)
    messages.success(request, "Benchmark started for the slow and the fast program.")
    return redirect(pair.get_absolute_url() + "#benchmark")


@require_GET
def pair_benchmark_status(request: HttpRequest, pk: int) -> JsonResponse:
    pair = get_object_or_404(Pair.objects.only("id", "problem_id", "src_code", "tgt_code"), pk=pk)
    return JsonResponse(pair_benchmark(pair=pair).as_json())


@require_GET
@anonymous_page_cache
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    scope = request.GET.get("scope", "all")
    side = request.GET.get("side", "tgt")
    split = request.GET.get("split", "")
    results = site_search(q=q, side=side, split=split, scope=scope if scope in ("all", "problems", "code") else "all")
    if results.redirect_to:
        return redirect(results.redirect_to)
    return render(
        request,
        "problems/search.html",
        {"results": results, "scope": scope, "side": side, "split": split, "splits": selectors.split_names()},
    )
