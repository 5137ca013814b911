"""Full-text and code search: PostgreSQL indexes in use, and the SQLite-style fallback."""
from __future__ import annotations

import pytest
from django.db import connection

from apps.problems import selectors
from apps.problems.models import Pair
from apps.problems.search import site_search
from tests.problems import browse_data

pytestmark = pytest.mark.django_db

needs_pg = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL indexes")


@pytest.fixture
def data():
    return browse_data.build(problems=4, pairs_per_problem=2, tests=1)


def test_full_text_search_stems_and_ranks(data):
    # "river" matches "rivers" (English stemming); names outrank statements.
    found = [p.id for p in selectors.problem_search(q="river")]
    assert found == ["p10000", "p10002"]
    assert [p.id for p in selectors.problem_search(q="primes")] == ["p10001", "p10003"]
    assert selectors.problem_search(q="river -boats") == []
    assert selectors.problem_search(q="   ") == []


def test_problem_id_query_redirects(data):
    assert site_search(q="P10001").redirect_to == "/problems/p10001/"
    assert site_search(q="p77777").redirect_to is None


def test_code_search_is_case_sensitive_and_sided(data):
    rows, total = selectors.code_search(q="scanf")
    assert total == 8 and all(r.problem is not None for r in rows)
    assert selectors.code_search(q="scanf", side="src") == ([], 0)
    assert selectors.code_search(q="cin >> n", side="both")[1] == 8
    assert selectors.code_search(q="Scanf")[1] == 0
    assert selectors.code_search(q="scanf", split="test")[1] == 4
    assert site_search(q="s", scope="code").pairs == []  # too short to search code


def test_fallback_without_postgres(data, monkeypatch):
    monkeypatch.setattr(selectors, "is_postgresql", lambda: False)
    assert [p.id for p in selectors.problem_search(q="prime every")] == ["p10001", "p10003"]
    assert selectors.problem_search(q="prime river") == []
    assert selectors.code_search(q="scanf")[1] == 8


@needs_pg
def test_postgres_plans_use_the_gin_indexes(data):
    with connection.cursor() as cur:
        # Tiny test tables make any plan cheap: forbid the alternatives so only the GIN
        # indexes (bitmap scans) remain, and check the planner can match them to our SQL.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        qs = Pair.objects.filter(tgt_code__contains="scanf").order_by().values("id")
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        assert "pair_tgt_code_trgm" in plan, plan
        qs = selectors.Problem.objects.annotate(document=selectors.SearchDocument()).filter(
            document=__import__("django.contrib.postgres.search", fromlist=["SearchQuery"]).SearchQuery(
                "river", config="english"
            )
        ).order_by().values("id")
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        assert "problem_search_document_gin" in plan, plan


@needs_pg
def test_generated_document_matches_the_function(data):
    """The stored column is the SQL function's value, refreshed when a statement changes."""
    selectors.Problem.objects.filter(pk="p10001").update(statement_translated_html="<p>zebra crossing</p>")
    assert [p.id for p in selectors.problem_search(q="zebra")] == ["p10001"]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM problems_problem WHERE search_document IS DISTINCT FROM "
                    "pieweb_problem_document(name, statement_html, statement_translated_html)")
        assert cur.fetchone()[0] == 0
