# Sanad: `make run` starts the suite on its embedded defaults; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint unit proto proto-check bench demo install clean

run: $(INSTALLED)
	$(BIN)/python -m sanad_launcher

test: $(INSTALLED) lint
	scripts/ensure-redis.sh
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

proto: $(INSTALLED)
	PYTHON=$(BIN)/python scripts/gen-protos.sh

bench: $(INSTALLED)
	scripts/ensure-redis.sh
	$(BIN)/python -m bench.analyze_latency --output docs/benchmarks.md

install: $(INSTALLED)

# The virtualenv is rebuilt whenever the pinned dependencies change.
$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache var
