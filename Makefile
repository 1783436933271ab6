# The two commands of the README:
#   make demo  - set up .venv and render every report card of the bundled data (and their PDFs
#                when Chromium is there or can be installed)
#   make test  - set up .venv with the test extras (and Chromium), run the linter (make lint), then the tests
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUTPUTS ?= outputs

.PHONY: demo test lint install install-test browser clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Debian's Chromium and ChromeDriver, for the browser check of the rendered pages and for PDF output.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium and chromium-driver (Debian packages) for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "note: chromium/chromedriver not found and cannot be installed here; no PDFs, and the browser test will be skipped (it fails in CI)"; fi

demo: install browser
	$(BIN)/dmaf validate data/scores.csv
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
	  $(BIN)/dmaf batch --output-dir $(OUTPUTS) --pdf; \
	else echo "note: no Chromium, so no PDFs (apt-get install chromium chromium-driver, then dmaf batch --pdf)"; \
	  $(BIN)/dmaf batch --output-dir $(OUTPUTS); fi

test: lint browser
	$(BIN)/python -m pytest -q

# ruff, configured in pyproject.toml ([tool.ruff]); `make test` runs it first
lint: install-test
	$(BIN)/python -m ruff check .

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(OUTPUTS)/cities $(OUTPUTS)/national $(OUTPUTS)/index.html $(OUTPUTS)/manifest.json
