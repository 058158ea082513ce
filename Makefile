# kube-clientgen: every target sets itself up (a virtualenv in .venv) on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup generate check-generated test lint bench bench-codec clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Regenerate generated/ and kubecore/core/generated/ from the configured targets.
generate: setup
	$(BIN)/kube-clientgen generate

## Fail if the committed generated code is stale (what CI runs).
check-generated: setup
	$(BIN)/kube-clientgen generate --check

## The whole test suite (tests needing ../shared skip with a reason when it is absent).
test: setup
	$(BIN)/python -m pytest -n 2 -q

lint: setup
	$(BIN)/black --check generator kubecore tests bench examples
	$(BIN)/ruff check generator kubecore tests bench examples
	$(BIN)/mypy -p kube_clientgen -p kubecore -p kube_clientgen_api

## Every benchmark (a-m) in one run, written to docs/benchmarks.md. The anchors of the `bench`
## extra go into the project venv; kubesdk-cli (section m), whose exact pins would downgrade
## it, runs from a venv of its own that bench/generation_scale.py creates on first use under
## .bench-venvs/ (from the package index, pinned) and reuses while its pins match.
bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py

## Only the codec benchmarks (a-c, issue 12), spliced into docs/benchmarks.md (the rest kept).
bench-codec: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py --only codec --write

clean:
	rm -rf $(VENV) .bench-venvs .mypy_cache .pytest_cache
