"""Query filters of the submissions API (django-filter validates: NUL bytes and overlong values are a 400)."""
from __future__ import annotations

import django_filters

from apps.problems.api.filters import INT_MAX

from ..models import ModelRun, Submission, Visibility


class _MineFilterSet(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine", help_text="only the caller's own items")
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(owner_id=user.pk)


class SubmissionFilter(_MineFilterSet):
    problem = django_filters.CharFilter(field_name="problem_id", max_length=16)
    pair = django_filters.NumberFilter(field_name="pair_id", min_value=0, max_value=INT_MAX)
    backend = django_filters.CharFilter(field_name="backend_name", max_length=32)

    class Meta:
        model = Submission
        fields = ["visibility"]


class ModelRunFilter(_MineFilterSet):
    split = django_filters.CharFilter(field_name="split__name", max_length=64)
    backend = django_filters.CharFilter(field_name="backend_name", max_length=32)
    state = django_filters.ChoiceFilter(choices=ModelRun.State.choices)

    class Meta:
        model = ModelRun
        fields = ["visibility"]
