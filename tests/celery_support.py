"""Fixtures that run a real Celery worker against the configured broker (Redis in CI)."""
