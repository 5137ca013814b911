"""Every model's admin pages render for a superuser, with the demo dataset and one object of each model."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.models import ApiToken
from apps.benchmarks.models import BenchmarkJob, Measurement, Program, source_sha256
from apps.problems.models import Pair, Problem, Split
from apps.problems.models import TestCase as PieTest
from apps.submissions.models import ModelRun, ModelRunRow, Sample, Score, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(db):
    """Demo data plus one row of every other model, linked the way the app links them."""
    call_command("load_demo", "--no-progress", verbosity=0)
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    pair = Pair.objects.select_related("problem").first()
    program = Program.objects.create(sha256=source_sha256(pair.tgt_code), source=pair.tgt_code)
    job = BenchmarkJob.objects.create(program=program, problem=pair.problem, owner=user, tests=[0, 1],
                                      results=[{"index": 0, "status": "AC"}])
    Measurement.objects.create(program=program, test_case=PieTest.objects.filter(problem=pair.problem).first(),
                               binary_sha256="b" * 64, test_sha256="t" * 64, backend_name="cachegrind",
                               backend_version="1", backend_config_key="k" * 16, status="AC", cost_s=0.01)
    Submission.objects.create(owner=user, problem=pair.problem, pair=pair, program=program, job=job)
    run = ModelRun.objects.create(owner=user, name="demo run", split=pair.split)
    row = ModelRunRow.objects.create(model_run=run, pair=pair, src_job=job, tgt_job=job)
    Sample.objects.create(row=row, k=0, program=program, job=job, status="AC", correct=True, cost_s=0.01)
    Score.objects.create(model_run=run, pct_opt=50.0, mean_speedup=1.5, pct_correct=100.0)
    ApiToken.objects.create(user=user, name="ci", prefix="abcd", key_sha256="a" * 64)
    Group.objects.create(name="curators")
    return user


def test_every_admin_page_renders(client, populated):
    client.force_login(populated)
    assert client.get(reverse("admin:index")).status_code == 200
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        listing = client.get(reverse(f"{name}_changelist"))
        assert listing.status_code == 200, f"{name}_changelist"
        if model_admin.search_fields:
            for term in ("p90001", "12"):
                assert client.get(reverse(f"{name}_changelist"), {"q": term}).status_code == 200, (name, term)
        obj = model._default_manager.first()
        assert obj is not None, f"no {opts.label} to show"
        assert client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200, f"{name}_change"
        if model_admin.has_add_permission(listing.wsgi_request):
            assert client.get(reverse(f"{name}_add")).status_code == 200, f"{name}_add"
        checked += 1
    assert checked >= 13


def test_pair_admin_stays_cheap_at_scale(client, populated, django_assert_max_num_queries):
    """The pair changelist joins problem and split: its query count does not grow with the rows shown."""
    client.force_login(populated)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:problems_pair_changelist")).status_code == 200
    problem = Problem.objects.get(id="p90001")
    assert client.get(reverse("admin:problems_problem_change", args=[problem.pk])).status_code == 200
    assert Split.objects.filter(pair_count__gt=0).count() == 3


def test_autocomplete_finds_problems(client, populated):
    client.force_login(populated)
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "problems", "model_name": "pair", "field_name": "problem", "term": "Pair Sum"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == ["p90001"]


def test_refresh_counters_action(client, populated):
    client.force_login(populated)
    Problem.objects.filter(id="p90001").update(pair_count=0, best_speedup=None)
    response = client.post(reverse("admin:problems_problem_changelist"),
                           {"action": "refresh_counters", "_selected_action": ["p90001"]}, follow=True)
    assert response.status_code == 200
    problem = Problem.objects.get(id="p90001")
    assert problem.pair_count == 1 and problem.best_speedup is not None
