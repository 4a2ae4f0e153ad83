#!/bin/sh
# Fetches what ci/gpu/smoke.sh installs on a GPU machine that has no network, into ci/gpu/files/ (git ignores it;
# carry it to the machine with the working tree). Run it here, on a machine with the package indexes:
#   - Python wheels for CPython 3.12 on x86-64 Linux (manylinux), without dependencies: every distribution that
#     the kit's grading and Keras import, at the versions requirements.lock pins, and pip itself (for a Python
#     that has none). smoke.sh installs only those that the GPU machine's Python lacks.
#   - bubblewrap and the libraries it links (ldd: libselinux, libcap, libpcre2), Debian's packages for amd64, which
#     smoke.sh extracts where the machine has no bwrap.
#   ci/gpu/fetch.sh [PYTHON_VERSION]      (default 3.12)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python_version="${1:-3.12}"
abi="cp$(echo "$python_version" | tr -d .)"
out="$here/files"
lock="$root/requirements.lock"
pip="${PIP:-$root/.venv/bin/pip}"

# The grading path (autograder's imports: YAML, pydantic, rich, pytest, numpy) and Keras 3 with its dependencies.
PACKAGES="keras namex optree absl-py h5py ml_dtypes numpy rich markdown-it-py mdurl Pygments packaging
          pydantic pydantic_core annotated-types typing-inspection typing_extensions PyYAML pytest iniconfig pluggy"
DEBS="bubblewrap libselinux1 libcap2 libpcre2-8-0"

pinned() {  # the line of requirements.lock that pins $1 (names compared as pip does: case and -_. alike)
    key=$(echo "$1" | tr 'A-Z_.' 'a-z--')
    while IFS= read -r line; do
        case "$line" in \#*|"") continue ;; esac
        name=$(echo "${line%%==*}" | tr 'A-Z_.' 'a-z--')
        if [ "$name" = "$key" ]; then echo "$line"; return 0; fi
    done < "$lock"
    echo "fetch.sh: requirements.lock pins no $1" >&2
    return 1
}

requirements=""
for package in $PACKAGES; do
    requirements="$requirements $(pinned "$package")"
done
rm -rf "$out"
mkdir -p "$out"
# shellcheck disable=SC2086
"$pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --dest "$out" \
    --python-version "$python_version" --implementation cp --abi "$abi" --abi abi3 --abi none \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any \
    $requirements pip

apt-get update -qq
# as root, apt would hand the download to its unprivileged user, who cannot write here
(cd "$out" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" $DEBS)
ls -l "$out"
du -sh "$out"
