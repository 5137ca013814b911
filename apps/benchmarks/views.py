"""Job pages: the job itself, its JSON (polled for live progress) and its results fragment.

Each view parses the id, asks a selector for a job the user may see and renders; a job the user
may not see answers 404, like a missing one, so ids of private jobs are not disclosed.
"""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .models import BenchmarkJob


def _job_or_404(request: HttpRequest, job_id: int) -> BenchmarkJob:
    job = selectors.job_get_visible(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such benchmark job.")
    return job


@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    return render(request, "benchmarks/job_detail.html",
                  {"job": job, "tests": selectors.job_test_rows(job)})


@require_GET
def job_results_fragment(request: HttpRequest, job_id: int) -> HttpResponse:
    """``benchmarks/_job_results.html`` alone, swapped into a page by the polling script."""
    job = _job_or_404(request, job_id)
    return render(request, "benchmarks/_job_results.html", {"job": job})


@require_GET
def job_json(request: HttpRequest, job_id: int) -> JsonResponse:
    job = _job_or_404(request, job_id)
    response = JsonResponse(selectors.job_payload(job))
    response["Cache-Control"] = "no-store"
    return response
