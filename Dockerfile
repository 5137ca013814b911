# pieweb production image: one image for the web server (gunicorn), the Celery worker and
# one-off management commands (migrate, import_pie). docker-compose.yml chooses the command.
#
#   docker build -t pieweb .
#
# The worker compiles and runs untrusted C++ in bubblewrap and valgrind *inside* this image,
# so it carries g++, valgrind, bubblewrap and util-linux (setpriv). The gem5 backend runs PIE's
# gem5 image as sibling containers through the Docker socket (see docs/deploy.md).

# -- front-end libraries (chart.js), installed by npm from the lock file ---------------------
FROM node:20-bookworm-slim AS npm
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev

# -- the application -------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=pieweb.settings \
    PIEWEB_VAR_DIR=/data/var \
    STATIC_ROOT=/app/staticfiles

# g++ compiles submissions, valgrind is the cachegrind backend, bubblewrap + util-linux
# (setpriv) are the sandbox; libpq is for psycopg; tini reaps the worker's children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ valgrind bubblewrap util-linux procps libpq5 tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --from=npm /app/node_modules ./node_modules
COPY . .

# Static files are collected at build time; the throwaway key is only for this step and is
# not kept (SECRET_KEY is read again from the environment at run time).
RUN SECRET_KEY=collectstatic-only PIEWEB_VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput -v 0 \
 && rm -rf /tmp/build-var \
 && useradd --uid 10001 --create-home --shell /usr/sbin/nologin pieweb \
 && mkdir -p /data/var && chown pieweb:pieweb /data/var

# The web server and one-off commands run unprivileged. The worker runs as root (compose sets
# `user: root`) only because the sandbox drops each program to its own pool uid with setpriv.
USER pieweb
VOLUME ["/data/var"]
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["gunicorn", "pieweb.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
