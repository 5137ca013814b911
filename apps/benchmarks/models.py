"""Programs, benchmark jobs and cached measurements.

Statuses come from ``engine.status.Status``; they are never redefined here.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from apps.problems.models import Problem, TestCase

from .engine.status import Status

TestStatus = models.TextChoices("TestStatus", [(s.value, s.value) for s in Status])


def source_sha256(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


class Program(models.Model):
    """A source text, identified by its hash: identical submissions share one Program."""

    sha256 = models.CharField(max_length=64, unique=True)
    source = models.TextField()
    language = models.CharField(max_length=16, default="C++")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"program {self.sha256[:12]}"


class BenchmarkJob(models.Model):
    """A request to evaluate one program on a set of tests of one problem."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed (internal error)"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="jobs")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="benchmark_jobs")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="benchmark_jobs"
    )
    tests = models.JSONField(default=list, help_text="selected test indices, in run order")
    backend_name = models.CharField(max_length=32, default="cachegrind")
    backend_options = models.JSONField(default=dict, blank=True)
    backend_config = models.JSONField(default=dict, blank=True, help_text="full labelled config of the results")
    checker = models.CharField(max_length=16, default="pie")
    compiler = models.CharField(max_length=64, default="g++")
    cflags = models.CharField(max_length=256, default="-std=c++17 -O3")
    exit_early_on_fail = models.BooleanField(default=True)
    time_limit_s = models.FloatField(default=10.0, help_text="CPU/wall limit of one native run, seconds")
    memory_limit_bytes = models.PositiveBigIntegerField(
        default=2 * 1024**3, help_text="address-space limit of one native run, bytes"
    )

    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    compile_success = models.BooleanField(null=True)
    compile_output = models.TextField(blank=True)
    compiler_version = models.CharField(max_length=200, blank=True)
    binary_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=4, choices=TestStatus.choices, blank=True)
    correct = models.BooleanField(null=True)
    mean_accuracy = models.FloatField(null=True, blank=True)
    agg_cost_s = models.FloatField(null=True, blank=True, help_text="sum of per-test cost, seconds; null = inf")
    results = models.JSONField(
        default=list, blank=True, help_text="per-test results (engine TestResult dicts plus a 'cached' flag)"
    )
    cache_hits = models.PositiveIntegerField(default=0, help_text="tests served from the measurement cache")
    error = models.TextField(blank=True, help_text="internal error, never the program's fault")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"job {self.pk} {self.problem_id} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class Measurement(models.Model):
    """A cached (binary, test content, backend config) -> figures row.

    The key is the binary hash (source+compiler+flags), the test's content hash, the
    backend-config hash ("" for a correctness-only run) and the checker, so deterministic
    backends make the cache exact.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="measurements")
    test_case = models.ForeignKey(
        TestCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="measurements"
    )
    binary_sha256 = models.CharField(max_length=64)
    test_sha256 = models.CharField(max_length=64)
    backend_name = models.CharField(max_length=32, db_index=True)
    backend_version = models.CharField(max_length=16)
    backend_config_key = models.CharField(max_length=64)
    backend_config = models.JSONField(default=dict)
    checker = models.CharField(max_length=16, default="pie")
    status = models.CharField(max_length=4, choices=TestStatus.choices)
    accuracy = models.FloatField(default=0.0)
    cost_s = models.FloatField(null=True, blank=True, help_text="backend seconds; null when not measured")
    metrics = models.JSONField(default=dict, blank=True)
    noisy = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True, help_text="the whole engine TestResult, replayed on a cache hit")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["binary_sha256", "test_sha256", "backend_config_key", "checker"],
                name="measurement_unique_key_checker",
            )
        ]

    def __str__(self) -> str:
        return f"{self.backend_name} {self.binary_sha256[:10]} {self.test_sha256[:10]}"
