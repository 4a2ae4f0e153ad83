# The two set-up commands of the README: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup sandbox demo test validate bench clean

setup: $(STAMP) sandbox

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# bubblewrap confines student code. Installed from the system's packages where we can; grading
# refuses to run without it (unless --no-sandbox), so a missing bwrap is a clear error later, not silence.
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
	    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null; \
	  else \
	    echo "warning: bubblewrap (bwrap) is not installed and cannot be installed here;" \
	         "install the 'bubblewrap' package (Debian/Ubuntu) or grading will refuse to run." >&2; \
	  fi; }

demo: setup
	$(PY) -m autograder demo

test: setup
	$(PY) -m pytest

validate: setup
	$(PY) -m autograder validate

clean:
	rm -rf build grades $(VENV)
