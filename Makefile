.PHONY: run test lint format bench

run:  ## install everything and serve the demo on http://127.0.0.1:8000
	scripts/run.sh

test:  ## install everything and run the whole test suite
	scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

bench:
	.venv/bin/python bench/sla_engine.py
