"""Forms of the submission and model-run pages.

Forms only parse and validate what a person typed; the services decide everything else
(which tests, which baselines, what is stored). Limits come from settings so that the page,
the API and the services agree: ``MAX_SOURCE_BYTES`` and ``MAX_UPLOAD_BYTES`` (bytes).
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from apps.problems.models import Pair, Problem, Split

from .models import Visibility
from .services.uploads import DEFAULT_COLUMNS  # PIE's column names (gem5_eval.py defaults)


def backend_choices() -> list[tuple[str, str]]:
    """Backends a user may pick; gem5 only where the deployment enabled it (``USE_GEM5``)."""
    choices = [
        ("cachegrind", "cachegrind — deterministic estimated cycles (default)"),
        ("wallclock", "wallclock — native runs, median and spread (noisy)"),
    ]
    if getattr(settings, "USE_GEM5", False):
        choices.append(("gem5", "gem5 — PIE's Skylake simulator (slow, exact)"))
    default = getattr(settings, "BENCH_BACKEND", "cachegrind")
    choices.sort(key=lambda c: c[0] != default)
    return choices


class ProgramSubmitForm(forms.Form):
    """A program for a problem, optionally as an optimization of a pair's slow program."""

    problem = forms.CharField(
        max_length=16,
        required=False,
        help_text="CodeNet id, e.g. p02547. Taken from the pair when one is given.",
        widget=forms.TextInput(attrs={"list": "problem-ids", "placeholder": "pNNNNN", "autocomplete": "off"}),
    )
    pair = forms.IntegerField(required=False, widget=forms.HiddenInput)
    source = forms.CharField(
        strip=False,
        widget=forms.Textarea(
            attrs={"class": "code-editor", "rows": 24, "spellcheck": "false", "autocapitalize": "off",
                   "autocomplete": "off", "wrap": "off"}
        ),
        help_text="C++17, read stdin, write stdout.",
    )
    backend = forms.ChoiceField(choices=backend_choices)
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE)

    def clean_source(self) -> str:
        # Browsers submit textarea lines with CRLF; store LF so that the same program typed or
        # uploaded hashes to one Program (one measurement) and diffs line up with the dataset.
        source: str = self.cleaned_data["source"].replace("\r\n", "\n")
        limit = settings.MAX_SOURCE_BYTES
        size = len(source.encode("utf-8"))
        if size > limit:
            raise forms.ValidationError(f"The program is {size:,} bytes; the limit is {limit:,} bytes.")
        if not source.strip():
            raise forms.ValidationError("The program is empty.")
        return source

    def clean_pair(self) -> Pair | None:
        pair_id = self.cleaned_data.get("pair")
        if pair_id is None:
            return None
        pair = Pair.objects.select_related("problem").filter(pk=pair_id).first()
        if pair is None:
            raise forms.ValidationError(f"There is no pair {pair_id}.")
        return pair

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        pair: Pair | None = data.get("pair")
        problem_id = (data.get("problem") or "").strip()
        if pair is not None:
            if problem_id and problem_id != pair.problem_id:
                self.add_error("problem", f"Pair {pair.pk} belongs to {pair.problem_id}, not {problem_id}.")
            data["problem"] = pair.problem
            return data
        if not problem_id:
            self.add_error("problem", "Choose a problem.")
            return data
        problem = Problem.objects.filter(pk=problem_id).first()
        if problem is None:
            self.add_error("problem", f"There is no problem {problem_id}.")
        data["problem"] = problem
        return data


class ModelRunUploadForm(forms.Form):
    """A jsonl of generations in PIE's format, with configurable column names."""

    file = forms.FileField(help_text="jsonl: one row per pair with a list of generations (or a single string).")
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    split = forms.ModelChoiceField(queryset=Split.objects.all(), to_field_name="name", empty_label=None)
    backend = forms.ChoiceField(choices=backend_choices)
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE)
    src_id_column = forms.CharField(max_length=100, initial=DEFAULT_COLUMNS["src_id"])
    problem_id_column = forms.CharField(max_length=100, initial=DEFAULT_COLUMNS["problem_id"])
    src_code_column = forms.CharField(max_length=100, initial=DEFAULT_COLUMNS["src_code"])
    generations_column = forms.CharField(
        max_length=100,
        initial=DEFAULT_COLUMNS["generated_answers"],
        help_text="A list of strings, or one string (a single generation).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        test_split = Split.objects.filter(name="test").first()
        if test_split is not None:
            self.fields["split"].initial = test_split.name

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {limit:,} bytes (MAX_UPLOAD_BYTES)."
            )
        return upload

    def columns(self) -> dict[str, str]:
        """The column mapping in the shape ``model_run_upload(columns=...)`` takes."""
        data = self.cleaned_data
        return {
            "src_id": data["src_id_column"].strip(),
            "problem_id": data["problem_id_column"].strip(),
            "src_code": data["src_code_column"].strip(),
            "generated_answers": data["generations_column"].strip(),
        }


class RunCompareForm(forms.Form):
    """``?runs=1,2,3``: two or more run ids."""

    runs = forms.CharField()

    def clean_runs(self) -> list[int]:
        raw = self.cleaned_data["runs"]
        ids: list[int] = []
        for part in raw.replace(" ", ",").split(","):
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(f"'{part}' is not a run id.")
            if int(part) not in ids:
                ids.append(int(part))
        if len(ids) < 2:
            raise forms.ValidationError("Pick two or more runs to compare.")
        return ids
