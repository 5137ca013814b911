"""Submission, model-run, compare, leaderboard and export pages through the Django test client.

Jobs, samples and scores are written directly here (no worker): these tests hold the pages to
what is stored. The whole path through a real worker is the browser acceptance test.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.benchmarks.models import BenchmarkJob, Program, source_sha256
from apps.problems.models import Pair, Problem, Split
from apps.problems.models import TestCase as ProblemTest
from apps.submissions import scoring
from apps.submissions.models import ModelRun, ModelRunRow, Sample, Score, Submission
from apps.submissions.selectors import model_run_frames

pytestmark = pytest.mark.django_db

SLOW = "#include <cstdio>\nint main() {\n    long s = 0;\n    for (int i = 0; i < 1000; i++) s += i;\n    printf(\"%ld\\n\", s);\n}\n"
FAST = "#include <cstdio>\nint main() {\n    printf(\"%d\\n\", 499500);\n}\n"


def _program(source: str) -> Program:
    return Program.objects.get_or_create(sha256=source_sha256(source), defaults={"source": source})[0]


def _job(problem: Problem, source: str, *, cost: float | None, status: str = "OK", n_tests: int = 2) -> BenchmarkJob:
    """A finished job whose tests each cost ``cost / n_tests`` seconds."""
    results = [
        {
            "index": i,
            "status": status if i == 0 or status == "OK" else "OK",
            "accuracy": 1.0 if status == "OK" else 0.0,
            "measurement": {"success": status == "OK", "cost_s": None if cost is None else cost / n_tests,
                            "metrics": {"instructions": 1000 * (i + 1)}},
        }
        for i in range(n_tests if status == "OK" else 1)
    ]
    return BenchmarkJob.objects.create(
        program=_program(source), problem=problem, tests=list(range(n_tests)), state=BenchmarkJob.State.DONE,
        progress_done=n_tests, progress_total=n_tests, compile_success=status != "CE",
        compile_output="error: expected ';'" if status == "CE" else "", status=status,
        correct=status == "OK", mean_accuracy=1.0 if status == "OK" else 0.0, agg_cost_s=cost, results=results,
    )


@pytest.fixture
def users():
    User = get_user_model()
    return {
        # No passwords: hashing costs ~1 s per user on a loaded CI box, and force_login needs none.
        "alice": User.objects.create_user("alice"),
        "bob": User.objects.create_user("bob"),
        "staff": User.objects.create_user("staff", is_staff=True),
    }


@pytest.fixture
def dataset():
    split = Split.objects.create(name="test")
    problems = [Problem.objects.create(id=f"p9000{i}", name=f"Problem {i}") for i in (1, 2, 3)]
    for problem in problems:
        for index in (0, 1):
            ProblemTest.objects.create(problem=problem, index=index, input_sha256="0" * 64, output_sha256="1" * 64,
                                    input_size_bytes=0, output_size_bytes=7, sha256=f"{index:064d}")
    pairs = [
        Pair.objects.create(split=split, problem=p, key=f"s{i}->t{i}", src_id=f"s{i}", tgt_id=f"t{i}",
                            src_code=SLOW + f"// {i}\n", tgt_code=FAST + f"// {i}\n", tests=[0, 1])
        for i, p in enumerate(problems)
    ]
    return {"split": split, "problems": problems, "pairs": pairs}


def _scored_run(owner, dataset, *, name: str, visibility: str, samples: list[list[tuple[str, float | None]]]) -> ModelRun:
    """A DONE run: row i gets src cost 8 s, tgt cost 2 s, and ``samples[i]`` as (status, cost) per k."""
    run = ModelRun.objects.create(
        owner=owner, visibility=visibility, name=name, split=dataset["split"], state=ModelRun.State.DONE,
        row_count=len(samples), sample_count=sum(map(len, samples)), samples_per_row=max(map(len, samples)),
    )
    for pair, row_samples in zip(dataset["pairs"], samples, strict=False):
        row = ModelRunRow.objects.create(model_run=run, pair=pair, src_cost_s=8.0, tgt_cost_s=2.0)
        for k, (status, cost) in enumerate(row_samples):
            source = f"// {name} {pair.pk} {k}\n" + FAST
            job = _job(pair.problem, source, cost=cost, status=status)
            Sample.objects.create(
                row=row, k=k, program=job.program, job=job, status=status, correct=status == "OK",
                mean_accuracy=1.0 if status == "OK" else 0.0, cost_s=cost,
            )
    rows, frame, _ = model_run_frames(model_run=run)
    metrics = scoring.score_metrics(rows, frame)
    top = metrics["best_at"][str(metrics["k_max"])]
    Score.objects.create(model_run=run, k_max=metrics["k_max"], n_rows=metrics["n_rows"], pct_opt=top["pct_opt"],
                         mean_speedup=top["mean_speedup"], pct_correct=top["pct_correct"], metrics=metrics)
    return run


# Run A over the 3 rows (src 8 s each): best@1 = [4x, wrong, 1x]; best@2 adds 2x on row 2.
RUN_A = [[("OK", 2.0), ("CE", None)], [("WA", None), ("OK", 4.0)], [("OK", 8.0), ("OK", 8.0)]]
# Run B: row 1 2x (loses to A), row 2 8x (wins), row 3 wrong (ties A at 1.0).
RUN_B = [[("OK", 4.0), ("OK", 4.0)], [("OK", 1.0), ("WA", None)], [("CE", None), ("WA", None)]]


@pytest.fixture
def runs(users, dataset):
    return {
        "a": _scored_run(users["alice"], dataset, name="run A", visibility="private", samples=RUN_A),
        "b": _scored_run(users["alice"], dataset, name="run B", visibility="public", samples=RUN_B),
    }


# ---------------------------------------------------------------------------------------------
# submit form and submission page


def test_submit_requires_login(client):
    response = client.get("/submit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_submit_prefills_the_pairs_slow_program(client, users, dataset):
    client.force_login(users["alice"])
    pair = dataset["pairs"][0]
    response = client.get(f"/submit/?pair={pair.pk}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "s += i;" in body  # the slow program is in the editor
    assert f'name="pair" value="{pair.pk}"' in body
    assert 'class="code-editor"' in body
    assert client.get("/submit/?pair=999999").status_code == 404


def test_submit_rejects_an_empty_program_and_unknown_problem(client, users, dataset):
    client.force_login(users["alice"])
    response = client.post("/submit/", {"problem": "p99999", "source": "   ", "backend": "cachegrind",
                                        "visibility": "private"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The program is empty." in body
    assert "There is no problem p99999." in body
    assert Submission.objects.count() == 0


def test_submit_creates_submission_with_src_and_tgt_jobs(client, users, dataset):
    pytest.importorskip("apps.benchmarks.services")
    client.force_login(users["alice"])
    pair = dataset["pairs"][1]
    # Browsers send textarea lines with CRLF: the program is stored with LF.
    response = client.post("/submit/", {"pair": pair.pk, "problem": pair.problem_id,
                                        "source": FAST.replace("\n", "\r\n"), "backend": "cachegrind",
                                        "visibility": "private"})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response["Location"] == submission.get_absolute_url()
    assert submission.pair == pair and submission.owner == users["alice"]
    assert submission.program.source == FAST
    assert submission.src_job.program.source == pair.src_code
    assert submission.tgt_job.program.source == pair.tgt_code
    assert {j.backend_name for j in (submission.job, submission.src_job, submission.tgt_job)} == {"cachegrind"}
    assert submission.job.tests == submission.src_job.tests == [0, 1]


@pytest.fixture
def submission(users, dataset):
    pair = dataset["pairs"][0]
    job = _job(pair.problem, FAST, cost=2.0)
    return Submission.objects.create(
        owner=users["alice"], problem=pair.problem, pair=pair, program=job.program, job=job,
        src_job=_job(pair.problem, pair.src_code, cost=6.0), tgt_job=_job(pair.problem, pair.tgt_code, cost=3.0),
    )


def test_submission_page_shows_speedups_tests_and_diff(client, users, submission):
    client.force_login(users["alice"])
    response = client.get(submission.get_absolute_url())
    assert response.status_code == 200
    assert response.context["speedup_vs_src"] == pytest.approx(3.0)
    assert response.context["speedup_vs_tgt"] == pytest.approx(1.5)
    body = response.content.decode()
    assert "3.00×" in body and "1.50×" in body
    assert 'class="diff diff-sbs hl"' in body  # h7's side-by-side diff
    assert [t["speedup_vs_src"] for t in response.context["tests"]] == [pytest.approx(3.0)] * 2
    inline = client.get(submission.get_absolute_url() + "?layout=inline").content.decode()
    assert 'class="diff diff-inline hl"' in inline


def test_submission_progress_json(client, users, submission):
    client.force_login(users["alice"])
    data = client.get(reverse("submissions:submission_progress", args=[submission.pk])).json()
    assert data["finished"] is True
    assert set(data["jobs"]) == {"submission", "src", "tgt"}
    assert data["jobs"]["src"]["agg_cost_s"] == 6.0


def test_unfinished_submission_polls(client, users, submission):
    BenchmarkJob.objects.filter(pk=submission.job_id).update(state="running", progress_done=1)
    client.force_login(users["alice"])
    body = client.get(submission.get_absolute_url()).content.decode()
    assert "data-progress-url" in body
    assert client.get(reverse("submissions:submission_progress", args=[submission.pk])).json()["finished"] is False


def test_private_submission_is_404_to_others_and_visible_to_staff(client, users, submission):
    url = submission.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(users["bob"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("submissions:submission_progress", args=[submission.pk])).status_code == 404
    client.force_login(users["staff"])
    assert client.get(url).status_code == 200
    Submission.objects.filter(pk=submission.pk).update(visibility="public")
    client.logout()
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------------------------
# model runs


def test_run_list_shows_own_and_public_runs(client, users, runs):
    client.force_login(users["bob"])
    body = client.get("/runs/").content.decode()
    assert "run B" in body and "run A" not in body
    client.force_login(users["alice"])
    body = client.get("/runs/").content.decode()
    assert "run A" in body and "run B" in body


def test_run_report_metrics_cards_and_rows(client, users, runs):
    client.force_login(users["alice"])
    response = client.get(runs["a"].get_absolute_url())
    assert response.status_code == 200
    cards = {c["k"]: c for c in response.context["cards"]}
    # best@1: speedups [8/2=4, 1 (wrong), 1 (8/8)] -> mean 2, %Opt 1/3, %Correct 2/3
    assert cards[1]["mean_speedup"] == pytest.approx(2.0)
    assert cards[1]["pct_opt"] == pytest.approx(100 / 3)
    assert cards[1]["pct_correct"] == pytest.approx(200 / 3)
    # best@2: [4, 2, 1] -> mean 7/3, %Opt 2/3, %Correct 100
    assert cards[2]["mean_speedup"] == pytest.approx(7 / 3)
    assert cards[2]["pct_opt"] == pytest.approx(200 / 3)
    assert cards[2]["pct_correct"] == pytest.approx(100.0)
    body = response.content.decode()
    assert 'data-testid="card-pct-opt-1">33.33%' in body
    assert 'data-testid="card-speedup-2">2.333×' in body
    assert 'id="chart-best-at"' in body and 'id="run-chart-data"' in body
    assert "vendor/chartjs/chart.umd.min.js" in body
    speeds = [r["speedup"] for r in response.context["page"].object_list]
    assert speeds == sorted(speeds, reverse=True) == pytest.approx([4.0, 2.0, 1.0])
    ascending = client.get(runs["a"].get_absolute_url() + "?sort=-speedup").context["page"].object_list
    assert [r["speedup"] for r in ascending] == pytest.approx([1.0, 2.0, 4.0])
    chart = response.context["chart"]
    assert chart["best_at"]["k"] == [1, 2]
    assert sum(chart["histogram"]["counts"]) == 3


def test_run_row_page_shows_samples_tests_and_diff(client, users, runs):
    client.force_login(users["alice"])
    row = runs["a"].rows.order_by("id")[1]  # wrong, then 2x
    response = client.get(reverse("submissions:model_run_row_detail", args=[runs["a"].pk, row.pk]))
    assert response.status_code == 200
    assert response.context["current"].k == 1  # the fastest correct sample is shown first
    assert response.context["current"].speedup == pytest.approx(2.0)
    body = response.content.decode()
    assert 'class="diff diff-sbs hl"' in body
    wrong = client.get(reverse("submissions:model_run_row_detail", args=[runs["a"].pk, row.pk]) + "?k=0")
    assert wrong.context["current"].k == 0
    other = runs["b"].rows.first()
    assert client.get(reverse("submissions:model_run_row_detail", args=[runs["a"].pk, other.pk])).status_code == 404


def test_private_run_is_404_to_another_user(client, users, runs):
    client.force_login(users["bob"])
    run = runs["a"]
    for url in (run.get_absolute_url(), reverse("submissions:model_run_progress", args=[run.pk]),
                reverse("submissions:model_run_export", args=[run.pk, "csv"]),
                reverse("submissions:model_run_row_detail", args=[run.pk, run.rows.first().pk]),
                f"/runs/compare/?runs={run.pk},{runs['b'].pk}"):
        assert client.get(url).status_code == 404, url
    assert client.get(runs["b"].get_absolute_url()).status_code == 200


def test_run_progress_while_scoring(client, users, runs):
    ModelRun.objects.filter(pk=runs["a"].pk).update(state="running", progress_done=3, progress_total=7)
    client.force_login(users["alice"])
    body = client.get(runs["a"].get_absolute_url()).content.decode()
    assert "Scoring…" in body and 'value="3"' in body
    data = client.get(reverse("submissions:model_run_progress", args=[runs["a"].pk])).json()
    assert data == {"id": runs["a"].pk, "state": "running", "finished": False, "progress_done": 3,
                    "progress_total": 7, "error": ""}


def test_upload_form_lists_line_errors_and_stores_nothing(client, users, dataset, tmp_path):
    client.force_login(users["alice"])
    lines = [json.dumps({"src_id": "s0", "generated_answers": [FAST]}), "{not json", json.dumps({"src_id": "nope",
             "generated_answers": [FAST]}), json.dumps({"src_id": "s1"})]
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "bad.jsonl"
    response = client.post("/runs/new/", {"file": upload, "name": "bad", "split": "test", "backend": "cachegrind",
                                          "visibility": "private", "src_id_column": "src_id",
                                          "problem_id_column": "problem_id", "src_code_column": "src_code",
                                          "generations_column": "generated_answers"})
    assert response.status_code == 400
    errors = response.context["upload_errors"]
    assert errors[0].startswith("line 2: invalid JSON")
    assert errors[1].startswith("line 3: unknown src_id 'nope'")
    assert errors[2] == "line 4: missing column 'generated_answers'"
    assert "nothing was stored" in response.content.decode()
    assert ModelRun.objects.count() == 0 and ModelRunRow.objects.count() == 0


def test_upload_form_requires_login(client):
    assert client.get("/runs/new/").status_code == 302


# ---------------------------------------------------------------------------------------------
# exports


def test_export_aggregated_results_csv_in_pies_layout(client, users, runs):
    client.force_login(users["alice"])
    response = client.get(reverse("submissions:model_run_export", args=[runs["a"].pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "aggregated_results.csv" in response["Content-Disposition"]
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert float(row["mean_speedup_best@1"]) == pytest.approx(2.0)
    assert float(row["mean_speedup_best@2"]) == pytest.approx(7 / 3)
    assert float(row["is_correct_best@1"]) == pytest.approx(2 / 3)
    assert float(row["percent_programs_speedup_best@2>=speedup_threshold_1.10"]) == pytest.approx(200 / 3)
    assert float(row["mean_speedup_tgt_over_src"]) == pytest.approx(4.0)
    assert row["backend"] == "cachegrind" and row["split"] == "test"


def test_export_json_and_rows_csv(client, users, runs):
    client.force_login(users["alice"])
    data = json.loads(client.get(reverse("submissions:model_run_export", args=[runs["a"].pk, "json"])).content)
    assert data["run"]["id"] == runs["a"].pk
    assert data["metrics"]["best_at"]["2"]["pct_correct"] == pytest.approx(100.0)
    assert [r["speedup_best@2"] for r in data["rows"]] == pytest.approx([4.0, 2.0, 1.0])
    assert [s["status"] for s in data["rows"][1]["samples"]] == ["WA", "OK"]
    rows = list(csv.DictReader(io.StringIO(
        client.get(reverse("submissions:model_run_export", args=[runs["a"].pk, "rows.csv"])).content.decode())))
    assert [float(r["speedup_best@1"]) for r in rows] == pytest.approx([4.0, 1.0, 1.0])
    assert client.get(reverse("submissions:model_run_export", args=[runs["a"].pk, "xml"])).status_code == 404


# ---------------------------------------------------------------------------------------------
# compare and leaderboard


def test_compare_two_runs_wins_and_losses(client, users, runs):
    client.force_login(users["alice"])
    response = client.get(f"/runs/compare/?runs={runs['a'].pk},{runs['b'].pk}")
    assert response.status_code == 200
    assert response.context["comparison"]["k"] == 2
    a, b = str(runs["a"].pk), str(runs["b"].pk)
    summary = {s["run"].pk: s for s in response.context["summary"]}
    # best@2 speedups: A = [4, 2, 1], B = [2, 8, 1]: each alone wins one row, row 3 is a tie.
    assert summary[runs["a"].pk]["rows_best"] == 1 and summary[runs["b"].pk]["rows_best"] == 1
    assert (summary[runs["a"].pk]["wins"], summary[runs["a"].pk]["losses"]) == (1, 1)
    assert summary[runs["b"].pk]["mean_speedup"] == pytest.approx(11 / 3)
    assert summary[runs["a"].pk]["mean_speedup"] == pytest.approx(7 / 3)
    by_pair = {r["pair_id"]: r for r in response.context["page"].object_list}
    pairs = [p.pk for p in Pair.objects.order_by("id")]
    assert [c["speedup"] for c in by_pair[pairs[0]]["cells"]] == pytest.approx([4.0, 2.0])
    assert [c["speedup"] for c in by_pair[pairs[1]]["cells"]] == pytest.approx([2.0, 8.0])
    assert by_pair[pairs[0]]["best_runs"] == [runs["a"].pk]
    assert by_pair[pairs[1]]["best_runs"] == [runs["b"].pk]
    assert by_pair[pairs[2]]["best_runs"] == []
    body = response.content.decode()
    assert f'<tr data-run="{a}">' in body and f'<tr data-run="{b}">' in body


def test_compare_explains_bad_input(client, users, runs):
    client.force_login(users["alice"])
    assert "Pick two or more runs" in client.get(f"/runs/compare/?runs={runs['a'].pk}").content.decode()
    assert "is not a run id" in client.get("/runs/compare/?runs=1,x").content.decode()
    ModelRun.objects.filter(pk=runs["b"].pk).update(state="running")
    body = client.get(f"/runs/compare/?runs={runs['a'].pk},{runs['b'].pk}").content.decode()
    assert "Not scored yet" in body


def test_leaderboard_lists_public_scored_runs_only(client, users, runs, dataset):
    ModelRun.objects.filter(pk=runs["a"].pk).update(visibility="public")
    hidden = _scored_run(users["bob"], dataset, name="bob private", visibility="private", samples=RUN_B)
    response = client.get("/leaderboard/?split=test&backend=cachegrind&sort=mean_speedup")
    assert response.status_code == 200
    names = [r["run"].name for r in response.context["rows"]]
    assert names == ["run B", "run A"]  # 11/3 > 7/3
    assert hidden.name not in response.content.decode()
    by_correct = client.get("/leaderboard/?split=test&backend=cachegrind&sort=pct_correct").context["rows"]
    assert [r["run"].name for r in by_correct] == ["run A", "run B"]  # 100% > 66.7% correct at best@2
    by_opt = client.get("/leaderboard/?split=test&backend=cachegrind&sort=pct_opt").context["rows"]
    assert [r["run"].name for r in by_opt] == ["run B", "run A"]  # %Opt tied (2/3), speedup breaks it
    assert client.get("/leaderboard/?backend=wallclock").context["rows"] == []


def test_upload_form_with_renamed_single_string_column_stores_the_run(client, users, dataset):
    client.force_login(users["alice"])
    lines = [json.dumps({"sid": f"s{i}", "code_opt": FAST}) for i in range(3)]
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "single.jsonl"
    response = client.post("/runs/new/", {"file": upload, "name": "renamed", "description": "one string per row",
                                          "split": "test", "backend": "cachegrind", "visibility": "public",
                                          "src_id_column": "sid", "problem_id_column": "problem_id",
                                          "src_code_column": "src_code", "generations_column": "code_opt"})
    run = ModelRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert (run.row_count, run.samples_per_row, run.visibility) == (3, 1, "public")
    assert run.description == "one string per row"
    assert run.columns["generated_answers"] == "code_opt"
    assert Sample.objects.filter(row__model_run=run).values("program").distinct().count() == 1  # identical code once


def test_failed_run_shows_why_and_does_not_poll(client, users, runs):
    ModelRun.objects.filter(pk=runs["a"].pk).update(state="failed", error="backend crashed")
    client.force_login(users["alice"])
    body = client.get(runs["a"].get_absolute_url()).content.decode()
    assert "Scoring failed: backend crashed" in body and "data-progress-url" not in body
    assert client.get(reverse("submissions:model_run_export", args=[runs["a"].pk, "json"])).status_code == 404
