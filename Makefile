# Two entry points, both self-contained on a fresh machine with Python 3.11+ and make:
#   make demo   set up, then answer an example error from the bundled knowledge base
#   make test   set up, then run every check CI runs (ruff, mypy, kb lint, pytest)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench compare eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/supportbot ask 'Error Domain=NSURLErrorDomain Code=-1009 "The Internet connection appears to be offline."'

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python bench/structure.py --strict
	$(BIN)/supportbot kb lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/search.py

# The side-by-side benchmark needs the bench extra (bm25s, sentence-transformers, CPU torch): its own stamp,
# so `make setup` and CI stay small.
$(VENV)/.bench-installed: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

compare: $(VENV)/.bench-installed
	$(BIN)/python bench/compare.py

eval: setup
	$(BIN)/supportbot eval ../shared/eval/seed.jsonl ../shared/eval/dev.jsonl tests/eval/questions.jsonl

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
