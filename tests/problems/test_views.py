"""Browse pages: content, filters, sorting, permalinks, downloads and the benchmark button."""
from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from apps.problems.models import Pair, Problem
from tests.problems import browse_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """These tests inspect each response's context and queries: render every request."""
    settings.BROWSE_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def data():
    cache.clear()
    return browse_data.build(problems=4, pairs_per_problem=4, tests=3)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def test_overview_shows_splits_charts_and_most_improved(client, data):
    r = client.get("/")
    assert r.status_code == 200
    html = _text(r)
    assert "train" in html and "test" in html
    charts = r.context["charts"]
    # 16 pairs, all speedups in [1, 4.3]: the per-split histograms account for every pair.
    assert sum(sum(s["counts"]) for s in charts["speedup_by_split"]["series"]) == 16
    assert sum(charts["tags"]["counts"]) == 16
    assert sum(charts["pairs_per_problem"]["counts"]) == 4
    assert 'id="overview-charts"' in html and "chart.umd.min.js" in html
    best = r.context["most_improved"][0]
    assert best.speedup == pytest.approx(4.3)
    assert best.get_absolute_url() in html
    assert 'action="/search/"' in html


def test_overview_cache_is_invalidated_by_an_import(client, data):
    client.get("/")
    Pair.objects.filter(problem_id="p10000").delete()
    from apps.problems.services import problem_stats_refresh, split_stats_refresh

    problem_stats_refresh()
    split_stats_refresh()
    from apps.problems.selectors import dataset_version_forget

    dataset_version_forget()  # otherwise pages show the import within DATASET_VERSION_TTL_S
    assert sum(client.get("/").context["charts"]["tags"]["counts"]) == 12


def test_problem_list_filters_sort_and_counters(client, data):
    r = client.get("/problems/", {"source": "AtCoder"})
    ids = [p.id for p in r.context["page"]]
    assert ids == ["p10001", "p10003"]
    r = client.get("/problems/", {"sort": "-best_speedup"})
    ids = [p.id for p in r.context["page"]]
    assert ids == ["p10003", "p10002", "p10001", "p10000"]
    p = r.context["page"][0]
    assert p.best_speedup == pytest.approx(4.3) and p.median_speedup == pytest.approx(2.8)
    assert client.get("/problems/", {"q": "prime"}).context["page"].paginator.count == 2
    assert [p.id for p in client.get("/problems/", {"q": "P10002"}).context["page"]] == ["p10002"]
    assert client.get("/problems/", {"min_pairs": 5}).context["page"].paginator.count == 0
    assert client.get("/problems/", {"min_tests": 3, "max_tests": 3}).context["page"].paginator.count == 4


def test_problem_list_split_filter_counts_pairs_in_split(client, data):
    Pair.objects.filter(problem_id="p10000", split__name="test").delete()
    r = client.get("/problems/", {"split": "test"})
    assert [p.id for p in r.context["page"]] == ["p10001", "p10002", "p10003"]
    assert all(p.split_pairs == 2 for p in r.context["page"])


def test_problem_list_pagination_and_bad_params_degrade(client, data):
    r = client.get("/problems/", {"per_page": 10, "page": 99, "sort": "nonsense", "min_pairs": "x"})
    assert r.status_code == 200
    assert r.context["page"].number == 1  # get_page clamps
    assert "min_pairs" in r.context["form"].errors


def test_sort_header_links_keep_filters(client, data):
    html = _text(client.get("/problems/", {"source": "AIZU", "sort": "-best_speedup"}))
    assert 'href="?source=AIZU&amp;sort=best_speedup"' in html  # second click reverses
    assert 'aria-sort="descending"' in html


def test_problem_page(client, data):
    r = client.get("/problems/p10000/")
    html = _text(r)
    assert r.status_code == 200
    assert "Count the boats crossing rivers" in html
    assert "1,000 ms" in html and "131,072 KB" in html
    speedups = [p.speedup for p in r.context["pairs"]]
    assert speedups == sorted(speedups, reverse=True)
    # previews are truncated; the full file is one click away
    assert "/problems/p10000/tests/0/input.txt" in html
    assert r.context["fastest"] is not None
    assert "No submissions to this problem yet" in html
    asc = client.get("/problems/p10000/", {"sort": "speedup"}).context["pairs"]
    assert [p.speedup for p in asc] == sorted(p.speedup for p in asc)
    assert client.get("/problems/p99999/").status_code == 404


def test_translated_statement_preferred(client, data):
    Problem.objects.filter(pk="p10001").update(statement_translated_html="<p>TRANSLATED text</p>")
    html = _text(client.get("/problems/p10001/"))
    assert html.index("TRANSLATED text") < html.index("Print every prime")


def test_testcase_download_is_full_file(client, data):
    r = client.get("/problems/p10000/tests/0/input.txt")
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and body == b"1\n" * 200
    assert "attachment" in r["Content-Disposition"]
    assert client.get("/problems/p10000/tests/7/input.txt").status_code == 404
    assert client.get("/problems/p10000/tests/0/secret.txt").status_code == 404


def test_pair_page_diff_navigation_and_links(client, data):
    pairs = list(Pair.objects.filter(problem_id="p10001").order_by("id"))
    r = client.get(f"/pairs/{pairs[1].pk}/")
    html = _text(r)
    assert r.status_code == 200
    assert r.context["prev_id"] == pairs[0].pk and r.context["next_id"] == pairs[2].pk
    assert r.context["position"] == 2 and r.context["total"] == 4
    assert 'class="diff diff-sbs hl"' in html and 'class="diff diff-inline hl"' in html
    assert '<span class="n">scanf</span>' in html or "scanf" in html
    assert f'href="/submit/?pair={pairs[1].pk}"' in html
    assert "gem5" in html and pairs[1].src_id in html
    first = client.get(f"/pairs/{pairs[0].pk}/?layout=inline")
    assert first.context["prev_id"] is None and first.context["layout"] == "inline"
    assert "0, 1" in _text(first)  # the pair's tests subset
    assert client.get("/pairs/999999/").status_code == 404


def test_pair_list_filters(client, data):
    r = client.get("/pairs/", {"split": "train", "min_speedup": 3, "source": "AIZU"})
    got = {(p.problem_id, round(p.speedup, 1)) for p in r.context["page"]}
    assert got == {("p10000", 3.0), ("p10002", 3.2)}
    assert client.get("/pairs/", {"tag": 4}).context["page"].paginator.count == 4
    assert client.get("/pairs/", {"code": "scanf"}).context["page"].paginator.count == 16
    assert client.get("/pairs/", {"code": "scanf", "side": "src"}).context["page"].paginator.count == 0
    assert client.get("/pairs/", {"code": "SCANF"}).context["page"].paginator.count == 0  # case-sensitive


def test_jsonl_download_is_pie_format_and_filtered(client, data):
    r = client.get("/pairs.jsonl", {"split": "test", "problem": "p10001"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/x-ndjson")
    assert "pie-test-p10001.jsonl" in r["Content-Disposition"]
    rows = [json.loads(line) for line in _text(r).splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert row["problem_id"] == "p10001" and row["split"] == "test"
        for key in ("src_id", "tgt_id", "src_code", "tgt_code", "src_agg_runtime", "tgt_agg_runtime", "speedup",
                    "target_reward_updated_pct_bin", "tests", "user_id"):
            assert key in row
    assert [r["speedup"] for r in rows] == sorted((r["speedup"] for r in rows), reverse=True)
    problems = [json.loads(line) for line in _text(client.get("/problems.jsonl", {"source": "AtCoder"})).splitlines()]
    assert {r["problem_id"] for r in problems} == {"p10001", "p10003"} and len(problems) == 8


def test_search_page(client, data):
    r = client.get("/search/", {"q": "scanf"})
    assert r.status_code == 200 and r.context["results"].pair_total == 16
    r = client.get("/search/", {"q": "rivers"})
    assert [p.id for p in r.context["results"].problems] == ["p10000", "p10002"]
    assert client.get("/search/", {"q": "p10003"})["Location"] == "/problems/p10003/"
    assert client.get("/search/", {"q": ""}).status_code == 200


def test_benchmark_button_creates_src_and_tgt_jobs(client, data):
    pytest.importorskip("apps.benchmarks.services")
    from apps.benchmarks.models import BenchmarkJob

    pair = Pair.objects.filter(problem_id="p10000", tests=[0, 1]).first()
    assert client.post(f"/pairs/{pair.pk}/benchmark/", HTTP_ACCEPT="application/json").status_code == 403
    assert "Log in to benchmark" in _text(client.get(f"/pairs/{pair.pk}/"))
    assert not BenchmarkJob.objects.exists()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("bencher", password="pw-bencher-1"))
    r = client.post(f"/pairs/{pair.pk}/benchmark/", HTTP_ACCEPT="application/json")
    assert r.status_code == 202, r.content
    payload = r.json()
    assert payload["started"] and not payload["finished"]
    jobs = list(BenchmarkJob.objects.filter(problem_id="p10000").select_related("program"))
    assert len(jobs) == 2 and all(j.tests == [0, 1] for j in jobs)
    assert {j.program.source for j in jobs} == {pair.src_code.replace("\n\n", "\n"), pair.tgt_code.replace("\n\n", "\n")}
    status = client.get(f"/pairs/{pair.pk}/benchmark.json").json()
    assert status["src"]["id"] == payload["src"]["id"] and status["tgt"]["state"] == "queued"
    html = _text(client.get(f"/pairs/{pair.pk}/"))
    assert f"/benchmarks/jobs/{payload['src']['id']}/" in html
    # without JS the form posts and redirects back to the panel
    r = client.post(f"/pairs/{pair.pk}/benchmark/")
    assert r.status_code == 302 and r["Location"].endswith("#benchmark")
    assert client.get(f"/pairs/{pair.pk}/benchmark/").status_code == 405


def test_row_renderers_escape_dataset_text(client, data):
    Problem.objects.filter(pk="p10000").update(name="<script>alert(1)</script>")
    Pair.objects.filter(problem_id="p10000").update(src_id="<b>x</b>", runtime_backend="<i>")
    for url in ("/problems/", "/problems/p10000/", "/pairs/?problem=p10000", "/search/?q=scanf"):
        html = _text(client.get(url))
        assert "<script>alert" not in html and "<b>x</b>" not in html and "<i>" not in html, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _text(client.get("/problems/"))


def test_anonymous_pages_are_cached_until_an_import(client, data, settings, django_assert_num_queries):
    settings.BROWSE_PAGE_CACHE_SECONDS = 30
    cache.clear()
    first = client.get("/problems/", {"source": "AIZU"})
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = client.get("/problems/", {"source": "AIZU"})
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert client.get("/problems/", {"source": "AtCoder"})["X-Page-Cache"] == "miss"  # keyed by full URL
    # an import changes the dataset version: the page is rendered afresh
    from django.utils import timezone

    Problem.objects.filter(pk="p10000").update(name="Renamed river", updated_at=timezone.now())
    from apps.problems.selectors import dataset_version_forget

    dataset_version_forget()
    assert "Renamed river" in _text(client.get("/problems/", {"source": "AIZU"}))
    # logged-in readers always get a fresh page
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("reader", password="pw-reader-1"))
    assert "X-Page-Cache" not in client.get("/problems/", {"source": "AIZU"})
