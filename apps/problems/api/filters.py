"""Query filters of the dataset API (django-filter). Numeric filters are bounded so that an
absurd value is a 400, never a database overflow."""
from __future__ import annotations

import django_filters
from django import forms

from ..models import Pair, Problem, TestCase

#: Largest value an integer filter accepts (PostgreSQL integer columns).
INT_MAX = 2**31 - 1


class _BoundedInt(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)


class _BoundedFloat(django_filters.NumberFilter):
    field_class = forms.FloatField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", -1e300)
        kwargs.setdefault("max_value", 1e300)
        super().__init__(*args, **kwargs)


class ProblemFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=300)
    source = django_filters.ChoiceFilter(choices=Problem.Source.choices)
    min_pairs = _BoundedInt(field_name="pair_count", lookup_expr="gte")
    min_tests = _BoundedInt(field_name="test_count", lookup_expr="gte")
    split = django_filters.CharFilter(method="filter_split", max_length=64, help_text="problems with pairs in this split")
    ordering = django_filters.OrderingFilter(
        fields=("id", "name", "pair_count", "test_count", "median_speedup", "best_speedup")
    )

    class Meta:
        model = Problem
        fields = ["source"]

    def filter_split(self, queryset, name, value):
        return queryset.filter(pairs__split__name=value).distinct()


class PairFilter(django_filters.FilterSet):
    split = django_filters.CharFilter(field_name="split__name", max_length=64)
    problem = django_filters.CharFilter(field_name="problem_id", max_length=16)
    src_id = django_filters.CharFilter(max_length=32)
    tgt_id = django_filters.CharFilter(max_length=32)
    min_speedup = _BoundedFloat(field_name="speedup", lookup_expr="gte")
    max_speedup = _BoundedFloat(field_name="speedup", lookup_expr="lte")
    target_pct_bin = _BoundedInt(field_name="target_pct_bin", max_value=100)
    ordering = django_filters.OrderingFilter(
        fields=("id", "speedup", "src_runtime_s", "tgt_runtime_s", "src_length", "tgt_length", "problem_id")
    )

    class Meta:
        model = Pair
        fields = ["src_id", "tgt_id"]


class TestCaseFilter(django_filters.FilterSet):
    problem = django_filters.CharFilter(field_name="problem_id", max_length=16)
    origin = django_filters.ChoiceFilter(choices=TestCase.Origin.choices)

    class Meta:
        model = TestCase
        fields = ["origin"]
