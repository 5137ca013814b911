"""Write-side services of submissions and model runs (views, API and tasks call these)."""
from __future__ import annotations

from .jobs import benchmark_job_get_or_create, problem_test_indices
from .model_runs import model_run_score_collect, model_run_score_start, model_run_score_sync
from .submissions import SubmissionRejected, program_submit
from .uploads import DEFAULT_COLUMNS, ModelRunRejected, model_run_parse, model_run_upload

__all__ = [
    "DEFAULT_COLUMNS",
    "ModelRunRejected",
    "SubmissionRejected",
    "benchmark_job_get_or_create",
    "model_run_parse",
    "model_run_score_collect",
    "model_run_score_start",
    "model_run_score_sync",
    "model_run_upload",
    "problem_test_indices",
    "program_submit",
]
