# Two commands do everything: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp

.PHONY: run test test-fast lint format bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "djp needs Python 3.11 or newer; set PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(STAMP)

# the test tools (pytest, hypothesis, ruff...) only for make test, lint and bench
$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(TEST_STAMP)

run: $(STAMP)
	$(VENV)/bin/djp

# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
test: $(TEST_STAMP)
	@$(PY) -m pytest -n 2 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

# the tests not marked slow (TUI journeys, snapshots, processes, deadlines): under a minute
test-fast: $(TEST_STAMP)
	@$(PY) -m pytest -n 2 -m "not slow" $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test-fast: pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: $(TEST_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(TEST_STAMP)
	$(PY) -m bench.cli
	$(PY) -m bench.eventstore
	$(PY) -m bench.sync
	$(PY) -m bench.projections
	$(PY) -m bench.tui
	$(PY) -m bench.edits
	$(PY) -m bench.pypi
	$(PY) -m bench.stack --plan
	$(PY) -m bench.mcp

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
