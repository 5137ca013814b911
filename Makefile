# The README's two commands: `make run` and `make test`.
.PHONY: run test setup lint

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pieweb
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

setup:
	bash scripts/install-system-packages.sh
	bash scripts/bootstrap.sh

run: setup
	bash scripts/run.sh

test: setup
	bash scripts/services-up.sh
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		.venv/bin/pytest $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check .
