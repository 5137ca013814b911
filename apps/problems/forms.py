"""Filter forms of the browse pages: they validate query strings into selector filters.

Invalid values never raise: the form reports them and the page falls back to the default for
that field, so a hand-edited permalink still renders something sensible.
"""
from __future__ import annotations

from typing import Any

from django import forms

from .models import Problem
from .selectors import PAIR_SORTS, PROBLEM_SORTS, PairFilters, ProblemFilters

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 50


def _sort_choices(sorts: dict[str, str]) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for key in sorts:
        choices += [(key, key), (f"-{key}", f"-{key}")]
    return choices


class _BrowseForm(forms.Form):
    per_page = forms.TypedChoiceField(
        choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False, empty_value=DEFAULT_PAGE_SIZE
    )

    def value(self, name: str, default: Any = None) -> Any:
        """The cleaned value of ``name``, or ``default`` when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        value = data.get(name) if name not in self.errors else None
        return default if value in (None, "") else value


class ProblemFilterForm(_BrowseForm):
    q = forms.CharField(required=False, max_length=200, label="Id or name")
    source = forms.ChoiceField(required=False, choices=[("", "any")] + list(Problem.Source.choices))
    split = forms.CharField(required=False, max_length=64)
    min_pairs = forms.IntegerField(required=False, min_value=0, label="Pairs ≥")
    max_pairs = forms.IntegerField(required=False, min_value=0, label="Pairs ≤")
    min_tests = forms.IntegerField(required=False, min_value=0, label="Tests ≥")
    max_tests = forms.IntegerField(required=False, min_value=0, label="Tests ≤")
    sort = forms.ChoiceField(required=False, choices=_sort_choices(PROBLEM_SORTS))

    def __init__(self, *args: Any, splits: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["split"] = forms.ChoiceField(
            required=False, choices=[("", "any")] + [(s, s) for s in (splits or [])]
        )

    def filters(self) -> ProblemFilters:
        sort = self.value("sort", "id")
        return ProblemFilters(
            q=self.value("q", ""),
            source=self.value("source", ""),
            split=self.value("split", ""),
            min_pairs=self.value("min_pairs"),
            max_pairs=self.value("max_pairs"),
            min_tests=self.value("min_tests"),
            max_tests=self.value("max_tests"),
            sort=sort.lstrip("-"),
            descending=sort.startswith("-"),
        )


class PairFilterForm(_BrowseForm):
    split = forms.CharField(required=False, max_length=64)
    source = forms.ChoiceField(required=False, choices=[("", "any")] + list(Problem.Source.choices))
    problem = forms.CharField(required=False, max_length=16)
    min_speedup = forms.FloatField(required=False, min_value=0, label="Speedup ≥")
    max_speedup = forms.FloatField(required=False, min_value=0, label="Speedup ≤")
    tag = forms.IntegerField(required=False, min_value=0, max_value=10, label="Perf tag")
    code = forms.CharField(required=False, max_length=200, label="Code contains", strip=False)
    side = forms.ChoiceField(
        required=False, choices=[("tgt", "fast (tgt)"), ("src", "slow (src)"), ("both", "either")], label="In"
    )
    sort = forms.ChoiceField(required=False, choices=_sort_choices(PAIR_SORTS))

    def __init__(self, *args: Any, splits: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["split"] = forms.ChoiceField(
            required=False, choices=[("", "any")] + [(s, s) for s in (splits or [])]
        )

    def filters(self, *, problem: str = "") -> PairFilters:
        sort = self.value("sort", "-speedup")
        return PairFilters(
            problem=problem or self.value("problem", ""),
            split=self.value("split", ""),
            source=self.value("source", ""),
            min_speedup=self.value("min_speedup"),
            max_speedup=self.value("max_speedup"),
            tag=self.value("tag"),
            code=self.value("code", ""),
            code_side=self.value("side", "tgt"),
            sort=sort.lstrip("-"),
            descending=sort.startswith("-"),
        )
