"""The compose deployment wires the gem5 backend as documented (file checks, no Docker needed)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from apps.benchmarks.engine.backends.gem5 import DEFAULT_IMAGE

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services():
    services = compose()["services"]
    assert {"web", "worker", "redis", "postgres", "migrate", "gem5-image"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:3] == ["celery", "-A", "pieweb"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["CELERY_BROKER_URL"].startswith("redis://")


def test_worker_reaches_the_docker_engine_and_the_gem5_image_defaults_agree(settings):
    services = compose()["services"]
    worker = services["worker"]
    assert "/var/run/docker.sock:/var/run/docker.sock" in worker["volumes"]
    assert worker["environment"]["DOCKER_HOST"] == "unix:///var/run/docker.sock"
    assert "SYS_ADMIN" in worker["cap_add"]  # bubblewrap inside the worker container
    image = services["gem5-image"]["image"]
    assert image == f"${{GEM5_IMAGE:-{DEFAULT_IMAGE}}}"
    assert services["gem5-image"]["profiles"] == ["gem5"]
    assert worker["environment"]["GEM5_IMAGE"] == image
    assert settings.GEM5_IMAGE == DEFAULT_IMAGE


@pytest.mark.parametrize("document", ["docs/deploy.md", "README.md"])
def test_every_setting_is_documented(document):
    """Each environment variable read by the settings appears in the README and in docs/deploy.md."""
    names = set(re.findall(r'env_\w+\("([A-Z0-9_]+)"', (ROOT / "pieweb" / "settings.py").read_text()))
    names |= {"SECRET_KEY", "PIEWEB_VAR_DIR"}
    doc = (ROOT / document).read_text()
    assert sorted(n for n in names if f"`{n}`" not in doc) == []


def test_image_carries_the_sandbox_and_compiler():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("g++", "valgrind", "bubblewrap", "util-linux"):
        assert package in dockerfile
    assert "collectstatic" in dockerfile
