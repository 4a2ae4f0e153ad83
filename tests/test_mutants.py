"""Mutation testing (autograder/authoring/mutate.py, mutants.py): the operators on a small cell, stable ids, the
equivalents file, and a handful of mutants graded through the real sandbox with a one-file suite."""
import json

import pytest

from autograder.authoring import mutants, mutate, samples
from autograder.course.config import ConfigError, load_course
from autograder.grading.suite import Suite
from conftest import ROOT, run_cli

COLUMN_MEANS = '''import numpy as np


def column_means(x, weights, n):
    """Weighted means of the first n columns: 0 < n."""
    ### BEGIN SOLUTION
    total = 0.0
    for i in range(n):
        total += weights[i]
    if total <= 0 or n == 0:
        raise ValueError(f"weights must add up to more than {0}")
    means = np.sum(x[:, :n] * weights, axis=0) / total
    print("means", means)
    return np.round(means, 3)
    ### END SOLUTION
'''

CLIP_STEPS = '''def clip_steps(n, limit):
    """Count from 0 up to n, but never past limit."""
    ### BEGIN SOLUTION
    steps = 0
    while steps < n:
        steps += 1
    if steps > limit:
        steps = limit
    return steps
    ### END SOLUTION
'''
SUITE = ROOT / "tests" / "fixtures" / "mutants_suite.py"


def changes(cell: mutate.CellMutants) -> set[tuple[str, int, str]]:
    return {(m.operator, m.line, " ".join(m.after.split())) for m in cell.mutants}


# ---------------------------------------------------------------- generating
def test_each_operator_changes_one_spot_between_the_markers():
    cell = mutate.cell_mutants("column_means", COLUMN_MEANS)
    assert changes(cell) == {
        ("constant", 7, "total = 1.0"), ("drop", 7, "pass"),
        ("range", 8, "for i in range(n - 1):"), ("drop", 8, "pass"),
        ("arithmetic", 9, "total -= weights[i]"), ("assign", 9, "total = weights[i]"), ("drop", 9, "pass"),
        ("boundary", 10, "if total < 0 or n == 0:"), ("comparison", 10, "if total > 0 or n == 0:"),
        ("comparison", 10, "if total <= 0 or n != 0:"), ("logic", 10, "if total <= 0 and n == 0:"),
        ("constant", 10, "if total <= 1 or n == 0:"), ("constant", 10, "if total <= 0 or n == 1:"),
        ("drop", 10, "pass"),
        ("drop", 11, "pass"),  # the raise goes, its message is never touched
        ("arithmetic", 12, "means = np.sum(x[:, :n] / weights, axis=0) / total"),
        ("arithmetic", 12, "means = np.sum(x[:, :n] * weights, axis=0) * total"),
        ("axis", 12, "means = np.sum(x[:, :n] * weights, axis=1) / total"),
        ("axis", 12, "means = np.sum(x[:, :n] * weights) / total"),
        ("drop", 12, "pass"),
        # line 13, a print, is left alone
        ("return", 14, "return x"), ("swap", 14, "return np.round(3, means)"),
        ("constant", 14, "return np.round(means, 4)"),
    }
    reference = COLUMN_MEANS.replace("    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "")
    for mutant in cell.mutants:
        compile(mutant.source, "<mutant>", "exec")
        assert mutant.source != reference and mutant.before != mutant.after and "### " not in mutant.source
        assert mutant.source.startswith('import numpy as np\n\n\ndef column_means(x, weights, n):\n    """Weighted')
    block = next(m for m in cell.mutants if m.operator == "drop" and m.line == 10)
    assert block.diff == ('-    if total <= 0 or n == 0:\n-        raise ValueError(f"weights must add up to more '
                          'than {0}")\n+    pass')


def test_a_mutant_is_valid_python_and_parenthesised_where_needed():
    cell = mutate.cell_mutants("f", "def f(a, b, c):\n    ### BEGIN SOLUTION\n    return a - b * c\n"
                                    "    ### END SOLUTION\n")
    assert ("arithmetic", 3, "return a - b / c") in changes(cell)
    assert ("arithmetic", 3, "return a + b * c") in changes(cell)
    powers = mutate.cell_mutants("g", "def g(x):\n    ### BEGIN SOLUTION\n    return 2 * x ** 3\n"
                                      "    ### END SOLUTION\n")
    assert ("arithmetic", 3, "return 2 * (x * 3)") in changes(powers)  # `2 * x * 3` would be another tree


def test_ids_survive_edits_elsewhere_and_repeat_in_order():
    cell = mutate.cell_mutants("column_means", COLUMN_MEANS)
    assert [m.id for m in cell.mutants] == [m.id for m in mutate.cell_mutants("column_means", COLUMN_MEANS).mutants]
    assert len({m.id for m in cell.mutants}) == len(cell.mutants)
    assert all(m.id.startswith(f"column_means.{m.operator}.") for m in cell.mutants)
    edited = COLUMN_MEANS.replace('    """Weighted', '    # a comment\n    """Weighted').replace(
        "    total = 0.0\n", "    total = 0.0\n    unused = n * 2\n")
    after = {m.id: m for m in mutate.cell_mutants("column_means", edited).mutants}
    for mutant in cell.mutants:
        moved = after[mutant.id]  # the same change, found by the same id, a line or two further down
        assert (moved.operator, moved.after) == (mutant.operator, mutant.after)
        assert moved.line == mutant.line + (1 if mutant.line <= 7 else 2)
    twice = mutate.cell_mutants("h", "def h(x):\n    ### BEGIN SOLUTION\n    x = x + 1\n    x = x + 1\n"
                                     "    return x\n    ### END SOLUTION\n")
    firsts = [m.id for m in twice.mutants if m.operator == "arithmetic"]
    assert firsts[1] == firsts[0] + ".2"


def test_arguments_of_symmetric_functions_are_not_swapped():
    cell = mutate.cell_mutants("relu", "import numpy as np\n\ndef relu(x):\n    ### BEGIN SOLUTION\n"
                                       "    return np.maximum(x, 0.0) + max(x, 1) + np.power(x, 2)\n"
                                       "    ### END SOLUTION\n")
    assert {after for operator, _, after in changes(cell) if operator == "swap"} == {
        "return np.maximum(x, 0.0) + max(x, 1) + np.power(2, x)"}


def test_not_viable_and_the_limit_per_cell():
    cell = mutate.cell_mutants("k", "def k(v):\n    ### BEGIN SOLUTION\n    return -(-v)\n    ### END SOLUTION\n")
    assert changes(cell) == {("arithmetic", 3, "return -v"), ("return", 3, "return v")}
    assert cell.not_viable == 1  # the inner minus dropped gives `return -(v)`: the same mutant again
    column_means = mutate.cell_mutants("column_means", COLUMN_MEANS).mutants
    chosen = mutate.sample(column_means, 5)
    assert len(chosen) == 5 and chosen == mutate.sample(column_means, 5)
    assert [m for m in column_means if m in chosen] == list(chosen)  # in the cell's order
    others = tuple(m for m in column_means if m not in chosen)
    assert mutate.sample(chosen + others[:3], 5) == chosen  # a chosen mutant stays chosen when others go


def test_markers_must_pair_up():
    with pytest.raises(mutate.MutationError, match="'### END SOLUTION' out of turn"):
        mutate.cell_mutants("bad", "x = 1\n### END SOLUTION\n")
    with pytest.raises(mutate.MutationError, match="has no"):
        mutate.cell_mutants("bad", "### BEGIN SOLUTION\nx = 1\n")


# ---------------------------------------------------------------- the equivalents file
def test_the_equivalents_file_is_validated_with_the_entry_named(tmp_path):
    path = tmp_path / "equivalent.yml"
    assert mutants.load_equivalents(path) == {}
    path.write_text("# nothing yet\n")
    assert mutants.load_equivalents(path) == {}
    path.write_text("- id: posterior.boundary.1a2b3c4d\n  reason: the two agree at the boundary\n")
    assert mutants.load_equivalents(path) == {"posterior.boundary.1a2b3c4d": "the two agree at the boundary"}
    path.write_text("- id: a.drop.1\n  reason: harmless\n"
                    "- id: a.drop.2\n"
                    "- id: a.drop.1\n  reason: twice\n"
                    "- {id: a.drop.3, reason: fine, because: extra}\n")
    with pytest.raises(ConfigError) as caught:
        mutants.load_equivalents(path)
    assert [p.split(" (")[0] for p in caught.value.problems] == [f"{path}: [1]: reason: this key is required",
                                                                  f"{path}: [2]: a.drop.1 is listed twice",
                                                                  f"{path}: [3]: because: unknown key"]
    path.write_text("a.drop.1: harmless\n")
    with pytest.raises(ConfigError, match=r"expected a list of entries, each `- id: <mutant id>`"):
        mutants.load_equivalents(path)


# ---------------------------------------------------------------- grading, in the real sandbox
def test_mutants_are_graded_and_judged_in_the_sandbox(tmp_path):
    source = tmp_path / "clip.ipynb"
    source.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "c0", "execution_count": None, "outputs": [], "source": CLIP_STEPS,
         "metadata": {"nbgrader": {"grade_id": "clip_steps", "solution": True, "grade": False, "locked": False,
                                   "schema_version": 3}}}]}))
    cell = mutate.cell_mutants("clip_steps", CLIP_STEPS)
    generated = {(m.operator, " ".join(m.after.split())): m for m in cell.mutants}
    picked = {generated["constant", "steps = 1"]: mutants.SURVIVED,  # only n = 0 tells: no test asks
              generated["boundary", "while steps <= n:"]: mutants.KILLED,
              generated["arithmetic", "steps -= 1"]: mutants.TIMED_OUT,  # counts down for ever
              generated["boundary", "if steps >= limit:"]: mutants.EQUIVALENT,  # steps == limit either way
              generated["assign", "steps += limit"]: mutants.KILLED}
    equivalent = generated["boundary", "if steps >= limit:"].id
    found = load_course().assignment("01_bayes")
    assignment = found.model_copy(update={"notebook": "clip.ipynb", "limits": found.limits.model_copy(
        update={"call_seconds": 2, "submission_seconds": 30})})
    reference = samples.solution_notebook(source)
    suite = Suite("01_bayes", (SUITE,))

    results = mutants.grade_mutants(assignment, suite, reference, list(picked), tmp_path / "work")
    judged = {m: mutants.judge(m, results[m.id], m.id == equivalent) for m in picked}
    assert {m: g.outcome for m, g in judged.items()} == picked
    assert results[mutants.REFERENCE].score == 2

    killed = generated["boundary", "while steps <= n:"].id
    assert mutants.stale({equivalent: "agree", killed: "wrong", "clip_steps.drop.0badc0de": "gone",
                          "other_cell.drop.0badc0de": "not mutated this time"}, [cell], tuple(judged.values())) == (
        "equivalent.yml: clip_steps.drop.0badc0de matches no mutant any more: remove it",
        f"equivalent.yml: {killed} is listed as equivalent, but the suite kills it: remove it")
    report = mutants.Report("01_bayes", tuple(judged.values()), 0, 0, (), 1.0)
    assert report.score == 3 / 4
    survivor = generated["constant", "steps = 1"]
    assert mutants.problems(report) == [
        "01_bayes: the suite kills 75.0% of its mutants, less than 90%",
        f"01_bayes: mutant {survivor.id} survives (cell clip_steps, line 4): `steps = 0` -> `steps = 1`; kill it "
        f"with a test, or list it in solutions/01_bayes/hidden/equivalent.yml with a reason"]
    figures = mutants.to_json(report, 2, 40)
    assert (figures["mutants"], figures["killed"], figures["timed_out"], figures["survived"],
            figures["equivalent"]) == (5, 2, 1, 1, 1)
    assert figures["survivors"] == [{"id": survivor.id, "cell": "clip_steps", "line": 4, "operator": "constant",
                                     "diff": "-    steps = 0\n+    steps = 1"}]

    progress = []  # run again: only the mutant that timed out is graded again (it may have been the machine's doing)
    mutants.grade_mutants(assignment, suite, reference, list(picked), tmp_path / "work",
                          on_progress=lambda done, total: progress.append(total))
    assert set(progress) == {1}


def test_a_reference_without_full_marks_stops_the_run(tmp_path):
    source = CLIP_STEPS.replace("return steps", "return -1")
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "c0", "execution_count": None, "outputs": [], "source": source,
         "metadata": {"nbgrader": {"grade_id": "clip_steps", "solution": True}}}]}
    found = load_course().assignment("01_bayes")
    with pytest.raises(mutants.MutantsError, match="the reference solution scores 0/2 .failing: mutants_suite::"):
        mutants.grade_mutants(found.model_copy(update={"notebook": "clip.ipynb"}), Suite("01_bayes", (SUITE,)),
                              notebook, [], tmp_path / "work")


# ---------------------------------------------------------------- the command
def test_the_command_on_one_cell_of_a_real_assignment(tmp_path):
    out = tmp_path / "mutants.json"
    done = run_cli("mutants", "01_bayes", "--cells", "laplace_rule", "--max-per-cell", "3", "--jobs", "1",
                   "--work", tmp_path / "work", "--out", out)
    assert done.returncode in (0, 1), done.stderr  # 1: a survivor the suite's authors have yet to deal with
    figures = json.loads(out.read_text())["assignments"]["01_bayes"]
    assert figures["mutants"] == 3 and figures["cells"]["laplace_rule"]["mutants"] == 3
    assert figures["killed"] + figures["timed_out"] + figures["survived"] + figures["equivalent"] == 3
    assert "assignment  mutants  killed  timed out  survived  equivalent" in done.stdout

    wrong = run_cli("mutants", "01_bayes", "--cells", "no_such_cell", "--work", tmp_path / "work", "--out", out)
    assert wrong.returncode == 2 and "no solution cell no_such_cell" in wrong.stderr
    assert "laplace_rule" in wrong.stderr


def test_the_command_with_some_test_files_only_bounds_the_score_from_below(tmp_path):
    """--tests: a suite too slow to run whole on each mutant (05's training) is run in part; what its files kill is
    a subset of what the whole suite kills, and the report says which files graded."""
    whole, part = tmp_path / "whole.json", tmp_path / "part.json"
    for out, extra in ((whole, []), (part, ["--tests", "test_public"])):
        done = run_cli("mutants", "01_bayes", "--cells", "posterior", "--max-per-cell", "4", "--jobs", "1",
                       "--work", tmp_path / out.stem, "--out", out, *extra)
        assert done.returncode in (0, 1), done.stderr
    figures = {out.stem: json.loads(out.read_text())["assignments"]["01_bayes"] for out in (whole, part)}
    assert (figures["whole"]["tests"], figures["part"]["tests"]) == ("all", ["test_public"])
    assert figures["part"]["killed"] <= figures["whole"]["killed"] and figures["part"]["mutants"] == 4
    assert "graded with test_public only: the score is a bound from below" in done.stdout

    wrong = run_cli("mutants", "01_bayes", "--tests", "test_nothing", "--work", tmp_path / "w", "--out", part)
    assert wrong.returncode == 2 and "no test file test_nothing" in wrong.stderr and "test_coin" in wrong.stderr
