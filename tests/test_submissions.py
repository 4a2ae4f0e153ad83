"""Finding submissions in every accepted layout, and refusing unsafe archives with a clear reason."""
import json
import os
import stat
import zipfile

import pytest

from autograder.grading.discover import NotebookError, code_cells, discover, read_notebook
from conftest import notebook, write_notebook

NB = "bayes.ipynb"


def make_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if isinstance(data, zipfile.ZipInfo):
                archive.writestr(data, "target")
            else:
                archive.writestr(name, data)
    return path


def test_every_layout_is_found(tmp_path):
    root = tmp_path / "in"
    write_notebook(root / "ana" / NB, notebook("x = 1"))
    write_notebook(root / "bo" / "01_bayes" / NB, notebook("x = 2"))  # nbgrader's submitted/ layout
    write_notebook(root / "cy.ipynb", notebook("x = 3"))
    make_zip(root / "di.zip", {f"di/{NB}": json.dumps(notebook("x = 4"))})
    write_notebook(root / "ed" / "my_work.ipynb", notebook("x = 5"))  # renamed, but the only notebook
    found = {s.student: s for s in discover(root, "01_bayes", NB, tmp_path / "staging")}
    assert sorted(found) == ["ana", "bo", "cy", "di", "ed"]
    assert all(s.problem is None for s in found.values())
    assert found["bo"].notebook == root / "bo" / "01_bayes" / NB
    assert found["ed"].notebook.name == "my_work.ipynb"
    for student, value in zip("ana bo cy di ed".split(), "12345"):
        cells = code_cells(read_notebook(found[student].notebook))
        assert cells[0] == (0, f"x = {value}")


def test_content_hash_changes_with_content(tmp_path):
    write_notebook(tmp_path / "in" / "a" / NB, notebook("x = 1"))
    write_notebook(tmp_path / "in" / "b" / NB, notebook("x = 1"))
    write_notebook(tmp_path / "in" / "c" / NB, notebook("x = 2"))
    hashes = {s.student: s.content_hash for s in discover(tmp_path / "in", "01_bayes", NB, tmp_path / "st")}
    assert hashes["a"] == hashes["b"] != hashes["c"]


def symlink_member(name):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize("members, reason", [
    ({"../evil.py": "x", NB: "{}"}, "unsafe path '../evil.py'"),
    ({"/etc/evil": "x"}, "unsafe path '/etc/evil'"),
    ({"link": symlink_member("link")}, "symbolic link 'link'"),
    ({"bomb.txt": "0" * (50 * 1024 * 1024)}, "looks like a zip bomb"),
])
def test_unsafe_zips_are_refused_with_a_reason(tmp_path, members, reason):
    root = tmp_path / "in"
    root.mkdir()
    make_zip(root / "mal.zip", members)
    [submission] = discover(root, "01_bayes", NB, tmp_path / "staging")
    assert submission.directory is None and reason in submission.problem
    assert not (tmp_path / "evil.py").exists()


def test_not_a_zip(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "kai.zip").write_bytes(b"PK\x03\x04 broken")
    [submission] = discover(tmp_path / "in", "01_bayes", NB, tmp_path / "staging")
    assert submission.problem.startswith("kai.zip: ")


def test_no_notebook_and_ambiguous_notebooks(tmp_path):
    (tmp_path / "in" / "lu").mkdir(parents=True)
    write_notebook(tmp_path / "in" / "mo" / "a.ipynb", notebook(""))
    write_notebook(tmp_path / "in" / "mo" / "b.ipynb", notebook(""))
    found = {s.student: s for s in discover(tmp_path / "in", "01_bayes", NB, tmp_path / "st")}
    assert found["lu"].problem == f"no notebook found: expected {NB} in the submission"
    assert "more than one other notebook" in found["mo"].problem and "a.ipynb, b.ipynb" in found["mo"].problem


def test_symlinked_submission_is_refused(tmp_path):
    write_notebook(tmp_path / "elsewhere" / NB, notebook(""))
    (tmp_path / "in").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "in" / "ned")
    [submission] = discover(tmp_path / "in", "01_bayes", NB, tmp_path / "st")
    assert "symbolic links are not accepted" in submission.problem


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
    (b'{"cells": "nope"}', "not a Jupyter notebook"),
    (b'{"cells": [{"cell_type": "code", "source": 5}]}', "cell 0 has a 'source'"),
])
def test_unreadable_notebooks_say_why(tmp_path, content, reason):
    path = tmp_path / NB
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=reason):
        read_notebook(path)


def test_skip_tags_come_from_the_source_notebook():
    student = notebook("a = 1", "plot()", "b = 2", tags={1: [], 2: ["explore"]})
    source_tags = {"c1": frozenset({"explore"})}  # the source says cell c1 explores; the student removed the tag
    cells = code_cells(student, source_tags)
    assert [index for index, _ in cells] == [0]  # c1 skipped per the source; c2 skipped per the student's own tag
