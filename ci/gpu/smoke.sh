#!/bin/sh
# The GPU smoke check: grades assignment 05 on this machine's NVIDIA GPU through the kit's sandbox and checks what
# the CPU-only tests cannot (ci/gpu/smoke.py says what, README "Grading on CI and GPU runners" how to run it).
#   ci/gpu/smoke.sh [--keras-backend tensorflow|jax|torch] [--jobs N] [--report FILE] [--dry-run]
# Needs a GPU machine with Python, the NVIDIA driver, a CUDA build of TensorFlow, JAX or PyTorch, and the files of
# ci/gpu/fetch.sh in ci/gpu/files/; no network. PYTHON picks the interpreter (default: python3). The kit runs from
# this working tree (PYTHONPATH), not installed.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" exec "${PYTHON:-python3}" "$root/ci/gpu/smoke.py" "$@"
