# gisplanner — `make run` opens the app on the demo town; `make test` runs the whole suite headless.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint format bench deps-debian package clean ts

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,postgres,bench]"
	touch $(STAMP)

# ARGS passes flags to the app, e.g. `make run ARGS=--smoke` (open, wait for the drawn map, exit).
# sysdeps: ldd on Qt's xcb plugin; as root installs the missing Debian libraries, else says which.
run: $(STAMP)
	$(PY) -m gisplanner.sysdeps --install
	$(PY) main.py $(ARGS)

# Debian packages the tests need (CJK font for Chinese glyphs, poppler for PDF checks, zbar for the QR
# codes, chromium for the web-map check, PostgreSQL for the shared-database tests, Xvfb for the smoke
# run on the real xcb platform); only as root. The xcb libraries are left to `make run`.
deps-debian:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  need=""; \
	  fc-list :lang=zh 2>/dev/null | grep -q . || need="$$need fonts-wqy-microhei"; \
	  command -v pdftotext >/dev/null || need="$$need poppler-utils"; \
	  command -v zbarimg >/dev/null || need="$$need zbar-tools"; \
	  command -v chromium >/dev/null || need="$$need chromium"; \
	  command -v xvfb-run >/dev/null || need="$$need xvfb xauth"; \
	  dpkg -s libegl1 >/dev/null 2>&1 || need="$$need libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql postgresql-contrib"; \
	  if [ -n "$$need" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$need >/dev/null; fi; \
	else echo "not root: skipping Debian packages (fonts-wqy-microhei poppler-utils zbar-tools chromium postgresql)"; fi

# the English translation: collect every tr() string of gisplanner/ui (pyside6-lupdate), write
# resources/translations/gisplanner_en.ts (strings without English marked unfinished) and the .qm
ts: $(STAMP)
	$(PY) resources/translations/make_ts.py

lint: $(STAMP)
	$(VENV)/bin/ruff check gisplanner tests bench main.py
	$(VENV)/bin/ruff format --check gisplanner tests bench main.py

format: $(STAMP)
	$(VENV)/bin/ruff check --fix gisplanner tests bench main.py
	$(VENV)/bin/ruff format gisplanner tests bench main.py

# lint-imports: the import contracts of pyproject.toml ([tool.importlinter]: layers, Qt only in ui/
# and printing/, routing without the ORM, no cycles); tests/test_architecture.py runs it too.
test: $(STAMP) deps-debian lint
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q

bench: $(STAMP)
	for b in bench/*_bench.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# The one-folder bundle dist/gisplanner/ (runs without Python): see packaging/gisplanner.spec.
package: $(STAMP)
	$(PY) -m pip install -q -e ".[package]"
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/gisplanner.spec
	@du -sh dist/gisplanner

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .import_linter_cache .grimp_cache
