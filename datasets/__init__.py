"""The course's datasets, shipped in this folder and verified by checksum; nothing downloads.

    from datasets import load
    digits = load("digits")          # images (1797, 8, 8) uint8 0..16, labels (1797,) uint8
    mnist = load("mnist")            # x_train (60000, 28, 28) uint8, y_train, x_test, y_test

Standard library and numpy only, so notebooks and the sandboxed worker can use it too.
"""
import hashlib
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


class ChecksumError(ValueError):
    """A dataset file does not hold the arrays it should (damaged or replaced)."""


def checksums() -> dict:
    return json.loads((HERE / "checksums.json").read_text())


def load(name: str, verify: bool = True) -> dict:
    """The arrays of ``datasets/<name>.npz`` as a dict, each checked against its sha256."""
    expected = checksums()
    if name not in expected:
        raise KeyError(f"no dataset {name!r}; known: {', '.join(sorted(expected))}")
    path = HERE / f"{name}.npz"
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    if verify:
        for key, digest in expected[name]["arrays"].items():
            if key not in arrays:
                raise ChecksumError(f"{path}: array {key!r} is missing")
            actual = hashlib.sha256(arrays[key].tobytes()).hexdigest()
            if actual != digest:
                raise ChecksumError(f"{path}: array {key!r} has sha256 {actual}, expected {digest}")
    return arrays
