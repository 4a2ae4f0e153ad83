"""The Gradescope autograder of one assignment: ``python -m autograder gradescope <id>`` writes ``autograder.zip``.

Gradescope unpacks the zip into ``/autograder/source/``, runs its ``setup.sh`` once while building the image (as
root, with the network), then ``run_autograder`` for each submission, which grades ``/autograder/submission/`` and
writes ``/autograder/results/results.json`` (``integrations/gradescope.py``). The zip holds:

=================================  ===========================================================================
``setup.sh``, ``run_autograder``   from ``gradescope/`` in the kit
``requirements.txt``               what grading this assignment imports, pinned as in requirements.lock
``kit/autograder/``                the engine, all of it (it holds nothing private)
``kit/course.yml``                 this assignment's entry, without ``extensions`` (they name students)
``kit/solutions/<id>/tests/``,     the public tests and the hidden suite: the grader runs them; student code never
``kit/solutions/<id>/hidden/``     sees them (in the sandbox, or as a user who cannot read ``/autograder``)
``kit/assignments/<id>/<nb>``      the release: which cells grading skips (tags by cell id); never the solution
``kit/datasets/``                  the loader, checksums, licences, and each ``.npz`` the notebook and suites name
=================================  ===========================================================================

Nothing of another assignment, no reference solution, no samples: :func:`leaks` checks the folder before it is zipped.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import yaml

from autograder.authoring import classroom, release
from autograder.course.config import Assignment, Course
from autograder.course.layout import HIDDEN, PUBLIC_TESTS, RELEASES, ROOT, SAMPLES, SOLUTIONS, hidden_suite_dir

SKELETON = ROOT / "gradescope"
SCRIPTS = ("setup.sh", "run_autograder")
KIT = "kit"
# What grading loads: the command that run_autograder starts, the grader's pytest plugin, the Gradescope run.
GRADING_PROBE = ("import sys, autograder.cli, autograder.grading.plugin, autograder.integrations.gradescope; "
                 "print(*sys.modules)")
# Keras 3 runs on a backend it does not require: the kit's, TensorFlow (the worker's environment names none).
BACKENDS = {"keras": "tensorflow-cpu"}
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


class AutograderLeak(Exception):
    pass


def build(course: Course, assignment: Assignment, out: Path) -> Path:
    """Write the autograder zip of ``assignment`` to ``out``; refused (nothing written) if it would leak."""
    released = RELEASES / assignment.id / assignment.notebook
    if not released.is_file():
        raise FileNotFoundError(f"{released}: no release; run `python -m autograder release {assignment.id}` first")
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        folder = Path(tmp) / "autograder"
        assemble(course, assignment, folder)
        problems = leaks(folder, assignment)
        if problems:
            raise AutograderLeak("the autograder would give away what it must not:\n" + "\n".join(problems))
        out.parent.mkdir(parents=True, exist_ok=True)
        _zip(folder, out)
    return out


def assemble(course: Course, assignment: Assignment, folder: Path) -> None:
    """The zip's content, in ``folder`` (absent)."""
    kit = folder / KIT
    shutil.copytree(ROOT / "autograder", kit / "autograder", ignore=JUNK)
    for part in (PUBLIC_TESTS, HIDDEN):
        shutil.copytree(SOLUTIONS / assignment.id / part, kit / "solutions" / assignment.id / part, ignore=JUNK)
    (kit / "assignments" / assignment.id).mkdir(parents=True)
    shutil.copyfile(RELEASES / assignment.id / assignment.notebook, kit / "assignments" / assignment.id / assignment.notebook)
    (kit / "course.yml").write_text(classroom.course_yaml(course, assignment, "the autograder reads them"))
    named = _grading_sources(assignment)
    classroom.copy_datasets(named, kit / "datasets")
    (folder / "requirements.txt").write_text(
        f"# What grading {assignment.id} imports, pinned as in the course kit's requirements.lock (setup.sh installs it).\n"
        + "".join(f"{line}\n" for line in grading_requirements(assignment, named)))
    for script in SCRIPTS:
        shutil.copyfile(SKELETON / script, folder / script)
        os.chmod(folder / script, 0o755)


def grading_requirements(assignment: Assignment, named: list[tuple[str, str]]) -> list[str]:
    """Pinned ``name==version`` lines: what the engine loads to grade, and what the notebook and both suites import."""
    local = frozenset(path.stem for path in hidden_suite_dir(assignment.id).glob("*.py"))
    needed = classroom.engine_distributions(GRADING_PROBE) | classroom.imported_distributions(
        named, f"{assignment.id}'s release and suites", local)
    needed |= {backend for package, backend in BACKENDS.items() if package in needed}
    return classroom.pinned_requirements(needed, f"grading {assignment.id}")


def leaks(folder: Path, assignment: Assignment) -> list[str]:
    """What the autograder must not hold, each found in words: another assignment's files, a solution, samples."""
    kit = folder / KIT
    allowed = {kit / "solutions" / assignment.id / part for part in (PUBLIC_TESTS, HIDDEN)}
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    problems = [f"{path.relative_to(folder)}: only the public tests and the hidden suite of {assignment.id} may be "
                f"under solutions/" for path in files
                if path.is_relative_to(kit / "solutions") and not any(path.is_relative_to(a) for a in allowed)]
    problems += [f"{path.relative_to(folder)}: only the release of {assignment.id} may be in the autograder"
                 for path in files if path.suffix == ".ipynb"
                 and path != kit / "assignments" / assignment.id / assignment.notebook]
    private = _private_files(assignment)
    problems += [f"{path.relative_to(folder)} is a copy of {private[path.read_bytes()]}" for path in files
                 if path.read_bytes() in private]
    ids = yaml.safe_load((kit / "course.yml").read_text())["assignments"]
    if [entry["id"] for entry in ids] != [assignment.id]:
        problems.append(f"course.yml must hold {assignment.id} only")
    return problems + release.leaks(assignment.id, kit / "assignments" / assignment.id)


def _private_files(assignment: Assignment) -> dict[bytes, str]:
    """The content of every file the autograder must not carry: the reference solution, the other assignments'
    sources, suites and releases, and the sample classes (empty files left out)."""
    places = [SOLUTIONS / assignment.id / assignment.notebook, SAMPLES]
    places += [folder / other for folder in (SOLUTIONS, RELEASES) for other in _other_ids(assignment)]
    found = {}
    for place in places:
        for path in [place] if place.is_file() else sorted(place.rglob("*")) if place.is_dir() else []:
            if path.is_file() and path.stat().st_size and "__pycache__" not in path.parts:
                found.setdefault(path.read_bytes(), str(path.relative_to(ROOT)))
    return found


def _other_ids(assignment: Assignment) -> set[str]:
    return {path.name for folder in (SOLUTIONS, RELEASES) if folder.is_dir() for path in folder.iterdir()
            if path.is_dir()} - {assignment.id}


def _grading_sources(assignment: Assignment) -> list[tuple[str, str]]:
    """(name, Python source): the release's code cells and public tests, and the hidden suite's files."""
    named = list(classroom.sources(RELEASES / assignment.id, assignment.notebook))
    return named + [(str(path), path.read_text()) for path in sorted(hidden_suite_dir(assignment.id).glob("*.py"))]


def _zip(folder: Path, out: Path) -> None:
    """Deflated, each file with its mode (the scripts stay executable); written beside ``out``, then renamed."""
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    partial.replace(out)
