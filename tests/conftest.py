"""Shared fixtures. Tests run against the database in DATABASE_URL (PostgreSQL in CI)."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_blob_root(settings, tmp_path):
    """Each test writes test-case blobs into its own folder."""
    settings.BLOB_ROOT = str(tmp_path / "blobs")


pytest_plugins = ["tests.browser_support", "tests.celery_support", "tests.docker_support"]
