#!/usr/bin/env bash
# The embedded deployment: migrate, load the demo data, start a Celery worker and the web
# server on 127.0.0.1:8000. SQLite and a serverless broker under var/ unless configured.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py load_demo
$PY manage.py collectstatic --noinput -v 0
mkdir -p var/log
.venv/bin/celery -A pieweb worker --loglevel=INFO --concurrency="${WORKER_CONCURRENCY:-2}" \
  --logfile=var/log/worker.log &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
echo "pieweb: http://127.0.0.1:${PORT:-8000}/  (worker log: var/log/worker.log)"
.venv/bin/gunicorn pieweb.wsgi --bind "127.0.0.1:${PORT:-8000}" --workers "${WEB_WORKERS:-3}" --access-logfile -
