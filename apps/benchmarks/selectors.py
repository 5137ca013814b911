"""Reads of benchmark jobs: who may see a job, and its JSON for pages and polling.

A job belongs to whoever asked for it. Jobs are shared, though: identical requests reuse one
job, and a public submission or model run shows the jobs it points at. So a job is visible to
a user when it has no owner, when the user owns it or is staff, or when some record that points
at it (a model with a ``visibility`` and an ``owner``, found through foreign keys to
``BenchmarkJob`` up to two hops away, e.g. ``Submission.job`` or ``Sample.job -> row -> model_run``)
is public or owned by the user. This keeps the dependency one way: this app never imports the
apps that use it.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, Q

from .engine.status import Status
from .models import BenchmarkJob

#: The value of a ``visibility`` field that makes a record (and the jobs it shows) public.
PUBLIC = "public"
#: Metrics shown per test in the JSON and the table (units in the names), in this order.
SHOWN_METRICS = ("instructions", "cycles", "l1i_misses", "l1d_misses", "ll_misses", "branch_mispredicts",
                 "median_s", "min_s", "max_s", "rel_spread", "sim_ticks", "sim_insts")

User = AbstractBaseUser | AnonymousUser | None


def _has_field(model: type[Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return True


@lru_cache(maxsize=1)
def _access_paths() -> tuple[tuple[type[Model], str, str], ...]:
    """(model, lookup to the job, prefix of the owned record) for every record that can show a job."""
    paths = []
    for model in apps.get_models():
        if model is BenchmarkJob:
            continue
        for field in model._meta.get_fields():
            if not (getattr(field, "many_to_one", False) and field.related_model is BenchmarkJob):
                continue
            if _has_field(model, "visibility") and _has_field(model, "owner"):
                paths.append((model, field.name, ""))
                continue
            for hop in model._meta.get_fields():  # one hop up, e.g. Sample.row
                target = getattr(hop, "related_model", None)
                if not getattr(hop, "many_to_one", False) or target is None:
                    continue
                if _has_field(target, "visibility") and _has_field(target, "owner"):
                    paths.append((model, field.name, f"{hop.name}__"))
                    continue
                for hop2 in target._meta.get_fields():  # two hops, e.g. Sample.row.model_run
                    target2 = getattr(hop2, "related_model", None)
                    if getattr(hop2, "many_to_one", False) and target2 is not None and \
                            _has_field(target2, "visibility") and _has_field(target2, "owner"):
                        paths.append((model, field.name, f"{hop.name}__{hop2.name}__"))
    return tuple(paths)


def job_visible(*, user: User, job: BenchmarkJob) -> bool:
    """Whether ``user`` may see ``job`` (see the module docstring for the rule)."""
    authenticated = bool(user is not None and user.is_authenticated)
    if job.owner_id is None or (authenticated and (user.is_staff or user.pk == job.owner_id)):
        return True
    for model, field, prefix in _access_paths():
        allowed = Q(**{f"{prefix}visibility": PUBLIC})
        if authenticated:
            allowed |= Q(**{f"{prefix}owner": user})
        if model._default_manager.filter(Q(**{field: job}) & allowed).exists():
            return True
    return False


def job_get_visible(*, user: User, job_id: int) -> BenchmarkJob | None:
    """The job with that id if ``user`` may see it, else ``None`` (views answer 404 either way)."""
    job = BenchmarkJob.objects.select_related("program", "problem", "owner").filter(pk=job_id).first()
    if job is None or not job_visible(user=user, job=job):
        return None
    return job


def _finite(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and (math.isinf(value) or math.isnan(value))) else value


def job_test_rows(job: BenchmarkJob) -> list[dict[str, Any]]:
    """Per-test rows for tables and JSON: index, verdict, accuracy, cost (seconds, null = not measured)."""
    rows = []
    for row in job.results:
        measurement = row.get("measurement") or {}
        metrics = measurement.get("metrics") or {}
        status = row.get("status", "")
        rows.append({
            "test": row.get("index"),
            "status": status,
            "status_label": Status(status).label if status in Status.__members__ else status,
            "accuracy": row.get("accuracy", 0.0),
            "cost_s": _finite(row.get("cost_s")),
            "skipped": bool(row.get("skipped")),
            "cached": bool(row.get("cached")),
            "noisy": bool(measurement.get("noisy")),
            "message": row.get("message", ""),
            "stderr": row.get("stderr", ""),
            "exit_code": row.get("exit_code"),
            "signal": row.get("signal"),
            "cpu_time_s": row.get("cpu_time_s"),
            "memory_bytes": row.get("memory_bytes"),
            "metrics": {k: metrics[k] for k in SHOWN_METRICS if k in metrics},
        })
    return rows


def job_payload(job: BenchmarkJob) -> dict[str, Any]:
    """The JSON of ``/benchmarks/jobs/<id>.json``: state and progress for polling, then every result."""
    return {
        "id": job.pk,
        "problem": job.problem_id,
        "program": job.program.sha256,
        "state": job.state,
        "finished": job.finished,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "status": job.status,
        "correct": job.correct,
        "mean_accuracy": job.mean_accuracy,
        "agg_cost_s": _finite(job.agg_cost_s),
        "backend": job.backend_name,
        "backend_options": job.backend_options,
        "backend_config": job.backend_config,
        "checker": job.checker,
        "compiler": job.compiler,
        "cflags": job.cflags,
        "compiler_version": job.compiler_version,
        "compile_success": job.compile_success,
        "compile_output": job.compile_output,
        "cache_hits": job.cache_hits,
        "error": job.error,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "tests": job_test_rows(job),
    }
