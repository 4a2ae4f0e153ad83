"""The sample class of an assignment: typical mistakes and hostile submissions, each with its exact score.

``samples/<id>/class.yml`` describes each student as a change to the reference solution or to the
student release (see docs/authoring.md); :func:`build_class` turns it into a folder of real
submissions that the grader grades like any class. Building from the current notebooks keeps the
samples in step with the assignment as it evolves.
"""
from __future__ import annotations

import copy
import json
import shutil
import zipfile
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, model_validator

from autograder.authoring.crafts import CRAFTS
from autograder.authoring.release import MARKERS
from autograder.course.config import ConfigError, StrictModel, validate_model
from autograder.course.layout import ROOT, SAMPLES, released_notebook, source_notebook
from autograder.grading.discover import cell_source


class Edit(StrictModel):
    old: str = Field(min_length=1)
    new: str


class SampleStudent(StrictModel):
    from_: Literal["solution", "release"] | None = Field(None, alias="from")
    replace: dict[str, str] = {}
    edit: dict[str, list[Edit]] = {}  # grade_id -> text replacements, each `old` found exactly once in that cell
    solve: list[str] = []  # grade_ids whose cells come from the reference solution (on a release base)
    append: str | None = None
    file: str | None = None
    format: Literal["ipynb", "zip"] = "ipynb"
    craft: str | None = None  # a function of crafts.py writes the submission (hostile files: bombs, links, ...)
    files: dict[str, str] = {}  # more files beside the notebook: name in the submission -> file in the samples folder
    large_files: dict[str, int] = {}  # name in the submission -> size in MB, of zero bytes (for size limits)
    score: float = Field(ge=0)
    mistake: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_base(self):
        if (self.from_ is None) == (self.file is None):
            raise ValueError("give exactly one of 'from' (solution or release) and 'file'")
        if self.craft is not None and (self.craft not in CRAFTS or self.file or self.format != "ipynb"):
            raise ValueError(f"craft must be one of {', '.join(CRAFTS)}, with 'from' and without 'format'")
        return self


class SampleClass(StrictModel):
    students: dict[str, SampleStudent] = Field(min_length=1)


def has_samples(assignment: str) -> bool:
    return (SAMPLES / assignment / "class.yml").is_file()


def load_class(assignment: str, folder: Path | None = None) -> dict[str, SampleStudent]:
    """The class described by ``folder``/class.yml (default: samples/<assignment>/)."""
    folder = folder or SAMPLES / assignment
    where = folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder
    path = folder / "class.yml"
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}/class.yml: is not valid YAML: {exc}"]) from None
    students = validate_model(SampleClass, data, f"{where}/class.yml").students
    for name, student in students.items():
        for snippet in [*student.replace.values(), student.append, student.file, *student.files.values()]:
            if snippet and not (folder / snippet).is_file():
                raise ConfigError([f"{where}/class.yml: students.{name}: the file {snippet!r} "
                                   f"does not exist in {where}/"])
    return students


def build_class(assignment: str, notebook_name: str, target: Path, folder: Path | None = None) -> dict[str, SampleStudent]:
    """Write each sample student's submission into ``target``; return the class."""
    folder = folder or SAMPLES / assignment
    students = load_class(assignment, folder)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    bases = {"solution": solution_notebook(source_notebook(assignment, notebook_name)),
             "release": json.loads(released_notebook(assignment, notebook_name).read_text())}
    solved = _cells_by_grade_id(bases["solution"])
    for name, student in students.items():
        own = target / name
        own.mkdir()
        if student.file:
            shutil.copyfile(folder / student.file, own / notebook_name)
        elif student.craft:
            _add_files(student, folder, own)
            CRAFTS[student.craft](_apply(copy.deepcopy(bases[student.from_]), name, student, folder, solved), own,
                                  target / f"{name}.zip", notebook_name)
            if not any(own.iterdir()):
                own.rmdir()
            continue
        else:
            notebook = _apply(copy.deepcopy(bases[student.from_]), name, student, folder, solved)
            (own / notebook_name).write_text(json.dumps(notebook, indent=1))
        _add_files(student, folder, own)
        if student.format == "zip":
            with zipfile.ZipFile(target / f"{name}.zip", "w") as archive:
                for path in own.rglob("*"):
                    archive.write(path, path.relative_to(own))
            shutil.rmtree(own)
    return students


def add_reference_files(assignment: str, target: Path) -> None:
    """What a complete submission carries beside the notebook (trained models): samples/<id>/reference/*."""
    folder = SAMPLES / assignment / "reference"
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file():
            shutil.copyfile(path, target / path.name)


def _add_files(student: SampleStudent, folder: Path, own: Path) -> None:
    for name, source in student.files.items():
        shutil.copyfile(folder / source, own / name)
    for name, megabytes in student.large_files.items():
        with open(own / name, "wb") as stream:
            stream.truncate(megabytes * 2 ** 20)


def solution_notebook(path: Path) -> dict:
    """The source notebook as a perfect student would submit it: solutions in place, markers gone."""
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        lines = cell_source(cell).splitlines(keepends=True)
        cell["source"] = "".join(line for line in lines if line.strip() not in MARKERS)
    return notebook


def _apply(notebook: dict, name: str, student: SampleStudent, folder: Path, solved: dict[str, dict]) -> dict:
    where = f"{folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}/class.yml: students.{name}"
    cells_by_id = _cells_by_grade_id(notebook)
    for grade_id in [*student.replace, *student.edit, *student.solve]:
        if grade_id not in cells_by_id:
            raise ConfigError([f"{where}: no cell with grade_id {grade_id!r}"])
    for grade_id in student.solve:
        cells_by_id[grade_id]["source"] = cell_source(solved[grade_id])
    for grade_id, snippet in student.replace.items():
        cells_by_id[grade_id]["source"] = (folder / snippet).read_text()
    for grade_id, edits in student.edit.items():
        source = cell_source(cells_by_id[grade_id])
        for edit in edits:
            if source.count(edit.old) != 1:
                raise ConfigError([f"{where}: edit.{grade_id}: the text {edit.old!r} occurs "
                                   f"{source.count(edit.old)} times in the cell; it must occur exactly once"])
            source = source.replace(edit.old, edit.new)
        cells_by_id[grade_id]["source"] = source
    if student.append:
        notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "sample-appended",
                                  "metadata": {}, "outputs": [], "source": (folder / student.append).read_text()})
    return notebook


def _cells_by_grade_id(notebook: dict) -> dict[str, dict]:
    return {cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"): cell for cell in notebook["cells"]}


