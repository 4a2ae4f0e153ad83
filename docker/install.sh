#!/bin/sh
# Installs what grading needs into an image's Python: bubblewrap, and the kit's pinned dependencies.
#   install.sh cpu|gpu REQUIREMENTS_LOCK
# gpu: TensorFlow's CUDA build (tensorflow[and-cuda], CUDA and cuDNN as pip wheels) of exactly the version
# requirements.lock pins for tensorflow-cpu takes its place; everything else is installed as pinned.
set -eu
flavour="$1"
lock="$2"

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap
rm -rf /var/lib/apt/lists/*

case "$flavour" in
  cpu)
    pip install --no-cache-dir --disable-pip-version-check -r "$lock" ;;
  gpu)
    tf=$(sed -n 's/^tensorflow_cpu==//p' "$lock")
    if [ -z "$tf" ]; then
      echo "install.sh: $lock pins no tensorflow_cpu==<version>, so the GPU build's version is unknown" >&2
      exit 1
    fi
    grep -v '^tensorflow_cpu==' "$lock" > /tmp/requirements-gpu.txt
    pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements-gpu.txt "tensorflow[and-cuda]==$tf" ;;
  *)
    echo "install.sh: expected cpu or gpu, got '$flavour'" >&2
    exit 2 ;;
esac
