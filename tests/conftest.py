"""Shared fixtures. Tests run against the database in DATABASE_URL (PostgreSQL in CI)."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_blob_root(settings, tmp_path):
    """Each test writes test-case blobs into its own folder."""
    settings.BLOB_ROOT = str(tmp_path / "blobs")


@pytest.fixture(autouse=True)
def _empty_local_cache():
    """Each test starts with an empty in-process cache.

    Cached pages and aggregates (apps/problems/pagecache.py, selectors) are keyed by a dataset
    version that rolled-back test data can repeat. Only the in-memory test default is cleared,
    never a shared Redis cache named by CACHE_URL.
    """
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()


pytest_plugins = ["tests.browser_support", "tests.celery_support", "tests.docker_support"]
