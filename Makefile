# The two set-up commands of the README: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup sandbox browser otter demo test validate bench mutants gpu-smoke-files clean

setup: $(STAMP) sandbox

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# Sandboxed workers cannot write .pyc files: without these (an install with PYTHONDONTWRITEBYTECODE set, or
	@# by uv) every worker compiles numpy from source, and starts three times slower.
	$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null
	touch $(STAMP)

# $(call apt_install,COMMAND,PACKAGE,WARNING): unless COMMAND exists, install the system's PACKAGE as root
# via apt-get (or passwordless sudo); where neither works, print WARNING and go on.
define apt_install
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2)) >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
	    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2)) >/dev/null; \
	  else \
	    echo "warning: $(3)" >&2; \
	  fi; }
endef

# bubblewrap confines student code. Installed from the system's packages where we can; grading
# refuses to run without it (unless --no-sandbox), so a missing bwrap is a clear error later, not silence.
NO_BWRAP := bubblewrap (bwrap) is not installed and cannot be installed here; install the 'bubblewrap' \
            package (Debian/Ubuntu) or grading will refuse to run.
sandbox:
	$(call apt_install,bwrap,bubblewrap,$(NO_BWRAP))

# Chromium renders the HTML reports in the kit's tests (tests/test_instructor.py), which fail without it.
NO_CHROMIUM := chromium is not installed and cannot be installed here; install the 'chromium' package \
               (Debian/Ubuntu) or the HTML report tests will fail.
browser:
	$(call apt_install,chromium,chromium,$(NO_CHROMIUM))

# Otter-Grader, the bench's second peer, in a virtualenv of its own (it brings pandas, nbconvert[webpdf], playwright...:
# none of that belongs in .venv), with ipykernel and the libraries the notebooks of 01-04 import, from a pinned lock.
OTTER_VENV  := build/otter-venv
OTTER_STAMP := $(OTTER_VENV)/.installed
otter: $(OTTER_STAMP)

$(OTTER_STAMP): requirements-otter.lock
	rm -rf $(OTTER_VENV)
	$(PYTHON) -m venv $(OTTER_VENV)
	$(OTTER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-otter.lock
	touch $(OTTER_STAMP)

demo: setup
	$(PY) -m autograder demo

# The tiny bench test (tests/test_scale.py) grades with Otter too: it needs the otter virtualenv.
test: setup browser otter
	$(PY) -m pytest

validate: setup
	$(PY) -m autograder validate

# Times the kit against `nbgrader autograde` and `otter run` on a synthetic class (autograder/authoring/bench.py);
# figures in grades/bench.json. `make bench BENCH_ARGS="--students 20 --nbgrader 5"` scales it down.
bench: setup otter
	$(PY) -m autograder bench $(BENCH_ARGS)

# Mutation testing of the hidden suites (autograder/authoring/mutants.py); figures in grades/mutants.json.
# 05 retrains models for every mutant: `make mutants MUTANTS=05_keras_mnist MUTANTS_ARGS="--cells predict_labels"`.
MUTANTS ?= 01_bayes 02_gradient_descent 03_perceptron 04_backprop
mutants: setup
	$(PY) -m autograder mutants $(MUTANTS) $(MUTANTS_ARGS)

# What the GPU smoke check (ci/gpu/smoke.sh) installs on a GPU machine without network: wheels of the pinned
# versions for CPython $(GPU_PYTHON) and Debian's bubblewrap, into ci/gpu/files/ (git ignores it). Run it here, where the
# package indexes are reachable, then carry the working tree with ci/gpu/files/ to the GPU machine.
GPU_PYTHON ?= 3.12
gpu-smoke-files: setup
	PIP=$(VENV)/bin/pip sh ci/gpu/fetch.sh $(GPU_PYTHON)

clean:
	rm -rf build grades $(VENV) ci/gpu/build
