"""The OpenAPI schema validates, and schemathesis finds no 5xx in the API on a live loopback server.

The fuzzing run is schemathesis' own CLI (pinned in requirements.txt) against pytest-django's
``live_server`` (a real threaded HTTP server on 127.0.0.1 over the test database), with token
auth, a fixed seed and a bounded number of examples per operation (about two minutes on two
shared cores). Failures print schemathesis' report with a curl line to replay.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from apps.accounts.services import api_token_create
from apps.submissions.models import Visibility
from apps.submissions.services import model_run_upload, program_submit

from .dataset import FAST, jsonl, make_dataset, make_user

#: Examples per API operation in the fuzzing phase; with the coverage phase's boundary cases this
#: is ~1,000 requests and ~2 minutes on two busy cores.
MAX_EXAMPLES = 5
#: Hard stop of the schemathesis process, seconds (a hang fails the test instead of CI).
TIMEOUT_S = 240


def test_openapi_schema_validates():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 meta-schema
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    assert "/api/model-runs/{id}/rows/" in schema["paths"]
    yaml.safe_dump(schema)  # serialisable as served


@pytest.mark.slow
def test_no_server_errors_under_schemathesis(live_server, transactional_db, tmp_path):
    cache.clear()
    data = make_dataset()
    user = make_user("fuzz")
    _, key = api_token_create(user=user, name="schemathesis")
    program_submit(owner=user, problem=data["problem"], source=FAST, pair=data["pairs"][0],
                   visibility=Visibility.PUBLIC)
    model_run_upload(owner=user, file=SimpleUploadedFile("r.jsonl", jsonl({"src_id": "s1", "generated_answers": [FAST]})),
                     name="seed run", split=data["test"], enqueue=False)
    report = tmp_path / "junit.xml"
    st = Path(sys.executable).with_name("st")
    command = [
        str(st), "run", f"{live_server.url}/api/schema/",
        "--checks", "not_a_server_error",
        "--max-examples", str(MAX_EXAMPLES),
        "--phases", "examples,coverage,fuzzing",
        "--seed", "20241",
        "--workers", "1",
        "--no-shrink",
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "-H", f"Authorization: Token {key}",
        "--report", "junit", "--report-junit-path", str(report),
        "--warnings", "off",
    ]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, check=False)
    output = result.stdout + result.stderr
    assert "/api/model-runs/" in output or report.exists(), output[-5000:]
    assert result.returncode == 0, output[-12000:]
