#!/usr/bin/env bash
# The embedded deployment: migrate, load the demo data, start a Celery worker and the web
# server on 127.0.0.1:$PORT (8000). SQLite and a serverless broker under $PIEWEB_VAR_DIR (var/)
# unless DATABASE_URL / CELERY_BROKER_URL say otherwise.
#
# Stopping: Ctrl-C, or SIGTERM to this script (or to `make run`), stops the web server and the
# worker. Both run in the background and the script waits on them, because bash runs a trap only
# after a *foreground* child has exited: with gunicorn in the foreground a TERM to the script would
# leave the worker running. The worker gets a warm shutdown (a running benchmark finishes) and is
# killed after STOP_TIMEOUT_S seconds (60) if it has not exited. gunicorn's control socket lives
# in $VAR, not in ~/.gunicorn where two instances (another checkout, the test suite) would collide.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
VAR=${PIEWEB_VAR_DIR:-var}
LOG_DIR=$VAR/log
mkdir -p "$LOG_DIR"

$PY manage.py migrate --noinput
$PY manage.py load_demo
$PY manage.py collectstatic --noinput -v 0

pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] && return
  echo "pieweb: stopping (pids ${pids[*]})"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local waited=0
  while [ "$waited" -lt "${STOP_TIMEOUT_S:-60}" ]; do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 1; waited=$((waited + 1))
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

.venv/bin/celery -A pieweb worker --loglevel=INFO --concurrency="${WORKER_CONCURRENCY:-2}" \
  --logfile="$LOG_DIR/worker.log" &
pids+=($!)
.venv/bin/gunicorn pieweb.wsgi --bind "127.0.0.1:${PORT:-8000}" --workers "${WEB_WORKERS:-3}" \
  --access-logfile - --control-socket "$VAR/gunicorn.ctl" &
pids+=($!)
echo "pieweb: http://127.0.0.1:${PORT:-8000}/  (worker log: $LOG_DIR/worker.log)"
# Either process exiting (a crash, a port in use) stops the other and ends the script.
set +e
wait -n "${pids[@]}"
status=$?
set -e
echo "pieweb: a server process exited (status $status); stopping the other"
exit "$status"
