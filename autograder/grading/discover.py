"""Stage 1, discover: find the submissions in a folder, unpack them safely, and read their code cells.

Accepted layouts, mixed freely in one folder:

    <root>/<student>/<notebook>.ipynb              one folder per student
    <root>/<student>/<assignment>/<notebook>.ipynb nbgrader's submitted/ layout
    <root>/<student>.ipynb                         a loose notebook
    <root>/<student>.zip                           a zip of the student's folder

A submission that cannot be used is still a :class:`Submission`, with ``problem`` saying why,
so that the batch goes on and the student gets a result that explains it.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from autograder.course.config import STUDENT_NAME
from autograder.course.late import submission_time

SKIP_TAGS = frozenset({"explore", "check"})
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_ZIP_BYTES = 200 * 1024 * 1024
MAX_ZIP_FILES = 2000
MAX_ZIP_RATIO = 200


@dataclass(frozen=True)
class Submission:
    student: str
    directory: Path | None  # the folder the worker sees; None when nothing usable was found
    notebook: Path | None
    problem: str | None = None
    content_hash: str = ""
    submitted_at: datetime | None = None  # see autograder/late.py
    submitted_from: str = ""


class NotebookError(Exception):
    """The notebook cannot be read; the message names the file and what is wrong."""


def discover(root: Path, assignment: str, notebook_name: str, staging: Path) -> list[Submission]:
    """Every submission under ``root``, sorted by student; zips are unpacked into ``staging``."""
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder of submissions")
    found: dict[str, Submission] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.stem if entry.is_file() else entry.name
        if not STUDENT_NAME.match(student):
            continue
        if entry.is_symlink():
            submission = Submission(student, None, None, f"{entry.name}: symbolic links are not accepted as submissions")
        elif entry.is_dir():
            submission = _from_folder(student, entry, assignment, notebook_name)
        elif entry.suffix == ".ipynb":
            submission = _from_loose_notebook(student, entry, notebook_name, staging / student)
        elif entry.suffix == ".zip":
            submission = _from_zip(student, entry, assignment, notebook_name, staging / student)
        else:
            continue
        if student in found:
            submission = Submission(student, None, None, f"{entry.name}: more than one submission for {student!r}")
        found[student] = _timed(submission, entry)
    return [found[name] for name in sorted(found)]


def _timed(submission: Submission, entry: Path) -> Submission:
    """Add when it was handed in: a submission folder's timestamp.txt or notebook, a loose file's own time."""
    in_folder = entry.is_dir() and not entry.is_symlink()
    when = submission_time(submission.directory if in_folder else None, submission.notebook if in_folder else entry)
    return replace(submission, submitted_at=when[0], submitted_from=when[1]) if when else submission


def _from_folder(student: str, folder: Path, assignment: str, notebook_name: str) -> Submission:
    nested = folder / assignment
    if nested.is_dir() and not nested.is_symlink():
        folder = nested
    notebook, problem = _find_notebook(folder, notebook_name)
    return Submission(student, folder, notebook, problem, content_hash(folder))


def _from_loose_notebook(student: str, path: Path, notebook_name: str, target: Path) -> Submission:
    _fresh(target)
    shutil.copyfile(path, target / notebook_name)
    return Submission(student, target, target / notebook_name, None, content_hash(target))


def _from_zip(student: str, path: Path, assignment: str, notebook_name: str, target: Path) -> Submission:
    _fresh(target)
    try:
        unpack_zip(path, target)
    except (zipfile.BadZipFile, UnsafeArchive, OSError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        return Submission(student, None, None, f"{path.name}: {exc}")
    except Exception as exc:  # noqa: BLE001 - on a crafted archive zipfile raises RuntimeError, zlib.error, ...
        shutil.rmtree(target, ignore_errors=True)
        return Submission(student, None, None, f"{path.name}: the zip cannot be unpacked ({type(exc).__name__}: {exc})")
    entries = [e for e in target.iterdir() if not e.name.startswith(("__MACOSX", "."))]
    folder = entries[0] if len(entries) == 1 and entries[0].is_dir() else target
    return _from_folder(student, folder, assignment, notebook_name)


class UnsafeArchive(Exception):
    pass


def unpack_zip(path: Path, target: Path) -> None:
    """Extract ``path`` into ``target``, refusing absolute paths, ``..``, links, and zip bombs."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_FILES:
            raise UnsafeArchive(f"the zip holds {len(members)} files; at most {MAX_ZIP_FILES} are accepted")
        total = sum(m.file_size for m in members)
        if total > MAX_ZIP_BYTES:
            raise UnsafeArchive(f"the zip unpacks to {total} bytes; at most {MAX_ZIP_BYTES} are accepted")
        for member in members:
            name = member.filename
            parts = Path(name).parts
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                raise UnsafeArchive(f"the zip contains an unsafe path {name!r}")
            if stat.S_ISLNK(member.external_attr >> 16):
                raise UnsafeArchive(f"the zip contains a symbolic link {name!r}")
            if member.compress_size and member.file_size / member.compress_size > MAX_ZIP_RATIO and member.file_size > 1 << 20:
                raise UnsafeArchive(f"{name!r} in the zip is compressed {member.file_size // member.compress_size}:1, "
                                    "which looks like a zip bomb")
        for member in members:
            destination = target.joinpath(*Path(member.filename).parts)
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(destination, "wb") as sink:
                copied = 0
                while chunk := source.read(1 << 20):
                    copied += len(chunk)
                    if copied > member.file_size:
                        raise UnsafeArchive(f"{member.filename!r} unpacks to more than its declared size")
                    sink.write(chunk)


def _find_notebook(folder: Path, notebook_name: str) -> tuple[Path | None, str | None]:
    expected = folder / notebook_name
    if expected.is_file() and not expected.is_symlink():
        return expected, None
    notebooks = [p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink()]
    if len(notebooks) == 1:
        return notebooks[0], None
    if not notebooks:
        return None, f"no notebook found: expected {notebook_name} in the submission"
    names = ", ".join(sorted(p.name for p in notebooks))
    return None, f"{notebook_name} not found, and more than one other notebook to choose from ({names})"


def _fresh(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)


def content_hash(folder: Path) -> str:
    """A digest of every file's path and bytes: equal hashes mean the same submission."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def read_notebook(path: Path) -> dict:
    """The notebook as JSON, checked enough that the grader can use it; :class:`NotebookError` if not."""
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name}: the notebook is {size // 1024 // 1024} MB; at most "
                            f"{MAX_NOTEBOOK_BYTES // 1024 // 1024} MB is accepted (clear the outputs and resubmit)")
    try:
        notebook = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path.name}: the notebook is not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise NotebookError(f"{path.name}: the notebook is not valid JSON ({str(exc)[:120]}); "
                            "open it in Jupyter and save it again") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{path.name}: not a Jupyter notebook (expected a JSON object with a 'cells' list)")
    for number, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotebookError(f"{path.name}: cell {number} is not a notebook cell (expected a 'cell_type')")
        if not isinstance(cell_source(cell), str):
            raise NotebookError(f"{path.name}: cell {number} has a 'source' that is neither text nor a list of lines")
    return notebook


def code_cells(notebook: dict, source_tags: dict[str, frozenset[str]] | None = None) -> list[tuple[int, str]]:
    """The code cells the worker runs, as (index in the notebook, source); ``explore`` and ``check`` cells are left out.

    Tags of cells that exist in the source notebook (matched by cell id) are taken from the
    source, not from the submission: a student cannot make the grader run or skip them.
    """
    source_tags = source_tags or {}
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        cell_id = cell.get("id")
        tags = source_tags.get(cell_id) if isinstance(cell_id, str) and cell_id in source_tags else _tags(cell)
        if tags & SKIP_TAGS:
            continue
        cells.append((index, cell_source(cell)))
    return cells


def tags_by_cell_id(notebook: dict) -> dict[str, frozenset[str]]:
    return {cell["id"]: _tags(cell) for cell in notebook["cells"] if isinstance(cell.get("id"), str)}


def _tags(cell: dict) -> frozenset[str]:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return frozenset(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else frozenset()


def cell_source(cell: dict):
    """A notebook cell's source as one string (nbformat allows a list of lines); a malformed one as it is."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source
