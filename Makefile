# Thin wrappers. `make run` starts the app; `make test` runs every check CI runs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
XVFB_PACKAGES := xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 fonts-dejavu-core

.PHONY: run test lint unit xvfb demo screenshots bench dist clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,dist]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-dist

$(VENV)/.installed-dist: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dist]'
	touch $@ $(VENV)/.installed

# Start the app. Without a display (a server, CI) it runs on a virtual screen under Xvfb,
# installing Xvfb first when we are root.
run: $(VENV)/.installed
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" != "Linux" ]; then \
		$(VENV)/bin/metabolic-journal $(ARGS); \
	else \
		$(MAKE) --no-print-directory xvfb && \
		echo "No display found: starting on a virtual screen (xvfb-run)." && \
		xvfb-run -a -s "-screen 0 1440x900x24" env QT_QPA_PLATFORM=xcb \
			$(VENV)/bin/metabolic-journal $(ARGS); \
	fi

xvfb:
	@if ! command -v xvfb-run >/dev/null 2>&1 || ! ldconfig -p | grep -q libxcb-icccm.so.4; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(XVFB_PACKAGES) >/dev/null; \
		else \
			echo "Xvfb is missing: run 'sudo apt-get install $(XVFB_PACKAGES)'" >&2; exit 1; \
		fi; \
	fi

# Every check: lint, format, types, layer contracts, then the whole test suite offscreen.
test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check journal tests
	$(VENV)/bin/ruff format --check journal tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix journal tests
	$(VENV)/bin/ruff format journal tests

unit: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -x -q

# A ten-year demo journal in ./demo-journal (never your own journal).
demo: $(VENV)/.installed
	$(VENV)/bin/metabolic-journal demo --data-dir demo-journal --years 10

# Every page and dialog of a demo journal, rendered into docs/screenshots/ on a virtual screen.
screenshots: $(VENV)/.installed xvfb
	@command -v pdftoppm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; } || \
		{ echo "pdftoppm is missing: run 'sudo apt-get install poppler-utils'" >&2; exit 1; }
	xvfb-run -a -s "-screen 0 1440x900x24" env QT_QPA_PLATFORM=xcb $(PY) docs/make_screenshots.py

# Benchmarks (not part of make test) on a ten-year demo journal, each beside a floor measured
# in the same run: results in docs/benchmarks.md. BENCH_ARGS="--runs 7 --import-mb 300" for more.
bench: $(VENV)/.installed xvfb
	xvfb-run -a -s "-screen 0 1440x900x24" env QT_QPA_PLATFORM=xcb \
		$(PY) tests/benchmarks/run_all.py $(BENCH_ARGS)

# The app as one folder that runs without Python: dist/metabolic-journal/ (packaging/README.md).
dist: $(VENV)/.installed-dist
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/metabolic-journal.spec

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
