"""No browse page issues a number of queries that grows with its page size or its data."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.problems.models import Pair
from tests.problems import browse_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """These tests inspect each response's context and queries: render every request."""
    settings.BROWSE_PAGE_CACHE_SECONDS = 0


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """60 problems x 3 pairs: enough rows to fill 50-row pages; built once for the module."""
    with django_db_blocker.unblock():
        browse_data.build(problems=60, pairs_per_problem=3, tests=2)
        yield
        from apps.problems.models import Problem, Split

        Pair.objects.all().delete()
        Problem.objects.all().delete()
        Split.objects.all().delete()


def _count(client, url: str, params: dict | None = None) -> int:
    """Queries of one request, measured after a warm-up request (small per-version caches filled)."""
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {})
        assert r.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url,params",
    [
        ("/problems/", {}),
        ("/problems/", {"split": "train", "sort": "-best_speedup"}),
        ("/problems/", {"source": "AIZU", "min_pairs": 1, "q": "River"}),
        ("/pairs/", {}),
        ("/pairs/", {"split": "test", "code": "scanf", "sort": "-tgt_runtime"}),
    ],
)
def test_list_pages_query_count_is_independent_of_page_size(client, dataset, url, params):
    small = _count(client, url, {**params, "per_page": 10})
    large = _count(client, url, {**params, "per_page": 50})
    assert small == large
    assert large <= 6


def test_problem_page_query_count_is_independent_of_pairs_and_tests(client, dataset):
    few = _count(client, "/problems/p10000/")
    Pair.objects.filter(problem_id="p10001").update(problem_id="p10000")  # now 6 pairs
    try:
        many = _count(client, "/problems/p10000/")
    finally:
        Pair.objects.filter(key__startswith="s1_").update(problem_id="p10001")
    assert few == many
    assert many <= 10


def test_pair_page_query_count_is_bounded(client, dataset):
    pair = Pair.objects.order_by("id")[1]
    assert _count(client, f"/pairs/{pair.pk}/") <= 10


def test_overview_is_cheap_when_warm(client, dataset):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    cold = len(ctx.captured_queries)
    warm = _count(client, "/")
    assert warm < cold
    assert warm == 0  # dataset version, charts and most-improved pairs all come from the cache


def test_search_query_count(client, dataset):
    assert _count(client, "/search/", {"q": "scanf"}) <= 5
