"""A student template repository for one assignment (GitHub Classroom), assembled from the kit.

What a student gets: the release (`assignments/<id>/`: notebook and public tests), the engine
(`autograder/`, all of it: it holds nothing private, and shipping it whole makes a student's `check`
exactly the grader's), the datasets the notebook or its public tests name, a
course.yml with only this assignment, the pinned requirements of the notebook and of `check`, and the
skeleton in `classroom/` (workflow, README, .gitignore) with the assignment filled in. Hidden suites,
solutions and sample classes never go in; :func:`leaks` proves it before the template is kept.
"""
from __future__ import annotations

import ast
import functools
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder.authoring import release
from autograder.course.config import Assignment, ConfigError, Course
from autograder.course.layout import DATASETS, RELEASES, ROOT, SOLUTIONS

SKELETON = ROOT / "classroom"
PRIVATE = ("solutions", "samples")
PRIVATE_SETTINGS = {"extensions"}  # course.yml keys a student template leaves out: extensions name students
# What `python -m autograder check` loads: the command line and the pytest plugin with everything they import.
CHECK_PROBE = "import sys, autograder.cli, autograder.grading.plugin; print(*sys.modules)"
KIT_MODULES = {"autograder", "datasets"}
DATASET_NAME = re.compile(r"""(\w+)\.npz\b|\bload\(\s*["'](\w+)["']""")
FREEZE_LEAVES_OUT = ("pip", "setuptools", "wheel")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


class TemplateLeak(Exception):
    pass


def assemble(course: Course, assignment: Assignment, target: Path) -> Path:
    """Write the template repository for ``assignment`` into ``target`` (absent or empty)."""
    released = RELEASES / assignment.id
    if not (released / assignment.notebook).is_file():
        raise FileNotFoundError(f"{released / assignment.notebook}: no release; run "
                                f"`python -m autograder release {assignment.id}` first")
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target}: not empty; choose another --out or remove it")
    shutil.copytree(released, target / "assignments" / assignment.id, ignore=JUNK, dirs_exist_ok=True)
    shutil.copytree(ROOT / "autograder", target / "autograder", ignore=JUNK)
    copy_datasets(sources(released, assignment.notebook), target / "datasets")
    _copy_skeleton(assignment, target)
    (target / "course.yml").write_text(course_yaml(course, assignment, "`check` reads them"))
    (target / "requirements.txt").write_text(
        "# Exactly what the notebook and `python -m autograder check` need, pinned as in the course kit.\n"
        + "".join(f"{line}\n" for line in student_requirements(released, assignment.notebook)))
    problems = leaks(target, assignment.id)
    if problems:
        shutil.rmtree(target)
        raise TemplateLeak("the template would give away private material:\n" + "\n".join(problems))
    return target


def leaks(template: Path, assignment: str) -> list[str]:
    """Hidden tests, solutions or samples in ``template``: each one found, in words."""
    problems = [f"{name}/ must not be in a student template" for name in PRIVATE if (template / name).exists()]
    hidden = {path.read_bytes() for path in SOLUTIONS.glob("*/hidden/*")} - {b""}
    problems += [f"{path.relative_to(template)} is a copy of a file of a hidden suite"
                 for path in sorted(template.rglob("*")) if path.is_file() and path.read_bytes() in hidden]
    problems += [f"{path.relative_to(template)}: only the released notebook may be in the template"
                 for path in sorted(template.rglob("*.ipynb")) if path.parent.name != assignment]
    return problems + release.leaks(assignment, template / "assignments" / assignment)


def student_requirements(released: Path, notebook: str) -> list[str]:
    """Pinned ``name==version`` lines: what `check` loads and what the notebook and public tests import,
    with everything those depend on, at the versions of requirements.lock."""
    imported = imported_distributions(sources(released, notebook), str(released))
    return pinned_requirements(engine_distributions(CHECK_PROBE) | imported, "the student template")


def pinned_requirements(roots: set[str], who: str) -> list[str]:
    """``name==version`` lines for the distributions ``roots`` and everything they depend on, as requirements.lock
    pins them (for Linux); ``who`` needs them (for the error when one is not pinned)."""
    pins = _venv_pins() | _lock_pins(ROOT / "requirements.lock")
    needed: set[str] = set()
    todo = [canonicalize_name(name) for name in roots]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        if name not in pins:
            raise ConfigError([f"requirements.lock: {name} is needed by {who} but not pinned"])
        needed.add(name)
        for spec in importlib.metadata.requires(pins[name][0]) or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return sorted(f"{pins[name][0]}=={pins[name][1]}" for name in needed)


def _venv_pins() -> dict[str, tuple[str, str]]:
    """pip, setuptools and wheel as installed here: `pip freeze` leaves them out of requirements.lock, and the kit's
    `python -m venv` brings them. A package that requires one (TensorFlow requires setuptools) gets this version."""
    pins = {}
    for name in FREEZE_LEAVES_OUT:
        try:
            pins[name] = (name, importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            pass
    return pins


def _lock_pins(lock: Path) -> dict[str, tuple[str, str]]:
    pins = {}
    for line in lock.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = (name.strip(), version.split(";")[0].strip())
    return pins


@functools.cache
def engine_distributions(probe: str) -> frozenset[str]:
    """The distributions the engine imports in ``probe`` (Python that prints ``sys.modules``), measured: what it
    loads beyond a bare interpreter (once per process: building several autograders measures it once)."""
    def loaded(code: str) -> set[str]:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        return {name.split(".")[0] for name in done.stdout.split()}
    modules = loaded(probe) - loaded("import sys; print(*sys.modules)")
    providers = importlib.metadata.packages_distributions()  # extension modules' helpers have none: skip them
    return frozenset(_distributions({m for m in modules if m in providers}, "the engine"))


def _distributions(modules: set[str], who: str) -> set[str]:
    providers = importlib.metadata.packages_distributions()
    modules = modules - set(sys.stdlib_module_names) - KIT_MODULES
    unknown = sorted(m for m in modules if m not in providers)
    if unknown:
        raise ConfigError([f"{who} imports {', '.join(unknown)}, which no installed package provides"])
    return {providers[module][0] for module in modules}


def imported_distributions(named_sources, who: str, local: frozenset[str] = frozenset()) -> set[str]:
    """The distributions that the (name, Python source) pairs of ``who`` import; ``local``: modules that are files
    beside them."""
    modules = set()
    for name, source in named_sources:
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise ConfigError([f"{name}: is not valid Python ({exc.msg}, line {exc.lineno})"]) from None
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    return _distributions(modules - local, who)


def sources(released: Path, notebook: str):
    """(name, Python source) of every code cell of the notebook (magics left out) and every public test."""
    cells = json.loads((released / notebook).read_text())["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
            yield f"{released / notebook} cell {index}", "\n".join(lines)
    for path in sorted(released.rglob("*.py")):
        yield str(path), path.read_text()


def copy_datasets(named_sources, target: Path) -> None:
    """The loader, checksums and licences, and each ``<name>.npz`` that the (name, Python source) pairs name."""
    source = DATASETS
    target.mkdir(parents=True)
    for name in ("__init__.py", "checksums.json", "README.md"):
        shutil.copyfile(source / name, target / name)
    text = "\n".join(code for _, code in named_sources)
    for match in DATASET_NAME.finditer(text):
        name = match.group(1) or match.group(2)
        if (source / f"{name}.npz").is_file():
            shutil.copyfile(source / f"{name}.npz", target / f"{name}.npz")


def _copy_skeleton(assignment: Assignment, target: Path) -> None:
    values = {"@ASSIGNMENT@": assignment.id, "@TITLE@": assignment.title, "@NOTEBOOK@": assignment.notebook,
              "@DUE@": assignment.due.isoformat()}
    for path in sorted(SKELETON.rglob("*")):
        if path.is_file():
            text = path.read_text()
            for key, value in values.items():
                text = text.replace(key, value)
            destination = target / path.relative_to(SKELETON)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(text)


def course_yaml(course: Course, assignment: Assignment, reader: str) -> str:
    """course.yml with this assignment only, without the settings that name students; ``reader``: who reads it."""
    entry = assignment.model_dump(mode="json", exclude=PRIVATE_SETTINGS, exclude_none=True)
    data = {"course": course.course.model_dump(mode="json"), "assignments": [entry]}
    return (f"# The settings of this assignment, from the course's course.yml; {reader}.\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
