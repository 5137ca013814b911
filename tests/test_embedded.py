"""The embedded deployment end to end: ``scripts/run.sh`` with SQLite and the filesystem broker.

This is what ``make run`` starts on a fresh clone, run in a temporary ``PIEWEB_VAR_DIR`` on a
free port (never the repository's ``var/``): migrate, load_demo, collectstatic, a real Celery
worker and gunicorn. A user signs up, creates an API token on the tokens page, submits a
program through the REST API and waits until the real worker has benchmarked it. Stopping the
script with SIGTERM must leave no process behind.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
#: Longest wait for migrate + load_demo + collectstatic + servers, seconds (two shared cores).
START_TIMEOUT_S = 180.0
#: Longest wait for the worker to finish the submitted job, seconds.
JOB_TIMEOUT_S = 180.0
#: Longest wait for the script to stop everything after SIGTERM, seconds.
STOP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_pids(sid: int) -> list[int]:
    """Processes whose session id is ``sid`` (the script and everything it started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == sid:
                stat = (entry / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":
                    pids.append(int(entry.name))
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
    return pids


@dataclass
class Stack:
    url: str
    process: subprocess.Popen
    var_dir: Path
    log_path: Path

    def log(self) -> str:
        worker = self.var_dir / "log" / "worker.log"
        text = self.log_path.read_text(errors="replace")
        if worker.exists():
            text += "\n--- worker.log ---\n" + worker.read_text(errors="replace")
        return text


class Client:
    """A cookie-keeping HTTP client with Django's CSRF handling (standard library only)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, *, data: dict | None = None, json_body: dict | None = None,
                headers: dict | None = None) -> tuple[int, str]:
        body = None
        all_headers = {"Referer": self.base + path, **(headers or {})}
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **data}).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=body, headers=all_headers)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("embedded-var")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "CELERY_RESULT_BACKEND", "STATIC_ROOT",
                                                          "BLOB_ROOT", "BENCH_CACHE_DIR", "SECRET_KEY"}}
    env.update({
        "PIEWEB_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'pieweb.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_TASK_DEFAULT_QUEUE": "pieweb",
        "PORT": str(port),
        "WEB_WORKERS": "2",
        "WORKER_CONCURRENCY": "1",
        "DEBUG": "",
        "STOP_TIMEOUT_S": "30",
    })
    log_path = var_dir / "run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(["bash", str(REPO / "scripts" / "run.sh")], cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    running = Stack(url=f"http://127.0.0.1:{port}", process=process, var_dir=var_dir, log_path=log_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"run.sh exited with {process.returncode} before serving:\n{running.log()}")
        try:
            with urllib.request.urlopen(running.url + "/", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"the embedded stack did not serve / within {START_TIMEOUT_S} s:\n{running.log()}")
        time.sleep(1)
    try:
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_pages_render_with_demo_data(stack: Stack) -> None:
    client = Client(stack.url)
    status, home = client.request("/")
    assert status == 200
    status, problems = client.request("/problems/")
    assert status == 200, problems
    assert "p90001" in problems and "p90010" in problems
    status, problem = client.request("/problems/p90002/")
    assert status == 200 and "Staircase" in problem
    status, body = client.request("/api/pairs/?problem=p90002")
    assert status == 200
    pair_id = json.loads(body)["results"][0]["id"]
    status, pair = client.request(f"/pairs/{pair_id}/")
    assert status == 200, pair
    # collectstatic ran and whitenoise serves the stylesheet.
    status, css = client.request("/static/css/pieweb.css")
    assert status == 200 and css


def test_signup_token_and_submission_benchmarked_by_the_worker(stack: Stack) -> None:
    client = Client(stack.url)
    client.request("/accounts/signup/")
    status, body = client.request("/accounts/signup/", data={
        "username": "ada", "email": "", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42",
    })
    assert status == 200 and "ada" in body, body[:2000]
    client.request("/accounts/tokens/")
    status, body = client.request("/accounts/tokens/", data={"name": "embedded test"})
    assert status == 200
    match = re.search(r'<pre id="new-token-key">([^<]+)</pre>', body)
    assert match, body[:2000]
    api = Client(stack.url)
    auth = {"Authorization": f"Token {match.group(1).strip()}"}
    source = (REPO / "demo" / "programs" / "p90002" / "fast.cpp").read_text()
    status, body = api.request("/api/submissions/", json_body={"problem": "p90002", "source": source}, headers=auth)
    assert status == 201, body
    submission = json.loads(body)
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        status, body = api.request(f"/api/submissions/{submission['id']}/", headers=auth)
        assert status == 200, body
        job = json.loads(body)["job"]
        if job["state"] in {"done", "failed"}:
            break
        assert time.monotonic() < deadline, f"job still {job['state']} after {JOB_TIMEOUT_S} s:\n{stack.log()}"
        time.sleep(1)
    assert job["state"] == "done", f"{job}\n{stack.log()}"
    assert job["compile_success"] and job["correct"], job
    assert job["progress_done"] == job["progress_total"] > 0
    assert job["agg_cost_s"] and job["agg_cost_s"] > 0
    assert "database is locked" not in stack.log()


def test_sigterm_stops_every_process(stack: Stack) -> None:
    """Runs last in this module: the stack is gone afterwards."""
    sid = stack.process.pid  # start_new_session: the script leads its own session
    assert len(_session_pids(sid)) >= 3  # the script, the worker and gunicorn at least
    stack.process.send_signal(signal.SIGTERM)
    stack.process.wait(timeout=STOP_TIMEOUT_S)
    deadline = time.monotonic() + 10
    while _session_pids(sid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _session_pids(sid) == [], f"left running: {_session_pids(sid)}\n{stack.log()}"
    assert "Traceback" not in stack.log(), stack.log()
