"""Scoring a model run: jobs per distinct program, verdicts folded into PIE's metrics, access rules.

The first tests write the jobs' verdicts themselves (no engine) to hold the bookkeeping to
hand-computed numbers; the slow ones run the real engine (g++, bubblewrap, cachegrind) and a
real Celery worker.
"""
from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from apps.benchmarks.models import BenchmarkJob
from apps.submissions import selectors
from apps.submissions.models import ModelRun, Sample, Score, Visibility
from apps.submissions.services import (
    model_run_score_collect,
    model_run_score_start,
    model_run_score_sync,
    model_run_upload,
)

from .dataset import BROKEN, FAST, WRONG, finish_job, jsonl, make_dataset, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return make_dataset()


@pytest.fixture
def owner():
    return make_user("ada")


def _run(owner, data, *records, visibility=Visibility.PRIVATE, name="run"):
    return model_run_upload(owner=owner, file=SimpleUploadedFile("run.jsonl", jsonl(*records)), name=name,
                            split=data["test"], visibility=visibility, enqueue=False)


def test_one_job_per_distinct_program_and_hand_computed_score(data, owner):
    pair1, pair2, _ = data["pairs"]
    other_fast = FAST + "// another spelling\n"
    run = _run(
        owner, data,
        {"src_id": "s1", "generated_answers": [WRONG, FAST, other_fast, BROKEN]},
        {"src_id": "s2", "generated_answers": [FAST, FAST]},
    )
    total = model_run_score_start(model_run_id=run.pk, enqueue=False)
    # distinct: src1, tgt1, src2, tgt2, WRONG, FAST (3 uses), other_fast, BROKEN
    assert total == 8
    assert BenchmarkJob.objects.count() == 8
    run.refresh_from_db()
    assert run.state == ModelRun.State.RUNNING and run.progress_total == 8
    fast_jobs = {s.job_id for s in Sample.objects.filter(program__source=FAST)}
    assert len(fast_jobs) == 1

    assert model_run_score_collect(model_run_id=run.pk) is False  # nothing finished yet
    row1, row2 = run.rows.order_by("id")
    costs = {pair1.src_code: 10.0, pair1.tgt_code: 2.0, pair2.src_code: 8.0, pair2.tgt_code: 4.0,
             FAST: 4.0, other_fast: 2.5}
    for job in BenchmarkJob.objects.select_related("program"):
        source = job.program.source
        if source == WRONG:
            finish_job(job, status="WA", cost=None, accuracy=0.5)
        elif source == BROKEN:
            finish_job(job, status="CE", cost=None)
        else:
            finish_job(job, status="OK", cost=costs[source])
        if job.program.source == FAST:
            assert model_run_score_collect(model_run_id=run.pk) is False
            run.refresh_from_db()
            assert 0 < run.progress_done < 8

    assert model_run_score_collect(model_run_id=run.pk) is True
    run.refresh_from_db()
    assert run.state == ModelRun.State.DONE and run.progress_done == 8 and run.finished_at is not None
    score = Score.objects.get(model_run=run)
    # three rows in the split (pair 3 not uploaded counts 1.0 / incorrect)
    # best@1: row1 WA -> 1.0, row2 8/4 = 2.0, row3 1.0
    at1 = score.metrics["best_at"]["1"]
    assert at1["mean_speedup"] == pytest.approx((1 + 2 + 1) / 3)
    assert at1["pct_opt"] == pytest.approx(100 / 3)
    assert at1["pct_correct"] == pytest.approx(100 / 3)
    # best@4: row1 min(4, 2.5) -> 10/2.5 = 4.0, row2 2.0, row3 1.0
    assert score.k_max == 4 and score.n_rows == 3
    assert score.mean_speedup == pytest.approx((4 + 2 + 1) / 3)
    assert score.pct_opt == pytest.approx(200 / 3)
    assert score.pct_correct == pytest.approx(200 / 3)
    assert score.metrics["human"]["mean_speedup"] == pytest.approx((10 / 2 + 8 / 4) / 2)
    assert score.metrics["errors"]["samples"]["wrong_answer"] == 1
    assert score.metrics["errors"]["samples"]["compile_error"] == 1
    assert score.metrics["errors"]["samples"]["optimized"] == 4
    row1.refresh_from_db()
    assert (row1.src_cost_s, row1.tgt_cost_s) == (10.0, 2.0)
    samples = list(row1.samples.order_by("k"))
    assert [s.status for s in samples] == ["WA", "OK", "OK", "CE"]
    assert [s.cost_s for s in samples] == [None, 4.0, 2.5, None]

    per_row = selectors.model_run_per_row(model_run=run)
    assert [(r["pair_id"], r["speedup"], r["best_k"]) for r in per_row] == [(pair1.pk, 4.0, 2), (pair2.pk, 2.0, 0)]
    assert selectors.model_run_per_row(model_run=run, k=1)[0]["best_k"] is None


def test_internal_error_job_makes_samples_ie_and_src_failure_gives_one(data, owner):
    run = _run(owner, data, {"src_id": "s1", "generated_answers": [FAST]})
    model_run_score_start(model_run_id=run.pk, enqueue=False)
    row = run.rows.get()
    for job in BenchmarkJob.objects.select_related("program"):
        if job.pk == row.src_job_id:
            finish_job(job, status="TLE", cost=None)
        elif job.program.source == FAST:
            job.state = BenchmarkJob.State.FAILED
            job.error = "sandbox unavailable"
            job.save()
        else:
            finish_job(job, status="OK", cost=1.0)
    assert model_run_score_collect(model_run_id=run.pk)
    sample = Sample.objects.get(row=row)
    assert sample.status == "IE" and sample.correct is False
    score = ModelRun.objects.get(pk=run.pk).score
    assert score.mean_speedup == 1.0 and score.metrics["errors"]["samples"]["internal_error"] == 1


def test_jobs_are_reused_across_runs(data, owner):
    first = _run(owner, data, {"src_id": "s1", "generated_answers": [FAST]}, name="a")
    second = _run(owner, data, {"src_id": "s1", "generated_answers": [FAST, WRONG]}, name="b")
    assert model_run_score_start(model_run_id=first.pk, enqueue=False) == 3
    assert model_run_score_start(model_run_id=second.pk, enqueue=False) == 4
    assert BenchmarkJob.objects.count() == 4


def test_visibility_rules(data, owner):
    other = make_user("eve")
    staff = make_user("root", staff=True)
    private = _run(owner, data, {"src_id": "s1", "generated_answers": [FAST]}, name="private")
    public = _run(owner, data, {"src_id": "s1", "generated_answers": [FAST]}, visibility=Visibility.PUBLIC, name="public")
    assert set(selectors.model_run_list_for_user(user=owner)) == {private, public}
    assert set(selectors.model_run_list_for_user(user=other)) == {public}
    assert set(selectors.model_run_list_for_user(user=AnonymousUser())) == {public}
    assert set(selectors.model_run_list_for_user(user=staff)) == {private, public}
    with pytest.raises(Http404):
        selectors.model_run_get_for_user(model_run_id=private.pk, user=other)
    assert selectors.model_run_get_for_user(model_run_id=private.pk, user=staff) == private

    model_run_score_start(model_run_id=private.pk, enqueue=False)
    job_id = private.rows.get().samples.get().job_id
    assert selectors.job_get_for_user(job_id=job_id, user=owner).pk == job_id
    with pytest.raises(Http404):
        selectors.job_get_for_user(job_id=job_id, user=other)
    model_run_score_start(model_run_id=public.pk, enqueue=False)  # the same program, now in a public run
    assert selectors.job_get_for_user(job_id=job_id, user=other).pk == job_id


@pytest.mark.slow
def test_score_sync_with_the_real_engine(data, owner):
    """g++, bubblewrap and cachegrind on two tiny tests: FAST beats SLOW, WRONG is WA, BROKEN is CE."""
    run = _run(owner, data, {"src_id": "s1", "generated_answers": [WRONG, FAST, BROKEN, FAST]})
    seen: list[tuple[int, int]] = []
    run = model_run_score_sync(model_run_id=run.pk, on_progress=lambda done, total: seen.append((done, total)))
    assert run.state == ModelRun.State.DONE, run.error
    assert seen[-1] == (5, 5)  # src, tgt, WRONG, FAST, BROKEN
    statuses = [s.status for s in run.rows.get().samples.order_by("k")]
    assert statuses == ["WA", "OK", "CE", "OK"]
    row = run.rows.get()
    fast_cost = run.rows.get().samples.get(k=1).cost_s
    assert row.src_cost_s > fast_cost > 0
    expected = row.src_cost_s / fast_cost
    score = run.score
    assert score.metrics["best_at"]["1"]["mean_speedup"] == pytest.approx(1.0)
    assert score.metrics["best_at"]["2"]["mean_speedup"] == pytest.approx((expected + 2) / 3)
    assert score.pct_opt == pytest.approx(100 / 3)
    assert score.pct_correct == pytest.approx(100 / 3)


@pytest.mark.slow
def test_score_through_a_celery_worker(celery_worker, data, owner):
    """The upload enqueues scoring on commit; the worker runs the jobs and the poll task stores the score."""
    from django.db import transaction

    with transaction.atomic():
        run = model_run_upload(owner=owner, file=SimpleUploadedFile("r.jsonl", jsonl({"src_id": "s2", "generated_answers": [FAST]})),
                               name="celery", split=data["test"])
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in (ModelRun.State.DONE, ModelRun.State.FAILED):
            break
        time.sleep(0.5)
    assert run.state == ModelRun.State.DONE, (run.state, run.error)
    assert run.progress_done == run.progress_total == 3
    assert run.score.pct_correct == pytest.approx(100 / 3)
    assert run.score.metrics["best_at"]["1"]["pct_opt"] == pytest.approx(100 / 3)


def test_score_command_reports_file_and_line_and_stores_nothing(data, owner, tmp_path):
    from django.core.management import CommandError, call_command

    bad = tmp_path / "gen.jsonl"
    bad.write_bytes(jsonl({"src_id": "s1", "generated_answers": [FAST]}) + b"{oops\n")
    with pytest.raises(CommandError) as info:
        call_command("score", str(bad), "--owner", "ada")
    assert f"{bad}:2: invalid JSON" in str(info.value)
    assert ModelRun.objects.count() == 0
    with pytest.raises(CommandError, match="--column"):
        call_command("score", str(bad), "--owner", "ada", "--column", "nonsense")


def test_score_command_scores_an_existing_run(data, owner, capsys):
    import json

    from django.core.management import call_command

    run = _run(owner, data, {"src_id": "s1", "generated_answers": [WRONG, FAST]})
    model_run_score_start(model_run_id=run.pk, enqueue=False)
    for job in BenchmarkJob.objects.select_related("program"):
        source = job.program.source
        finish_job(job, status="WA" if source == WRONG else "OK", cost=8.0 if "volatile" in source else 2.0)
    call_command("score", "--run", str(run.pk), "--json")
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["model_run"] == run.pk
    assert metrics["best_at"]["2"]["mean_speedup"] == pytest.approx((4 + 1 + 1) / 3)
    call_command("score", "--run", str(run.pk))
    assert "best@2     33.33" in capsys.readouterr().out
