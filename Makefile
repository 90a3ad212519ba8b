# make run  : create .venv, install, run the nightly flow on sample_data/
# make test : create .venv, install, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench sample preview clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	# a Prefect home migrated once, which a command copies into a new one (flows/local_api.py)
	$(BIN)/python -m flows.local_api
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/logiwatch run

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m tests.bench

sample: $(STAMP)
	$(BIN)/python -m sample_data.generate

clean:
	rm -rf $(VENV) out .pytest_cache

# LibreOffice and poppler come from Debian's packages (installed when missing and apt-get runs)
preview: $(STAMP)
	@command -v soffice >/dev/null && command -v pdftoppm >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	   --no-install-recommends libreoffice-calc poppler-utils fonts-noto-cjk)
	$(BIN)/python -m tests.preview
