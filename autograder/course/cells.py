"""Which tests score which autograded nbgrader cell: ``solutions/<id>/hidden/cells.yml``.

The map names tests by pattern (``*`` for any characters), so a new test named after the function it
tests lands in its cell without an edit. Points live on the tests only (``@pytest.mark.points``): a cell is
worth the sum of its tests' points, and ``release`` writes that into the source notebook's nbgrader
metadata, where nbgrader's own commands read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, TypeVar

import yaml

from autograder.course.config import ConfigError
from autograder.course.layout import ROOT, cell_map_file

CellMap = dict[str, tuple[str, ...]]  # grade_id -> test name patterns


class Test(Protocol):
    name: str
    max_score: float


T = TypeVar("T", bound=Test)


@dataclass(frozen=True)
class NotebookCell:
    grade_id: str
    points: float
    manual: bool  # graded by hand in formgrader (a solution cell with points)


def load_cell_map(assignment_id: str) -> CellMap:
    """grade_id -> test names or patterns, from ``cells.yml``; a :class:`ConfigError` if malformed."""
    path = cell_map_file(assignment_id)
    where = path.relative_to(ROOT)
    if not path.is_file():
        raise ConfigError([f"{where}: missing; it maps each test of the suite to an autograded nbgrader cell "
                           "(see docs/nbgrader.md)"])
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}: is not valid YAML: {exc}"]) from None
    if not isinstance(data, dict) or not data:
        raise ConfigError([f"{where}: expected a mapping of grade_id to a list of test names, got {type(data).__name__}"])
    bad = [f"{where}: {key}: expected a non-empty list of test names, got {value!r}" for key, value in data.items()
           if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value)]
    if bad:
        raise ConfigError(bad)
    return {str(key): tuple(value) for key, value in data.items()}


def matches(pattern: str, name: str) -> bool:
    """``*`` matches any characters; everything else literally (test names contain brackets)."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), name) is not None


def group(cell_map: CellMap, tests: list[T]) -> tuple[dict[str, list[T]], list[str]]:
    """``tests`` by the cell they score; and the problems: a test in no cell or two, a pattern that matches nothing."""
    grouped: dict[str, list[T]] = {grade_id: [] for grade_id in cell_map}
    problems = []
    for test in tests:
        owners = [grade_id for grade_id, patterns in cell_map.items() if any(matches(p, test.name) for p in patterns)]
        if not owners:
            problems.append(f"test {test.name} is in no cell")
        elif len(owners) > 1:
            problems.append(f"test {test.name} is in more than one cell ({', '.join(owners)})")
        else:
            grouped[owners[0]].append(test)
    for grade_id, patterns in cell_map.items():
        for pattern in patterns:
            if not any(matches(pattern, t.name) for t in tests):
                problems.append(f"{grade_id}: {pattern!r} matches no test of the suite")
    return grouped, problems


def cell_points(cell_map: CellMap, tests: list[Test]) -> dict[str, float]:
    """Each autograded cell's points: the sum of its tests' points."""
    grouped, _ = group(cell_map, tests)
    return {grade_id: sum(t.max_score for t in found) for grade_id, found in grouped.items()}


def notebook_cells(notebook: dict) -> dict[str, NotebookCell]:
    """The graded cells of an nbgrader notebook (autograded tests and manually graded answers), by grade_id."""
    cells = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            cells[meta["grade_id"]] = NotebookCell(meta["grade_id"], float(meta.get("points", 0)),
                                                   manual=bool(meta.get("solution")))
    return cells


def with_cell_points(notebook: dict, points: dict[str, float]) -> dict:
    """The notebook with each autograded cell's nbgrader points set from ``points`` (by grade_id)."""
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution") and meta.get("grade_id") in points:
            meta["points"] = float(points[meta["grade_id"]])
    return notebook


def cell_problems(cell_map: CellMap, cells: dict[str, NotebookCell], tests: list[Test], notebook_name: str,
                  assignment_id: str) -> list[str]:
    """Everything that would make nbgrader's gradebook disagree with the suite."""
    grouped, problems = group(cell_map, tests)
    autograded = {grade_id for grade_id, cell in cells.items() if not cell.manual}
    for grade_id in sorted(autograded - set(cell_map)):
        problems.append(f"{notebook_name}: the autograded cell {grade_id!r} has no tests in cells.yml (nbgrader would "
                        "score it by itself)")
    for grade_id, found in grouped.items():
        cell, points = cells.get(grade_id), sum(t.max_score for t in found)
        if cell is None or cell.manual:
            problems.append(f"{grade_id}: no locked, autograded cell with this grade_id in {notebook_name}")
        elif abs(cell.points - points) > 1e-9:
            problems.append(f"{grade_id}: the cell in {notebook_name} carries {cell.points:g} points, its tests add "
                            f"up to {points:g}: run `python -m autograder release {assignment_id}`, which writes "
                            f"each cell's points from its tests")
    return problems
