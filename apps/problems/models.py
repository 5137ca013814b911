"""The PIE dataset: problems, their test cases, slow->fast pairs and named splits.

Test-case contents live in a content-addressed blob store (``apps.problems.blobs``), not in
the database: inputs can be megabytes and there are ~150K of them at full scale. The
database keeps their sha256, sizes and a short preview for the pages.
"""
from __future__ import annotations

from django.db import models
from django.urls import reverse

PREVIEW_BYTES = 1024


class Problem(models.Model):
    class Source(models.TextChoices):
        AIZU = "AIZU", "AIZU"
        ATCODER = "AtCoder", "AtCoder"
        OTHER = "other", "other"

    id = models.CharField(primary_key=True, max_length=16, help_text="CodeNet id, pNNNNN")
    name = models.CharField(max_length=300, blank=True, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OTHER, db_index=True)
    time_limit_ms = models.PositiveIntegerField(null=True, blank=True)
    memory_limit_kb = models.PositiveIntegerField(null=True, blank=True)
    rating = models.CharField(max_length=32, blank=True)
    tags = models.CharField(max_length=300, blank=True)
    complexity = models.CharField(max_length=64, blank=True)
    statement_html = models.TextField(blank=True)
    statement_translated_html = models.TextField(blank=True)
    # Denormalised counters, refreshed by problem_stats_refresh() after imports; they let the
    # problem list filter and sort at 1,500 problems / 78K pairs without aggregate joins.
    pair_count = models.PositiveIntegerField(default=0, db_index=True)
    test_count = models.PositiveIntegerField(default=0, db_index=True)
    median_speedup = models.FloatField(null=True, blank=True, db_index=True)
    best_speedup = models.FloatField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("problems:problem_detail", args=[self.id])


class TestCase(models.Model):
    class Origin(models.TextChoices):
        PUBLIC = "public", "public"
        GENERATED = "generated", "generated"
        MERGED = "merged", "merged"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="test_cases")
    index = models.PositiveIntegerField(help_text="N of input.N.txt / output.N.txt")
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.PUBLIC)
    input_sha256 = models.CharField(max_length=64, db_index=True)
    output_sha256 = models.CharField(max_length=64)
    input_size_bytes = models.PositiveBigIntegerField()
    output_size_bytes = models.PositiveBigIntegerField()
    input_preview = models.TextField(blank=True, help_text=f"first {PREVIEW_BYTES} bytes, decoded")
    output_preview = models.TextField(blank=True, help_text=f"first {PREVIEW_BYTES} bytes, decoded")
    sha256 = models.CharField(max_length=64, help_text="hash of input hash + output hash: identifies the test's content")

    class Meta:
        ordering = ["problem_id", "index"]
        constraints = [models.UniqueConstraint(fields=["problem", "index"], name="testcase_unique_problem_index")]

    def __str__(self) -> str:
        return f"{self.problem_id} #{self.index}"

    # Content accessors read the blob store lazily; the pages use the previews.
    def read_input(self) -> bytes:
        from .blobs import blob_store

        return blob_store().read(self.input_sha256)

    def read_output(self) -> bytes:
        from .blobs import blob_store

        return blob_store().read(self.output_sha256)

    def input_path(self) -> str:
        from .blobs import blob_store

        return str(blob_store().path(self.input_sha256))

    def output_path(self) -> str:
        from .blobs import blob_store

        return str(blob_store().path(self.output_sha256))


class Split(models.Model):
    """A named dataset version (train/val/test/hq/synthetic/...) and where it came from."""

    name = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    provenance = models.JSONField(default=dict, blank=True, help_text="source files, hashes, import options")
    pair_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pair(models.Model):
    """One slow->fast program pair. Runtimes are the dataset's own, labelled with their backend."""

    split = models.ForeignKey(Split, on_delete=models.CASCADE, related_name="pairs")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="pairs")
    key = models.CharField(
        max_length=128,
        help_text="natural key within the split: 'src_id->tgt_id', or a content hash when ids are absent",
    )
    language = models.CharField(max_length=16, default="C++", db_index=True)
    src_id = models.CharField(max_length=32, blank=True, db_index=True)
    tgt_id = models.CharField(max_length=32, blank=True, db_index=True)
    user_id = models.CharField(max_length=32, blank=True)
    src_code = models.TextField()
    tgt_code = models.TextField()
    src_length = models.PositiveIntegerField(default=0, help_text="characters")
    tgt_length = models.PositiveIntegerField(default=0, help_text="characters")
    src_runtime_s = models.FloatField(null=True, blank=True, help_text="dataset's aggregate runtime, seconds")
    tgt_runtime_s = models.FloatField(null=True, blank=True, help_text="dataset's aggregate runtime, seconds")
    runtime_backend = models.CharField(
        max_length=32, blank=True, help_text="where the dataset's runtimes came from, e.g. gem5, codenet-cpu-time"
    )
    speedup = models.FloatField(null=True, blank=True, db_index=True)
    target_pct_bin = models.PositiveSmallIntegerField(
        null=True, blank=True, db_index=True, help_text="performance tag of tgt (target_reward_updated_pct_bin), 1..10"
    )
    src_pct_bin = models.PositiveSmallIntegerField(null=True, blank=True)
    tests = models.JSONField(default=list, blank=True, help_text="test indices to benchmark on")
    n_tests = models.PositiveIntegerField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="columns of the source file not mapped above")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["problem_id", "id"]
        constraints = [models.UniqueConstraint(fields=["split", "key"], name="pair_unique_split_key")]
        indexes = [
            models.Index(fields=["problem", "-speedup"], name="pair_problem_speedup"),
            models.Index(fields=["split", "-speedup"], name="pair_split_speedup"),
            models.Index(fields=["split", "problem"], name="pair_split_problem"),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.src_id or '?'}->{self.tgt_id or '?'}"

    def get_absolute_url(self) -> str:
        return reverse("problems:pair_detail", args=[self.pk])
