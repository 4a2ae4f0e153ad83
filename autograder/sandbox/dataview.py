"""The datasets folder as student code sees it while grading: the same files, minus the test labels.

A hidden test measures accuracy in the grader, on test images whose labels only the grader holds.
``datasets/mnist.npz`` carries ``y_test``, so the worker is given a view of ``datasets/`` instead of
the folder itself: every file copied, except that each withheld array is left out of its ``.npz``
and of ``checksums.json`` (so ``datasets.load`` still verifies what is there). The view is written
once per grading run, into that run's work folder, and reused while the source files are unchanged.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

WITHHELD = {"mnist.npz": ("y_test",)}  # file -> arrays student code never sees while being graded
STAMP = ".view-of"


def worker_view(source: Path, target: Path) -> Path:
    """``target``, made a copy of ``source`` without the withheld arrays (kept as it is if already up to date)."""
    stamp = _stamp(source)
    if (target / STAMP).is_file() and (target / STAMP).read_text() == stamp:
        return target
    if target.exists():
        shutil.rmtree(target)
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    shutil.copytree(source, partial, ignore=shutil.ignore_patterns("__pycache__", *WITHHELD))
    for name, arrays in WITHHELD.items():
        if (source / name).is_file():
            _without(source / name, partial / name, arrays)
    checksums = partial / "checksums.json"
    if checksums.is_file():
        checksums.write_text(json.dumps(_checksums_without(json.loads(checksums.read_text())), indent=2) + "\n")
    (partial / STAMP).write_text(stamp)
    partial.rename(target)
    return target


def _without(source: Path, target: Path, withheld: tuple[str, ...]) -> None:
    with np.load(source, allow_pickle=False) as data:
        kept = {key: data[key] for key in data.files if key not in withheld}
    np.savez(target, **kept)  # uncompressed: written in a fraction of a second, read as fast


def _checksums_without(checksums: dict) -> dict:
    for name, arrays in WITHHELD.items():
        entry = checksums.get(Path(name).stem)
        if entry is not None:
            entry.pop("file_sha256", None)  # the file is rewritten; its arrays are still checked one by one
            for key in arrays:
                entry.get("arrays", {}).pop(key, None)
    return checksums


def _stamp(source: Path) -> str:
    """Names, sizes and modification times of the source files: the view is rebuilt when any changes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        info = path.stat()
        digest.update(f"{path.relative_to(source)}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()
