# Everything sets itself up: only Python 3.11+, git and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench eval schemas clean browser fuzz golden

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "declog needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[fast,mcp,dev,semantic]'
	touch $(STAMP)

# make demo KEEP=1 keeps the demo's repository and exported site, and prints where they are
demo: $(STAMP)
	$(BIN)/python scripts/demo.py $(if $(filter 1 yes true,$(KEEP)),--keep,)

# Line coverage of declog/, declog processes started by the tests included (patch = subprocess in
# pyproject.toml), printed after the tests; the floor is what the suite reached when it was set.
COVERAGE_FLOOR ?= 92
# The suite runs in this many pytest-xdist workers (each measured by coverage through the same hook).
PYTEST_WORKERS ?= 2

test: $(STAMP) browser
	$(BIN)/ruff check declog tests scripts bench
	$(BIN)/mypy
	rm -rf build/coverage && mkdir -p build/coverage
	$(BIN)/coverage run -m pytest -q -n $(PYTEST_WORKERS)
	$(BIN)/coverage combine -q
	$(BIN)/coverage report --fail-under=$(COVERAGE_FLOOR)

# The browser tests of `declog export html` (tests/export/test_html_browser.py) drive Debian's
# Chromium through Playwright; Playwright never downloads a browser. Does nothing when Chromium
# is there or DECLOG_SKIP_BROWSER=1 (then those tests are skipped, on purpose).
CHROMIUM ?= /usr/bin/chromium

browser:
	@if [ -x "$(CHROMIUM)" ] || [ "$$DECLOG_SKIP_BROWSER" = 1 ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "make browser: $(CHROMIUM) is missing and installing it needs root or sudo; install chromium, or set DECLOG_SKIP_BROWSER=1" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 || { echo "make browser: no apt-get on this machine; install Chromium as $(CHROMIUM), or set DECLOG_SKIP_BROWSER=1" >&2; exit 1; }; \
	echo "make browser: installing Debian's chromium for the browser tests"; \
	$$SUDO apt-get update -q >/dev/null && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null && \
	[ -x "$(CHROMIUM)" ] || { echo "make browser: apt-get could not install chromium as $(CHROMIUM); set DECLOG_SKIP_BROWSER=1 to skip the browser tests" >&2; exit 1; }

# Regenerate the golden files of tests/golden/ (text, markdown, JSON and HTML renderings of one
# fixed log) after a rendering changed on purpose; review the diff before committing it.
golden: $(STAMP)
	DECLOG_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/golden -q

lint: $(STAMP)
	$(BIN)/ruff check declog tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Import the real ADR logs of ../shared/corpora/ and measure words kept and `declog why` top-1/top-3
# over bench/eval/questions.yaml (not part of `make test`; says so and exits 0 without the corpora).
eval: $(STAMP)
	$(BIN)/python bench/eval/run.py $(EVAL_ARGS)

# Coverage-guided fuzzing of the record loader, validator and editor (atheris, a dev extra).
# New inputs go to fuzz/work/, crashes to fuzz/crashes/ (both git-ignored); see docs/testing.md.
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	mkdir -p fuzz/work fuzz/crashes
	$(BIN)/python fuzz/fuzz_records.py fuzz/work fuzz/corpus/real fuzz/corpus/hostile fuzz/corpus/regressions \
		-max_total_time=$(FUZZ_SECONDS) -max_len=4096 -rss_limit_mb=4096 -timeout=60 -artifact_prefix=fuzz/crashes/ -print_final_stats=1

schemas: $(STAMP)
	$(BIN)/declog schema --out schemas

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
