"""Reference values a suite computes once per version of itself, kept on disk for every later grader process.

Some expected values do not depend on the student at all, and cost more to compute than grading does: 02's
Keras cross-check needs TensorFlow, whose import alone takes seconds in each grader process. A suite asks for
such a value with :func:`cached`; it is computed the first time and stored under ``build/references/``, keyed by
the bytes of the files that compute it and the versions of the packages they use, so a changed suite or a
changed pinned library computes it afresh. Values are stored as a message of the sandbox's protocol (JSON, and
arrays as dtype, shape and raw bytes), so floats come back bit for bit and nothing is unpickled.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable

from autograder.course.layout import BUILD
from autograder.sandbox.inside import protocol

ENV_FOLDER = "AUTOGRADER_REFERENCES"  # another folder for the cache (the kit's tests use an empty one to recompute)


def cached(name: str, compute: Callable[[], Any], files: Iterable[Path], packages: Iterable[str] = ()) -> Any:
    """``compute()``'s value, computed once for these ``files``' contents and ``packages``' versions."""
    path = folder() / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}-{key(files, packages)}.msg"
    try:
        return _read(path.read_bytes())
    except (OSError, ValueError, EOFError):
        value = compute()
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(_written(value))
        partial.replace(path)  # atomic: grader processes that compute it at the same time write the same bytes
    except OSError:  # a read-only kit or a full disk: the value is still right, only not kept
        with contextlib.suppress(OSError):
            partial.unlink()
    return value


def digest(value: Any) -> str:
    """A short name for plain data (the arguments a value was computed from), to tell stored values apart."""
    return hashlib.sha256(_written(value)).hexdigest()[:12]


def _written(value: Any) -> bytes:
    return protocol.frame({"value": protocol.encode(value)})


def _read(data: bytes) -> Any:
    message = protocol.unframe(data)
    return protocol.decode(message["value"], None, message.blob)


def folder() -> Path:
    return Path(os.environ.get(ENV_FOLDER) or BUILD / "references")


def key(files: Iterable[Path], packages: Iterable[str]) -> str:
    stamped = tuple((path, *_stamp(path)) for path in sorted(Path(p) for p in files))
    return _key(stamped, tuple(sorted(packages)))


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=64)
def _key(files: tuple[tuple[Path, int, int], ...], packages: tuple[str, ...]) -> str:
    """Once per grader process and version of the files: finding a package's version reads site-packages (tens of
    ms, a quarter of a second per student of 01 before)."""
    digest = hashlib.sha256()
    for path, _, _ in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in packages:
        digest.update(f"{package}=={importlib.metadata.version(package)}".encode())
    return digest.hexdigest()[:16]
