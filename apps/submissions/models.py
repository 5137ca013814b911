"""Submitted programs, uploaded model runs, their samples and scores.

Every Submission and ModelRun has an owner and a visibility; only owners and staff see
private ones (enforced in selectors, never in templates).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from apps.benchmarks.models import BenchmarkJob, Program
from apps.problems.models import Pair, Problem, Split


class Visibility(models.TextChoices):
    PRIVATE = "private", "private"
    PUBLIC = "public", "public"


class Submission(models.Model):
    """One program submitted for a problem, optionally as an optimization of a Pair's slow program.

    ``src_job``/``tgt_job`` measure the pair's own programs on the same backend and tests, so
    the speedups shown are between figures of one backend configuration.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE, db_index=True)
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="submissions")
    pair = models.ForeignKey(Pair, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="submissions")
    job = models.ForeignKey(BenchmarkJob, on_delete=models.PROTECT, related_name="submissions")
    src_job = models.ForeignKey(BenchmarkJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tgt_job = models.ForeignKey(BenchmarkJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    backend_name = models.CharField(max_length=32, default="cachegrind")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"submission {self.pk} to {self.problem_id}"

    def get_absolute_url(self) -> str:
        return reverse("submissions:submission_detail", args=[self.pk])


class ModelRun(models.Model):
    """A file of model generations for the rows of a split, scored on one backend."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="model_runs")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE, db_index=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    split = models.ForeignKey(Split, on_delete=models.PROTECT, related_name="model_runs")
    backend_name = models.CharField(max_length=32, default="cachegrind", db_index=True)
    backend_options = models.JSONField(default=dict, blank=True)
    source_filename = models.CharField(max_length=255, blank=True)
    columns = models.JSONField(default=dict, blank=True, help_text="column mapping used to read the upload")
    row_count = models.PositiveIntegerField(default=0)
    sample_count = models.PositiveIntegerField(default=0)
    samples_per_row = models.PositiveIntegerField(default=0, help_text="largest number of generations in a row (K)")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("submissions:model_run_detail", args=[self.pk])


class ModelRunRow(models.Model):
    """One row of a model run: a pair of the split, with its src/tgt measured on the run's backend."""

    model_run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="rows")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="model_run_rows")
    src_job = models.ForeignKey(BenchmarkJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tgt_job = models.ForeignKey(BenchmarkJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    src_cost_s = models.FloatField(null=True, blank=True, help_text="src seconds on the run's backend; null = inf")
    tgt_cost_s = models.FloatField(null=True, blank=True, help_text="tgt seconds on the run's backend; null = inf")

    class Meta:
        ordering = ["model_run_id", "id"]
        constraints = [models.UniqueConstraint(fields=["model_run", "pair"], name="modelrunrow_unique_pair")]

    def __str__(self) -> str:
        return f"{self.model_run_id}/{self.pair_id}"


class Sample(models.Model):
    """Generation number ``k`` (0-based, list order) of one row. Identical programs share a job."""

    row = models.ForeignKey(ModelRunRow, on_delete=models.CASCADE, related_name="samples")
    k = models.PositiveSmallIntegerField()
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.PROTECT, related_name="samples")
    job = models.ForeignKey(BenchmarkJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples")
    status = models.CharField(max_length=4, blank=True)
    correct = models.BooleanField(null=True)
    mean_accuracy = models.FloatField(null=True, blank=True)
    cost_s = models.FloatField(null=True, blank=True, help_text="seconds; null = inf (failed or not measured)")

    class Meta:
        ordering = ["row_id", "k"]
        constraints = [models.UniqueConstraint(fields=["row", "k"], name="sample_unique_row_k")]

    def __str__(self) -> str:
        return f"sample {self.row_id}#{self.k}"


class Score(models.Model):
    """PIE's metrics for a model run, as computed by ``apps.submissions.scoring``."""

    model_run = models.OneToOneField(ModelRun, on_delete=models.CASCADE, related_name="score")
    k_max = models.PositiveSmallIntegerField(default=1)
    n_rows = models.PositiveIntegerField(default=0)
    pct_opt = models.FloatField(help_text="%Opt at best@k_max: share of rows with a correct sample >= 1.10x faster, 0..100")
    mean_speedup = models.FloatField(help_text="mean speedup at best@k_max over all rows")
    pct_correct = models.FloatField(help_text="%Correct at best@k_max, 0..100")
    metrics = models.JSONField(default=dict, help_text="every aggregate (best@k, thresholds, human reference, errors)")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"score of {self.model_run_id}"
