# The whole set-up is these targets: `make lab` and `make test` (README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test bench clean browser-deps lite

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,dev]'
	touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

test: $(STAMP)
	$(BIN)/ruff check nutssim tests benchmarks
	$(BIN)/ruff format --check nutssim tests benchmarks
	$(BIN)/mypy nutssim
	$(BIN)/python -m pytest tests $(if $(wildcard notebooks/*.ipynb),--nbval-lax notebooks/,)

# The real-browser check of the notebooks (tests/test_notebooks_browser.py) needs Debian's Chromium
# and the playwright package; without them it skips. CI runs this before `make test`. Chromium
# comes from apt (as root); playwright's own browser download is never used. The test reads the
# same NUTSSIM_CHROMIUM.
NUTSSIM_CHROMIUM ?= /usr/bin/chromium
browser-deps: $(STAMP)
	@if [ ! -x $(NUTSSIM_CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "browser-deps: no $(NUTSSIM_CHROMIUM); install it (Debian: sudo apt-get install chromium)"; \
	  fi; \
	fi
	@$(BIN)/python -c 'import playwright' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[browser]'

# The course as a static site in build/lite/ (JupyterLite + Pyodide, every file served locally;
# README "The course in a browser tab"). Fetches from PyPI and npm only, into build/lite-cache/.
LITE_STAMP := $(VENV)/.lite-installed
$(LITE_STAMP): $(STAMP) tools/lite/pins.toml
	$(BIN)/python -m pip install --quiet -e '.[lite]' $$($(BIN)/python tools/lite/build.py --pins)
	touch $(LITE_STAMP)

lite: $(LITE_STAMP)
	$(BIN)/python tools/lite/build.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build *.egg-info
