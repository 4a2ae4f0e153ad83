"""The similarity report: a copied notebook is found even renamed and reordered; stubs, given code and honest work
are not flagged; a broken notebook is skipped; similarity.json's schema; the HTML page in headless Chromium."""
import ast
import json
import re
import shutil
import zipfile

import pytest

from autograder.authoring import bench, samples
from autograder.course.config import load_course
from autograder.course.layout import ROOT
from autograder.reports import similarity
from conftest import run_cli
from test_instructor import dom

ASSIGNMENT = load_course().assignment("01_bayes")
STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"
KAI = {  # an honest student's own solutions of three cells, unlike the reference and ivy's
    "posterior": "    weights = [p * l for p, l in zip(prior, likelihood)]\n    total = sum(weights)\n"
                 "    if total == 0:\n        raise ValueError('impossible data')\n"
                 "    return np.array([w / total for w in weights])",
    "medical_test": "    ill = prevalence * sensitivity\n    healthy = (1 - prevalence) * false_positive_rate\n"
                    "    return ill / (ill + healthy)",
    "ml_estimate": "    n = heads + tails\n    if heads < 0 or tails < 0 or n == 0:\n"
                   "        raise ValueError(f'bad counts {heads}, {tails}')\n    return heads / n",
}


def graded(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"]
            if cell["cell_type"] == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution")]


def rename_locals(source: str) -> str:
    """The cell with every argument and local variable of its functions renamed (function names stay: the tests
    call them), rewritten by ast.unparse: comments gone, layout and quotes changed."""
    tree = ast.parse(source)
    for function in [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]:
        arguments = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
        local = {a.arg for a in arguments} | {node.id for node in ast.walk(function)
                                              if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
        new = {name: f"q{number}" for number, name in enumerate(sorted(local))}
        for node in ast.walk(function):
            if isinstance(node, ast.arg) and node.arg in new:
                node.arg = new[node.arg]
            elif isinstance(node, ast.Name) and node.id in new:
                node.id = new[node.id]
    return ast.unparse(tree)


def disguised(notebook: dict) -> dict:
    """A copy whose graded cells have their variables renamed and stand in reverse order."""
    cells = graded(notebook)
    places = [notebook["cells"].index(cell) for cell in cells]
    for place, cell in zip(places, reversed(cells)):
        notebook["cells"][place] = dict(cell, source=rename_locals("".join(cell["source"])))
    return notebook


def kai(release: dict) -> dict:
    for cell in graded(release):
        body = KAI.get(cell["metadata"]["nbgrader"]["grade_id"])
        if body:
            assert STUB in "".join(cell["source"])
            cell["source"] = "".join(cell["source"]).replace(STUB, body)
    return release


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A class through the real CLI: ben and zed (ben's notebook disguised, zipped), ivy and kai (honest, unlike
    each other), three untouched stubs (a folder, a loose notebook, nbgrader's layout) and tom's broken notebook."""
    tmp = tmp_path_factory.mktemp("similarity")
    samples.build_class(ASSIGNMENT.id, ASSIGNMENT.notebook, tmp / "samples")
    name = ASSIGNMENT.notebook
    (tmp / "class").mkdir()
    for student, sample in {"ben": "ben_forgets_evidence", "ivy": "ivy_partly_right", "jon": "jon_untouched",
                            "tom": "tom_not_json"}.items():
        shutil.copytree(tmp / "samples" / sample, tmp / "class" / student)
    shutil.copyfile(tmp / "samples" / "jon_untouched" / name, tmp / "class" / "joy.ipynb")
    (tmp / "class" / "jim" / ASSIGNMENT.id).mkdir(parents=True)
    shutil.copyfile(tmp / "samples" / "jon_untouched" / name, tmp / "class" / "jim" / ASSIGNMENT.id / name)
    (tmp / "class" / "kai").mkdir()
    release = json.loads((ROOT / "assignments" / ASSIGNMENT.id / name).read_text())
    (tmp / "class" / "kai" / name).write_text(json.dumps(kai(release)))
    with zipfile.ZipFile(tmp / "class" / "zed.zip", "w") as archive:
        archive.writestr(f"zed/{name}", json.dumps(disguised(json.loads((tmp / "class" / "ben" / name).read_text()))))
    done = run_cli("similarity", ASSIGNMENT.id, tmp / "class", "--out", tmp / "out", check_status=0)
    return tmp, done, json.loads((tmp / "out" / "similarity.json").read_text())


def test_the_disguise_changes_names_and_order(run):
    tmp, _, _ = run
    with zipfile.ZipFile(tmp / "class" / "zed.zip") as archive:
        zed = json.loads(archive.read(f"zed/{ASSIGNMENT.notebook}"))
    ben = json.loads((tmp / "class" / "ben" / ASSIGNMENT.notebook).read_text())
    order = [[c["metadata"]["nbgrader"]["grade_id"] for c in graded(nb)] for nb in (ben, zed)]
    assert order[1] == order[0][::-1]
    code = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in graded(zed)}
    assert "prior = np.asarray" not in code["posterior"] and "q1 = np.asarray(q1" in code["posterior"]


def test_the_copied_pair_ranks_first_and_its_cells_are_matched(run):
    _, done, report = run
    top = report["pairs"][0]
    assert {top["a"], top["b"]} == {"ben", "zed"} and top["flagged"]
    assert top["similarity"] > 0.95, top
    assert len(top["cells"]) == similarity.CELLS_LISTED and all(c["similarity"] > 0.95 for c in top["cells"])
    assert "ben" in done.stdout and "zed" in done.stdout


def test_stubs_given_code_and_honest_work_are_not_flagged(run):
    _, _, report = run
    assert [(p["a"], p["b"]) for p in report["pairs"] if p["flagged"]] == [("ben", "zed")]
    stubs = {"jon", "joy", "jim"}
    assert not [p for p in report["pairs"] if {p["a"], p["b"]} & stubs]  # nothing left once the release is removed
    honest = {frozenset((p["a"], p["b"])): p["similarity"] for p in report["pairs"]}
    assert honest.get(frozenset(("ivy", "kai")), 0) < 0.2 and honest.get(frozenset(("ben", "kai")), 0) < 0.2


def test_a_broken_notebook_is_reported_and_skipped(run):
    _, done, report = run
    assert report["submissions"] == 7
    [skipped] = report["skipped"]
    assert skipped["student"] == "tom" and "not valid JSON" in skipped["problem"]
    assert "skipped tom" in done.stdout


def test_similarity_json_schema(run):
    _, _, report = run
    assert list(report) == ["assignment", "threshold", "submissions", "skipped", "pairs"]
    assert (report["assignment"], report["threshold"]) == (ASSIGNMENT.id, similarity.THRESHOLD)
    scores = [p["similarity"] for p in report["pairs"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    for pair in report["pairs"]:
        assert list(pair) == ["a", "b", "similarity", "flagged", "cells"] and pair["a"] < pair["b"]
        assert pair["flagged"] == (pair["similarity"] >= report["threshold"])
        for cell in pair["cells"]:
            assert list(cell) == ["grade_id", "similarity", "shared"] and 0 < cell["similarity"] <= 1


def test_the_html_report_renders_in_a_browser(run):
    tmp, _, report = run
    page = dom(tmp / "out" / "similarity.html", tmp)
    pairs = page.split('<table id="pairs">')[1].split("</table>")[0]
    assert pairs.count("<tr>") == 1 + len(report["pairs"])
    assert "<td>ben</td><td>zed</td>" in pairs
    assert "<svg" in page.split('<figure id="histogram">')[1].split("</figure>")[0]
    side = page.split('<section id="pair-1">')[1].split("</section>")[0]
    assert side.count("<mark>") >= 10 and "q0 = np.asarray" in side.replace("<mark>", "").replace("</mark>", "")
    assert "src=" not in page and set(re.findall(r'href="(.)', page)) == {"#"}  # self-contained: no link outside it


def test_the_same_class_gives_the_same_report_in_every_process(run):
    tmp, _, report = run  # the CLI ran in another process, with another seed for Python's hash()
    again = similarity.to_json(similarity.run(ASSIGNMENT.id, ASSIGNMENT.notebook, tmp / "class"))
    assert again == report


def test_a_threshold_outside_0_to_1_is_refused(tmp_path):
    done = run_cli("similarity", ASSIGNMENT.id, tmp_path, "--threshold", "2")
    assert done.returncode == 2 and "--threshold" in done.stderr


def test_renaming_reformatting_and_constants_leave_the_symbols_unchanged():
    one = 'def f(a, b):\n    """Given."""\n    total = a * b + 1.5  # why\n    return total / "x"\n'
    other = "def g(p,\n      q):\n    s = p*q + 2\n\n    return s / 'y'"
    assert similarity.normalise(one)[0] == similarity.normalise(other)[0]
    symbols, spans = similarity.normalise(one)
    assert [one[start:end] for start, end in spans][:4] == ["def", "f", "(", "a"] and len(symbols) == len(spans)


def test_code_that_stops_being_python_counts_up_to_where_it_stops():
    symbols, _ = similarity.normalise("x = np.sum(a\ny = (")
    assert symbols.startswith(similarity.normalise("x = np.sum(a")[0][:5])


def test_code_moved_to_another_cell_is_found():
    solution = samples.solution_notebook(ROOT / "solutions" / ASSIGNMENT.id / ASSIGNMENT.notebook)
    [code] = [c["source"] for c in graded(solution) if c["metadata"]["nbgrader"]["grade_id"] == "blr_posterior"]
    here = similarity.Submitted("a", (similarity.fingerprint("blr_posterior", code, frozenset()),))
    there = similarity.Submitted("b", (similarity.fingerprint("ridge_regression", rename_locals(code), frozenset()),))
    [pair] = similarity.compare([here, there], 0.5)
    assert pair.similarity == 1 and pair.cells == ()  # alike overall, though no cell of one matches its namesake


def test_bench_times_a_synthetic_class(tmp_path):
    timing = bench.run_similarity(ASSIGNMENT, 12, tmp_path)
    assert (timing["submissions"], timing["pairs"]) == (12, 66) and timing["seconds"] > 0
    assert (tmp_path / "similarity" / ASSIGNMENT.id / "out" / "similarity.html").is_file()
