# newsledger: `make demo` and `make test` are all a fresh clone needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_LOGGING_LEVEL := WARNING
export PREFECT_SERVER_LOGGING_LEVEL := CRITICAL
export PREFECT_HOME := $(CURDIR)/.prefect

.PHONY: install bytecode browser demo test eval eval-update lint clean

install: $(BIN)/newsledger bytecode browser

# Bytecode compiled ahead, as uv does for site-packages (--compile-bytecode): a command
# that compiles its imports from source on every start (PYTHONDONTWRITEBYTECODE, a
# read-only install) pays seconds for it, in every worker and in the Prefect server.
bytecode: $(BIN)/newsledger
	$(BIN)/python -m compileall -q -j 0 flows transforms schemas warehouse benchmarks >/dev/null

# Headless Chromium for the browser tests of Data Docs and the run report (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v /usr/bin/chromium >/dev/null 2>&1 || \
	  { echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

$(BIN)/newsledger: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	touch $@

demo: install
	$(BIN)/newsledger demo

test: install lint
	$(BIN)/python -m pytest

eval: install
	$(BIN)/python benchmarks/eval.py --corpus $(CORPUS)

eval-update: install
	$(BIN)/python benchmarks/eval.py --corpus $(CORPUS) --update

# A local Prefect server (API and UI on http://127.0.0.1:4200), its database in data/prefect/.
.PHONY: server
server: install
	$(BIN)/newsledger server

lint: install
	$(BIN)/ruff check flows transforms schemas warehouse tests benchmarks

clean:
	rm -rf $(VENV) .prefect data reports .pytest_cache

# Throughput against the extraction floor, re-run, Prefect overhead, peak RSS (N=1000: ~20 min on 2 cores; not a test).
.PHONY: bench bench-memory
N ?= 1000
bench: install
	$(BIN)/python benchmarks/bench.py --n $(N) --corpus $(CORPUS)

# Peak RSS of a backfill at 1k, 5k and 20k articles (the better part of an hour; not in CI).
SIZES ?= 1000,5000,20000
bench-memory: install
	$(BIN)/python benchmarks/bench_memory.py --sizes $(SIZES) --corpus $(CORPUS)
