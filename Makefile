# Two commands do all the set-up on a fresh machine:
#   make run   - runs the bot (no token configured: the local sandbox)
#   make test  - creates .venv, installs everything, runs ruff, mypy and the tests
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: run test lint typecheck demo sandbox install clean bench office-tools

# LibreOffice and poppler convert a Word report to PDF and PNG pages in a test
# (tests/reports/test_word.py), with the fonts it renders Vietnamese with. `make test`
# installs them when missing, as root with apt-get (the update only if the install fails);
# elsewhere nothing is installed and that test says what to install.
OFFICE_PKGS = libreoffice-writer-nogui poppler-utils fonts-liberation fonts-dejavu-core
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	-o DPkg::Lock::Timeout=300 $(OFFICE_PKGS)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m bot

demo: $(STAMP)
	$(PY) -m bot demo

sandbox: $(STAMP)
	$(PY) -m bot sandbox

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

office-tools:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && ! dpkg -s $(OFFICE_PKGS) >/dev/null 2>&1; then \
	  echo "Installing $(OFFICE_PKGS)"; \
	  $(APT_INSTALL) >/dev/null 2>&1 \
	  || { apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null && $(APT_INSTALL) >/dev/null; } \
	  || echo "Could not install $(OFFICE_PKGS): the Word conversion test will fail."; \
	fi

test: lint typecheck office-tools
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
