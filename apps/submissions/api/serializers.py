"""API shapes of submissions, model runs, scores and benchmark jobs.

Input serializers only validate what the client sent; the services decide the rest (which tests,
which baselines, what is stored), exactly as for the pages.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.benchmarks.models import BenchmarkJob
from apps.problems.models import Pair, Problem, Split

from ..forms import backend_choices
from ..models import ModelRun, Score, Submission, Visibility
from ..services.uploads import DEFAULT_COLUMNS


class JobSummarySerializer(serializers.ModelSerializer):
    """A job's state and verdict, without per-test results (embedded in submissions)."""

    class Meta:
        model = BenchmarkJob
        fields = [
            "id", "state", "progress_done", "progress_total", "backend_name", "compile_success", "status",
            "correct", "mean_accuracy", "agg_cost_s", "finished_at",
        ]


class JobSerializer(serializers.ModelSerializer):
    """A whole benchmark job: configuration, compile output and per-test results (costs in seconds)."""

    program_sha256 = serializers.CharField(source="program.sha256", read_only=True)
    source = serializers.CharField(source="program.source", read_only=True)
    problem = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = BenchmarkJob
        fields = [
            "id", "problem", "program_sha256", "source", "tests", "backend_name", "backend_options",
            "backend_config", "checker", "compiler", "cflags", "time_limit_s", "memory_limit_bytes", "state",
            "progress_done", "progress_total", "compile_success", "compile_output", "compiler_version", "status",
            "correct", "mean_accuracy", "agg_cost_s", "results", "cache_hits", "error", "created_at", "started_at",
            "finished_at",
        ]


class ProgressSerializer(serializers.Serializer):
    """Progress of a long job: ``done`` of ``total`` units (tests, or benchmark jobs of a run)."""

    id = serializers.IntegerField()
    state = serializers.CharField()
    finished = serializers.BooleanField()
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


class SubmissionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    problem = serializers.PrimaryKeyRelatedField(read_only=True)
    pair = serializers.PrimaryKeyRelatedField(read_only=True)
    backend = serializers.CharField(source="backend_name", read_only=True)
    source = serializers.CharField(source="program.source", read_only=True)
    program_sha256 = serializers.CharField(source="program.sha256", read_only=True)
    job = JobSummarySerializer(read_only=True)
    src_job = JobSummarySerializer(read_only=True, allow_null=True)
    tgt_job = JobSummarySerializer(read_only=True, allow_null=True)
    speedup_vs_src = serializers.SerializerMethodField(help_text="src cost / this cost on the same backend; null until known")
    speedup_vs_tgt = serializers.SerializerMethodField(help_text="tgt cost / this cost on the same backend; null until known")

    class Meta:
        model = Submission
        fields = [
            "id", "owner", "visibility", "problem", "pair", "backend", "created_at", "program_sha256", "source",
            "job", "src_job", "tgt_job", "speedup_vs_src", "speedup_vs_tgt",
        ]

    @staticmethod
    def _speedup(baseline: BenchmarkJob | None, job: BenchmarkJob) -> float | None:
        if baseline is None or not job.correct or not baseline.correct:
            return None
        return _ratio(baseline.agg_cost_s, job.agg_cost_s)

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_speedup_vs_src(self, obj: Submission) -> float | None:
        return self._speedup(obj.src_job, obj.job)

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_speedup_vs_tgt(self, obj: Submission) -> float | None:
        return self._speedup(obj.tgt_job, obj.job)


class SubmissionCreateSerializer(serializers.Serializer):
    """Submit ``source`` for ``problem``, or as an optimization of ``pair``'s slow program."""

    problem = serializers.CharField(max_length=16, required=False, allow_blank=True, help_text="pNNNNN; optional with a pair")
    pair = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    source = serializers.CharField(trim_whitespace=False, max_length=10 * 1024 * 1024, help_text="C++17 program")
    backend = serializers.ChoiceField(choices=[], required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backend"].choices = backend_choices()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        pair = None
        if attrs.get("pair") is not None:
            pair = Pair.objects.select_related("problem").filter(pk=attrs["pair"]).first()
            if pair is None:
                raise serializers.ValidationError({"pair": f"There is no pair {attrs['pair']}."})
        problem_id = (attrs.get("problem") or "").strip()
        if pair is not None:
            if problem_id and problem_id != pair.problem_id:
                raise serializers.ValidationError(
                    {"problem": f"Pair {pair.pk} belongs to {pair.problem_id}, not {problem_id}."}
                )
            problem = pair.problem
        elif not problem_id:
            raise serializers.ValidationError({"problem": "Give a problem or a pair."})
        else:
            problem = Problem.objects.filter(pk=problem_id).first()
            if problem is None:
                raise serializers.ValidationError({"problem": f"There is no problem {problem_id}."})
        attrs["pair"] = pair
        attrs["problem"] = problem
        attrs["backend"] = attrs.get("backend") or settings.BENCH_BACKEND
        return attrs


class ScoreSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["k_max", "n_rows", "pct_opt", "mean_speedup", "pct_correct"]


class ScoreSerializer(serializers.ModelSerializer):
    """PIE's metrics: headline figures at best@K and every aggregate in ``metrics``
    (``best_at`` per k, threshold percentages, the human reference, the error breakdown)."""

    model_run = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Score
        fields = ["model_run", "k_max", "n_rows", "pct_opt", "mean_speedup", "pct_correct", "metrics", "created_at",
                  "updated_at"]


class ModelRunSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    split = serializers.SlugRelatedField(slug_field="name", read_only=True)
    backend = serializers.CharField(source="backend_name", read_only=True)
    score = serializers.SerializerMethodField()

    class Meta:
        model = ModelRun
        fields = [
            "id", "owner", "visibility", "name", "description", "split", "backend", "backend_options",
            "source_filename", "columns", "row_count", "sample_count", "samples_per_row", "state", "progress_done",
            "progress_total", "error", "created_at", "finished_at", "score",
        ]

    @extend_schema_field(ScoreSummarySerializer(allow_null=True))
    def get_score(self, obj: ModelRun) -> dict[str, Any] | None:
        score = getattr(obj, "score", None) if obj.state == ModelRun.State.DONE else None
        return ScoreSummarySerializer(score).data if score is not None else None


class ModelRunCreateSerializer(serializers.Serializer):
    """A multipart upload of a jsonl of generations in PIE's format (see docs/api.md)."""

    file = serializers.FileField(help_text="jsonl: src_id and/or (problem_id, src_code) + generated_answers")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    split = serializers.SlugRelatedField(slug_field="name", queryset=Split.objects.all(), required=False)
    backend = serializers.ChoiceField(choices=[], required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)
    src_id_column = serializers.CharField(max_length=100, default=DEFAULT_COLUMNS["src_id"])
    problem_id_column = serializers.CharField(max_length=100, default=DEFAULT_COLUMNS["problem_id"])
    src_code_column = serializers.CharField(max_length=100, default=DEFAULT_COLUMNS["src_code"])
    generated_answers_column = serializers.CharField(max_length=100, default=DEFAULT_COLUMNS["generated_answers"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backend"].choices = backend_choices()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("split") is None:
            split = Split.objects.filter(name="test").first()
            if split is None:
                raise serializers.ValidationError({"split": "Give a split (there is no 'test' split)."})
            attrs["split"] = split
        attrs["backend"] = attrs.get("backend") or settings.BENCH_BACKEND
        attrs["columns"] = {
            "src_id": attrs.pop("src_id_column").strip(),
            "problem_id": attrs.pop("problem_id_column").strip(),
            "src_code": attrs.pop("src_code_column").strip(),
            "generated_answers": attrs.pop("generated_answers_column").strip(),
        }
        return attrs


class ModelRunRowSerializer(serializers.Serializer):
    """One uploaded row at best@K (costs in seconds on the run's backend; null = unknown)."""

    row_id = serializers.IntegerField()
    pair_id = serializers.IntegerField()
    problem_id = serializers.CharField()
    src_id = serializers.CharField(allow_blank=True)
    speedup = serializers.FloatField(help_text="PIE's speedup: max(1, src / best correct), 1.0 if none correct")
    is_correct = serializers.BooleanField()
    category = serializers.CharField(help_text="best error-breakdown category among the samples")
    best_k = serializers.IntegerField(allow_null=True, help_text="0-based index of the fastest correct sample")
    src_cost_s = serializers.FloatField(allow_null=True)
    tgt_cost_s = serializers.FloatField(allow_null=True)
    best_cost_s = serializers.FloatField(allow_null=True)
    human_speedup = serializers.FloatField(allow_null=True, help_text="src / tgt, unclamped")


class UploadErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField(), help_text="one 'line N: problem' per issue")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    is_staff = serializers.BooleanField()
