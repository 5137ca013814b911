"""Celery tasks of model runs. Thin: ids in, one service call, reschedule.

``model_run_score`` fans the run out into benchmark jobs (run by the benchmark tasks on any
worker) and hands over to ``model_run_score_poll``, which re-arms itself every
``POLL_INTERVAL_S`` seconds until every job is finished and the score is stored. No worker
blocks waiting on another task, so one worker is enough and more workers scale.
"""
from __future__ import annotations

import logging

from celery import shared_task

from .services import model_runs

logger = logging.getLogger(__name__)

#: Seconds between two progress checks of a run being scored.
POLL_INTERVAL_S = 2.0
#: Give up on a run after this many checks (~24 h at the default interval).
MAX_POLLS = 43_200


@shared_task(name="submissions.model_run_score")
def model_run_score(model_run_id: int) -> None:
    try:
        model_runs.model_run_score_start(model_run_id=model_run_id)
    except Exception as exc:  # an internal error: show it on the run instead of a silent queue
        logger.exception("scoring model run %s failed to start", model_run_id)
        model_runs.model_run_fail(model_run_id=model_run_id, error=f"could not start scoring: {exc}")
        return
    model_run_score_poll.apply_async((model_run_id, 0), countdown=0)


@shared_task(name="submissions.model_run_score_poll")
def model_run_score_poll(model_run_id: int, attempt: int = 0) -> None:
    try:
        finished = model_runs.model_run_score_collect(model_run_id=model_run_id)
    except Exception as exc:
        logger.exception("scoring model run %s failed", model_run_id)
        model_runs.model_run_fail(model_run_id=model_run_id, error=f"scoring failed: {exc}")
        return
    if finished:
        return
    if attempt >= MAX_POLLS:
        model_runs.model_run_fail(model_run_id=model_run_id, error="benchmark jobs did not finish in time")
        return
    model_run_score_poll.apply_async((model_run_id, attempt + 1), countdown=POLL_INTERVAL_S)
