"""The student release, generated from ``solutions/`` by nbgrader and checked for leaks.

``release`` first writes each autograded cell's points from its tests (points live on the tests; see
``course/cells.py``), then runs nbgrader's own ``generate_assignment`` (configured by ``nbgrader_config.py``),
so what nbgrader users know holds: solution blocks become stubs, hidden-test blocks vanish,
cells are locked and checksummed. The checks below make sure the release is in sync with its
source and carries neither solution code nor hidden tests.
"""
from __future__ import annotations

import filecmp
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.course.cells import cell_points, load_cell_map, with_cell_points
from autograder.course.layout import RELEASES, ROOT, SOLUTIONS, hidden_suite_dir, source_notebook
from autograder.grading.discover import cell_source
from autograder.grading.suite import hidden_suite, suite_tests

SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


class ReleaseError(Exception):
    pass


def write_cell_points(assignment: str, notebook: str) -> bool:
    """Set each autograded cell's points in the source notebook to its tests' sum; whether anything changed."""
    import nbformat  # nbgrader's own notebook format: the file is written as nbgrader writes it
    path = source_notebook(assignment, notebook)
    points = cell_points(load_cell_map(assignment), suite_tests(hidden_suite(assignment)))
    before = json.loads(path.read_text())
    after = with_cell_points(json.loads(path.read_text()), points)
    if after == before:
        return False
    nbformat.write(nbformat.from_dict(after), str(path))
    return True


def generate(assignment: str, release_root: Path = RELEASES) -> Path:
    """Run nbgrader generate_assignment for ``assignment`` into ``release_root/<assignment>``."""
    source = SOLUTIONS / assignment
    if not source.is_dir():
        raise ReleaseError(f"solutions/{assignment}/ does not exist: nothing to release")
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--no-db",
         f"--CourseDirectory.release_directory={release_root}", "--log-level=WARN"],
        cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise ReleaseError(f"nbgrader generate_assignment {assignment} failed:\n{result.stdout}{result.stderr}")
    return release_root / assignment


def out_of_sync(assignment: str) -> list[str]:
    """Files that differ between the committed release and a fresh one."""
    committed = RELEASES / assignment
    if not committed.is_dir():
        return [f"assignments/{assignment}/ is missing: run `python -m autograder release {assignment}`"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(assignment, Path(tmp))
        return [f"assignments/{assignment}/{name} {why}: run `python -m autograder release {assignment}`"
                for name, why in _differences(fresh, committed)]


def _differences(fresh: Path, committed: Path, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    comparison = filecmp.dircmp(fresh, committed, ignore=["__pycache__", ".ipynb_checkpoints"])
    found += [(prefix + name, "is missing") for name in comparison.left_only]
    found += [(prefix + name, "should not be there") for name in comparison.right_only]
    for name in comparison.common_files:
        if (fresh / name).read_bytes() != (committed / name).read_bytes():
            found.append((prefix + name, "is out of date"))
    for name in comparison.common_dirs:
        found += _differences(fresh / name, committed / name, f"{prefix}{name}/")
    return found


def leaks(assignment: str, release: Path | None = None) -> list[str]:
    """Solution code, solution markers or hidden tests found in the release (by default the committed one)."""
    release = release or RELEASES / assignment
    problems = []
    solution_lines = set()
    for notebook in (SOLUTIONS / assignment).glob("*.ipynb"):
        for cell in json.loads(notebook.read_text())["cells"]:
            for block in SOLUTION_BLOCK.findall(cell_source(cell)):
                solution_lines |= {line.strip() for line in block.splitlines() if _distinctive(line)}
    hidden = hidden_suite_dir(assignment)
    hidden_texts = {p.name: p.read_text() for p in hidden.glob("*.py")} if hidden.is_dir() else {}
    for path in sorted(release.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(release.parent.parent)
        text = path.read_text(errors="replace")
        for marker in MARKERS:
            if marker in text:
                problems.append(f"{name} contains the marker {marker!r}")
        if path.suffix == ".ipynb":
            released = {line.strip() for cell in json.loads(text)["cells"] for line in cell_source(cell).splitlines()}
            for line in sorted(solution_lines & released):
                problems.append(f"{name} contains a line of the reference solution: {line!r}")
        if path.suffix == ".py" and text in hidden_texts.values():
            problems.append(f"{name} is a copy of a hidden test file")
        if path.suffix == ".py" and path.parent.name == "tests" and "pytest.mark.visible" not in text:
            problems.append(f"{name}: every released test must be visible (add `pytestmark = pytest.mark.visible`)")
    return problems


def _distinctive(line: str) -> bool:
    """A solution line long and specific enough that finding it in the release means a leak."""
    stripped = line.strip()
    return len(stripped) >= 12 and not stripped.startswith("#") and stripped not in ("return result",)


