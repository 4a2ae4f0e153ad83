#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (its Ubuntu base image, network on):
# bubblewrap, Python 3.11 and exactly the pinned packages that grading this assignment needs (requirements.txt).
#
#   setup.sh           install (what Gradescope runs)
#   setup.sh --check   install nothing; check that all of it is in place (the kit's tests run this)
#
# Python 3.11 comes from uv (a pinned release, installed with pip into a venv of its own): Ubuntu 22.04 ships 3.10,
# and uv installs a standalone CPython build the same way on any Ubuntu base image. Everything lands in
# /opt/autograder, readable by every user: in the separate-user mode (see the kit's SECURITY.md) student code runs
# as a user of its own and must be able to import the packages, never read /autograder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${AUTOGRADER_VENV:-/opt/autograder/venv}"
UV_VERSION=0.13.8

install() {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        bubblewrap ca-certificates python3 python3-venv >/dev/null
    python3 -m venv /opt/autograder/uv
    /opt/autograder/uv/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    export UV_PYTHON_INSTALL_DIR=/opt/autograder/python
    /opt/autograder/uv/bin/uv python install 3.11
    /opt/autograder/uv/bin/uv venv --python 3.11 "$VENV"
    /opt/autograder/uv/bin/uv pip install --python "$VENV/bin/python" -r "$HERE/requirements.txt"
    # Student code cannot write .pyc files while it is graded: compile now, or every worker compiles numpy again.
    "$VENV/bin/python" -m compileall -q -j 0 "$VENV/lib" >/dev/null || true
    chmod -R a+rX /opt/autograder
}

fail() {
    echo "setup.sh --check: $*" >&2
    exit 1
}

check() {
    command -v bwrap >/dev/null || fail "bubblewrap (bwrap) is not installed"
    [ -x "$VENV/bin/python" ] || fail "no Python at $VENV/bin/python"
    "$VENV/bin/python" - "$HERE/requirements.txt" <<'PY' || fail "the Python at $VENV does not match requirements.txt"
import importlib.metadata, sys
if sys.version_info[:2] != (3, 11):
    sys.exit(f"Python 3.11 expected, found {sys.version.split()[0]}")
wrong = []
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if "==" in line:
        name, version = line.split("==")
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found = "missing"
        if found != version:
            wrong.append(f"{name}: {found}, expected {version}")
if wrong:
    sys.exit("\n".join(wrong))
PY
    (cd "$HERE/kit" && env -u PYTHONPATH "$VENV/bin/python" -c "import autograder.cli") \
        || fail "the kit in $HERE/kit does not import"
    echo "setup.sh --check: bubblewrap, Python 3.11 and every pinned package are in place"
}

case "${1:-}" in
    "") install; check ;;
    --check) check ;;
    *) echo "usage: setup.sh [--check]" >&2; exit 2 ;;
esac
