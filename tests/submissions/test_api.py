"""The REST API through DRF's test client with token auth: dataset, submissions, model runs, jobs."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from apps.accounts.services import api_token_create
from apps.benchmarks.models import BenchmarkJob
from apps.submissions.models import ModelRun, Sample, Submission
from apps.submissions.services import model_run_score_collect, model_run_score_start

from .dataset import FAST, WRONG, finish_job, jsonl, make_dataset, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttle counters live in the default cache
    yield
    cache.clear()


@pytest.fixture
def data():
    return make_dataset()


def _client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        _, key = api_token_create(user=user, name="test")
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def ada():
    return make_user("ada")


@pytest.fixture
def eve():
    return make_user("eve")


def _upload(api: APIClient, content: bytes, **fields):
    payload = {"file": SimpleUploadedFile("gen.jsonl", content), "name": "my run", **fields}
    return api.post("/api/model-runs/", payload, format="multipart")


# ------------------------------------------------------------------------------- dataset


def test_pairs_list_filters_paginates_and_hides_code(data):
    api = _client()
    body = api.get("/api/pairs/", {"split": "test", "page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert "src_code" not in body["results"][0] and body["results"][0]["split"] == "test"
    assert api.get("/api/pairs/", {"src_id": "s9"}).json()["count"] == 1
    assert api.get("/api/pairs/", {"min_speedup": "2.5"}).json()["count"] == 0
    assert api.get("/api/pairs/", {"min_speedup": "abc"}).status_code == 400
    detail = api.get(f"/api/pairs/{data['pairs'][0].pk}/").json()
    assert detail["src_code"].startswith("#include") and detail["problem"] == "p00001"
    assert api.get("/api/pairs/99999999999999999999999/").status_code == 404


def test_problems_and_testcases(data):
    api = _client()
    problems = api.get("/api/problems/", {"split": "test"}).json()
    assert [p["id"] for p in problems["results"]] == ["p00001"]
    assert "statement_html" in api.get("/api/problems/p00001/").json()
    tests = api.get("/api/testcases/", {"problem": "p00001"}).json()
    assert [t["index"] for t in tests["results"]] == [0, 1]
    assert tests["results"][1]["input_preview"] == "40 2\n"
    assert api.get("/api/splits/test/").json()["name"] == "test"


def test_schema_docs_and_browsable_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/model-runs/", "/api/model-runs/{id}/score/", "/api/jobs/{id}/progress/", "/api/pairs/"} <= set(paths)
    assert client.get("/api/docs/").status_code == 200
    page = client.get("/api/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"model-runs" in page.content


# ------------------------------------------------------------------------------- submissions


def test_submit_needs_auth_and_creates_jobs_for_program_src_and_tgt(data, ada):
    pair = data["pairs"][0]
    assert _client().post("/api/submissions/", {"pair": pair.pk, "source": FAST}, format="json").status_code == 401
    api = _client(ada)
    response = api.post("/api/submissions/", {"pair": pair.pk, "source": FAST}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["problem"] == "p00001" and body["visibility"] == "private" and body["owner"] == "ada"
    assert body["job"]["state"] == "queued" and body["src_job"] and body["tgt_job"]
    assert body["speedup_vs_src"] is None  # not measured yet
    submission = Submission.objects.get(pk=body["id"])
    assert submission.job.tests == [0, 1] and submission.src_job.program.source == pair.src_code

    finish_job(submission.job, status="OK", cost=1.0)
    finish_job(submission.src_job, status="OK", cost=3.0)
    finish_job(submission.tgt_job, status="OK", cost=2.0)
    body = api.get(f"/api/submissions/{submission.pk}/").json()
    assert body["speedup_vs_src"] == pytest.approx(3.0) and body["speedup_vs_tgt"] == pytest.approx(2.0)


def test_submit_validation_errors(data, ada):
    api = _client(ada)
    assert api.post("/api/submissions/", {"source": FAST}, format="json").status_code == 400
    assert api.post("/api/submissions/", {"problem": "p99999", "source": FAST}, format="json").status_code == 400
    mismatch = api.post("/api/submissions/", {"problem": "p00002", "pair": data["pairs"][0].pk, "source": FAST},
                        format="json")
    assert mismatch.status_code == 400 and "belongs to p00001" in mismatch.content.decode()
    assert api.post("/api/submissions/", {"problem": "p00001", "source": "   "}, format="json").status_code == 400
    assert api.post("/api/submissions/", {"problem": "p00001", "source": FAST, "backend": "nope"},
                    format="json").status_code == 400
    assert Submission.objects.count() == 0


def test_private_submission_is_404_to_others(data, ada, eve):
    created = _client(ada).post("/api/submissions/", {"problem": "p00001", "source": FAST}, format="json").json()
    public = _client(ada).post("/api/submissions/", {"problem": "p00001", "source": WRONG, "visibility": "public"},
                               format="json").json()
    others = _client(eve)
    assert others.get(f"/api/submissions/{created['id']}/").status_code == 404
    assert [s["id"] for s in others.get("/api/submissions/").json()["results"]] == [public["id"]]
    assert others.get(f"/api/jobs/{created['job']['id']}/").status_code == 404
    assert others.get(f"/api/jobs/{public['job']['id']}/").status_code == 200
    mine = _client(ada).get("/api/submissions/", {"mine": "true"}).json()
    assert {s["id"] for s in mine["results"]} == {created["id"], public["id"]}
    job = _client(ada).get(f"/api/jobs/{created['job']['id']}/progress/").json()
    assert job == {"id": created["job"]["id"], "state": "queued", "finished": False, "progress_done": 0,
                   "progress_total": 2, "error": ""}


def test_submit_is_throttled(data, ada, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "submit", "2/min")
    api = _client(ada)
    codes = [api.post("/api/submissions/", {"problem": "p00001", "source": FAST + f"// {n}\n"}, format="json").status_code
             for n in range(3)]
    assert codes == [201, 201, 429]
    assert api.get("/api/submissions/").status_code == 200  # reads are not in the submit scope


# ------------------------------------------------------------------------------- model runs


def test_upload_score_rows_and_progress(data, ada):
    api = _client(ada)
    response = _upload(api, jsonl({"src_id": "s1", "generated_answers": [WRONG, FAST]}), split="test")
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["state"] == "queued" and run["row_count"] == 1 and run["samples_per_row"] == 2 and run["score"] is None
    assert api.get(f"/api/model-runs/{run['id']}/score/").status_code == 404  # not scored yet
    assert api.get(f"/api/model-runs/{run['id']}/rows/").status_code == 404

    model_run_score_start(model_run_id=run["id"], enqueue=False)
    progress = api.get(f"/api/model-runs/{run['id']}/progress/").json()
    assert progress["state"] == "running" and progress["progress_total"] == 4 and not progress["finished"]
    costs = {WRONG: None, FAST: 2.0}
    for job in BenchmarkJob.objects.select_related("program"):
        source = job.program.source
        if source == WRONG:
            finish_job(job, status="WA", cost=None)
        else:
            finish_job(job, status="OK", cost=costs.get(source, 8.0 if "volatile" in source else 4.0))
    assert model_run_score_collect(model_run_id=run["id"])

    score = api.get(f"/api/model-runs/{run['id']}/score/").json()
    # rows: s1 -> 8/2 = 4.0 at best@2, 1.0 at best@1; s2 and s3 not uploaded -> 1.0
    assert score["k_max"] == 2 and score["n_rows"] == 3
    assert score["mean_speedup"] == pytest.approx(2.0)
    assert score["pct_opt"] == pytest.approx(100 / 3)
    assert score["metrics"]["best_at"]["1"]["mean_speedup"] == pytest.approx(1.0)
    rows = api.get(f"/api/model-runs/{run['id']}/rows/").json()
    assert rows["count"] == 1
    assert rows["results"][0]["speedup"] == pytest.approx(4.0) and rows["results"][0]["best_k"] == 1
    listed = api.get("/api/model-runs/", {"state": "done"}).json()["results"]
    assert listed[0]["score"]["pct_opt"] == pytest.approx(100 / 3)


def test_upload_rejections_store_nothing(data, ada):
    api = _client(ada)
    bad = b'{"src_id": "s1", "generated_answers": ["x"]}\n' * 6 + b'{"src_id": \n'
    response = _upload(api, bad)
    assert response.status_code == 400
    body = response.json()
    assert "line 2: duplicate row" in body["errors"][0]
    assert any(e.startswith("line 7: invalid JSON") for e in body["errors"])
    response = _upload(api, jsonl({"src_id": "unknown", "generated_answers": ["x"]}))
    assert response.json()["errors"] == ["line 1: unknown src_id 'unknown' in split 'test'"]
    response = _upload(api, jsonl({"src_id": "s1", "answers": ["x"]}))
    assert response.json()["errors"] == ["line 1: missing column 'generated_answers'"]
    response = _upload(api, jsonl({"src_id": "s1", "answers": ["x"]}), generated_answers_column="answers",
                       visibility="public", backend="cachegrind")
    assert response.status_code == 201 and response.json()["columns"]["generated_answers"] == "answers"
    ModelRun.objects.all().delete()
    assert _upload(api, jsonl({"src_id": "s1", "generated_answers": ["x"]}), split="nope").status_code == 400
    assert _upload(_client(), jsonl({"src_id": "s1", "generated_answers": ["x"]})).status_code == 401
    assert ModelRun.objects.count() == 0 and Sample.objects.count() == 0


def test_200_mb_upload_is_refused_from_its_header(data, ada):
    api = _client(ada)
    payload = {"file": SimpleUploadedFile("big.jsonl", b"{}\n"), "name": "big"}
    response = api.post("/api/model-runs/", payload, format="multipart", CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than the upload limit" in response.json()["detail"]
    assert ModelRun.objects.count() == 0


def test_private_run_is_404_to_others_everywhere(data, ada, eve):
    run = _upload(_client(ada), jsonl({"src_id": "s1", "generated_answers": [FAST]})).json()
    public = _upload(_client(ada), jsonl({"src_id": "s2", "generated_answers": [FAST]}), visibility="public").json()
    others = _client(eve)
    for suffix in ("", "progress/", "score/", "rows/"):
        assert others.get(f"/api/model-runs/{run['id']}/{suffix}").status_code == 404
    assert _client().get(f"/api/model-runs/{run['id']}/").status_code == 404
    assert [r["id"] for r in others.get("/api/model-runs/").json()["results"]] == [public["id"]]
    assert others.get(f"/api/model-runs/{public['id']}/").status_code == 200
    staff = make_user("root", staff=True)
    assert _client(staff).get(f"/api/model-runs/{run['id']}/").status_code == 200


def test_me_and_token_errors(ada):
    assert _client(ada).get("/api/me/").json()["username"] == "ada"
    assert _client().get("/api/me/").status_code == 401
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token")
    assert api.get("/api/problems/").status_code == 401


@pytest.mark.slow
def test_client_example_uploads_waits_and_prints_scores(live_server, celery_worker, tmp_path):
    """docs/api_client.py end to end: a live server on loopback, a real worker, the real engine."""
    import subprocess
    import sys
    from pathlib import Path

    make_dataset()
    user = make_user("client")
    _, key = api_token_create(user=user, name="client")
    generations = tmp_path / "gen.jsonl"
    generations.write_bytes(jsonl({"src_id": "s1", "generated_answers": [WRONG, FAST]}))
    script = Path(__file__).resolve().parents[2] / "docs" / "api_client.py"
    result = subprocess.run(
        [sys.executable, str(script), "--url", live_server.url, "--token", key, "--file", str(generations),
         "--poll", "0.5"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("1 rows, 2 samples, backend cachegrind")
    # s1: WRONG then FAST (SLOW/FAST >> 1.10); s2, s3 not uploaded -> 1/3 of rows optimized at best@2
    best1 = next(line for line in lines if line.startswith("best@1"))
    best2 = next(line for line in lines if line.startswith("best@2"))
    assert best1.split()[1] == "0.00" and best1.split()[3] == "0.00"
    assert best2.split()[1] == "33.33" and best2.split()[3] == "33.33"
    assert float(best2.split()[2]) > 1.0
