"""The sample-class format: edits, solved cells and their errors (samples/<id>/class.yml)."""
import json

import pytest

from autograder.authoring import samples
from autograder.course.config import ConfigError
from autograder.grading.discover import cell_source


def _build(tmp_path, student_yaml: str) -> dict:
    (tmp_path / "class.yml").write_text("students:\n  eve:\n" + student_yaml)
    samples.build_class("04_backprop", "backprop.ipynb", tmp_path / "class", tmp_path)
    notebook = json.loads((tmp_path / "class" / "eve" / "backprop.ipynb").read_text())
    return {grade_id: cell_source(cell) for grade_id, cell in samples._cells_by_grade_id(notebook).items()}


def test_an_edit_changes_only_its_text(tmp_path):
    cells = _build(tmp_path, '    from: solution\n    edit:\n      affine_backward:\n'
                             '        - old: "dx = dout @ W.T"\n          new: "dx = dout @ W"\n    score: 0\n')
    assert "dx = dout @ W\n" in cells["affine_backward"] and "W.T" not in cells["affine_backward"]
    assert "db = dout.sum(axis=0)" in cells["affine_backward"]


def test_solve_takes_the_reference_cell_on_a_release(tmp_path):
    cells = _build(tmp_path, "    from: release\n    solve: [horner]\n    score: 0\n")
    assert "NotImplementedError" not in cells["horner"]
    assert "NotImplementedError" in cells["affine_backward"]


@pytest.mark.parametrize("old, found", [("this text is nowhere", "occurs 0 times"), ("dout", "times in the cell")])
def test_an_edit_must_match_exactly_once(tmp_path, old, found):
    with pytest.raises(ConfigError) as error:
        _build(tmp_path, f'    from: solution\n    edit:\n      affine_backward:\n        - old: "{old}"\n'
                         f'          new: "x"\n    score: 0\n')
    message = str(error.value)
    assert "class.yml: students.eve: edit.affine_backward:" in message and repr(old) in message
    assert found in message and "it must occur exactly once" in message


def test_an_edit_of_an_unknown_cell_names_it(tmp_path):
    with pytest.raises(ConfigError, match="students.eve: no cell with grade_id 'nope'"):
        _build(tmp_path, '    from: solution\n    edit:\n      nope:\n        - old: "a"\n          new: "b"\n'
                         '    score: 0\n')
