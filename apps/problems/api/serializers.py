"""Read-only serializers of the dataset. List shapes never carry program text or statements;
the detail shapes do (a pair row is ~30 bytes without its code, ~4 KB with it)."""
from __future__ import annotations

from rest_framework import serializers

from ..models import Pair, Problem, Split, TestCase


class SplitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Split
        fields = ["name", "description", "pair_count", "created_at", "updated_at"]


class ProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Problem
        fields = [
            "id", "name", "source", "time_limit_ms", "memory_limit_kb", "rating", "tags", "complexity",
            "pair_count", "test_count", "median_speedup", "best_speedup",
        ]


class ProblemDetailSerializer(ProblemSerializer):
    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "statement_html", "statement_translated_html"]


class PairSerializer(serializers.ModelSerializer):
    split = serializers.SlugRelatedField(slug_field="name", read_only=True)
    problem = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Pair
        fields = [
            "id", "split", "problem", "key", "language", "src_id", "tgt_id", "user_id", "src_length", "tgt_length",
            "src_runtime_s", "tgt_runtime_s", "runtime_backend", "speedup", "target_pct_bin", "src_pct_bin",
            "tests", "n_tests",
        ]


class PairDetailSerializer(PairSerializer):
    class Meta(PairSerializer.Meta):
        fields = [*PairSerializer.Meta.fields, "src_code", "tgt_code"]


class TestCaseSerializer(serializers.ModelSerializer):
    problem = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = TestCase
        fields = [
            "id", "problem", "index", "origin", "sha256", "input_sha256", "output_sha256", "input_size_bytes",
            "output_size_bytes", "input_preview", "output_preview",
        ]
