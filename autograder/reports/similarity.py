"""Which submissions of an assignment look copied from each other: winnowed fingerprints (MOSS) of the graded cells.

Submissions are found and read as ``grade`` finds them (folders, nbgrader's layout, zips); one that cannot be
read is listed as skipped, never the end of the run. Only the graded cells count: the code cells of the source
notebook that nbgrader marks ``solution``, found in a submission by ``grade_id`` (else by cell id). Each becomes
one symbol per Python token, every name ``V``, every number ``N``, every string ``S``, without comments, layout
or docstrings, so renaming variables, reformatting or changing constants hides nothing. Every run of ``K``
symbols is hashed and copydetect winnows the hashes (Schleimer, Wilkerson and Aiken 2003, the algorithm of
MOSS); a hash that also occurs in the release (signatures, docstrings, given code) is boilerplate and dropped.

A pair's similarity is the share of the smaller submission's fingerprints found anywhere in the other's graded
code: functions in another order, or moved to another cell, are found as well. The same share per graded cell
says which cells are most alike. It is evidence for a person to read, never a penalty (docs/instructor.md).
"""
from __future__ import annotations

import hashlib
import io
import itertools
import json
import keyword
import re
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from copydetect.utils import get_copied_slices, highlight_overlap, winnow
from rich.markup import escape as markup_escape
from rich.table import Table
from scipy import sparse

from autograder.course.layout import released_notebook, source_notebook
from autograder.grading.discover import NotebookError, Submission, discover, read_notebook
from autograder.reports.pages import BLUE, ORANGE, escape, figure, page, plot_axes, svg, table, write as write_page
from autograder.reports.terminal import console

K = 12                 # matches shorter than K tokens are noise (about one line of code)
WINDOW = 4             # a match of K + WINDOW - 1 tokens or more is always found
MIN_FINGERPRINTS = 20  # a submission with fewer counts as this many: a few lines alike prove nothing
THRESHOLD = 0.5        # pairs at or above it are flagged for a person to read
CELLS_LISTED = 3       # cells most alike per pair
PAIRS_LISTED = 200     # rows of the HTML table (similarity.json has every pair with code in common)
SIDE_BY_SIDE = 20      # flagged pairs shown side by side in the HTML report
LAYOUT = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER})
# one private-use character per keyword and operator, so that a string of symbols has one character per token
SYMBOLS = {word: chr(0xE000 + number)
           for number, word in enumerate(sorted({*keyword.kwlist, *tokenize.EXACT_TOKEN_TYPES}))}
STYLE = """
pre { margin: 0; white-space: pre-wrap; font-size: 0.8em; } mark { background: #ffd27a; }
table.code td { vertical-align: top; width: 45%; border: 1px solid #ddd; } .flag { color: #b00020; font-weight: 600; }
"""


@dataclass(frozen=True)
class Cell:
    """One graded cell of one submission: its code, where each token is, and its fingerprints."""
    grade_id: str
    source: str
    spans: tuple[tuple[int, int], ...]  # (start, end) in source of each symbol's token
    where: dict[int, list[int]]  # fingerprint -> the symbols where the K symbols it hashes start


@dataclass(frozen=True)
class Submitted:
    student: str
    cells: tuple[Cell, ...]  # the graded cells found, in the source notebook's order

    @property
    def fingerprints(self) -> set[int]:
        return set().union(*(cell.where for cell in self.cells))


@dataclass(frozen=True)
class Skipped:
    student: str
    problem: str


@dataclass(frozen=True)
class CellMatch:
    grade_id: str
    similarity: float  # the share of the smaller of the two cells' fingerprints found in the other
    shared: int  # fingerprints in common


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    similarity: float
    flagged: bool
    cells: tuple[CellMatch, ...]  # the cells with the most fingerprints in common, most first


@dataclass(frozen=True)
class Report:
    assignment: str
    threshold: float
    submitted: tuple[Submitted, ...]
    skipped: tuple[Skipped, ...]
    pairs: tuple[Pair, ...]  # every pair with code in common, most similar first


# ------------------------------------------------------------------ reading and fingerprints
def run(assignment_id: str, notebook_name: str, root: Path, threshold: float = THRESHOLD) -> Report:
    """Read every submission in ``root`` and compare each two."""
    graded = graded_cells(read_notebook(source_notebook(assignment_id, notebook_name)))
    given = given_code(read_notebook(released_notebook(assignment_id, notebook_name)))
    with tempfile.TemporaryDirectory(prefix="similarity-") as staging:
        read = [read_submission(s, graded, given) for s in discover(root, assignment_id, notebook_name, Path(staging))]
    submitted = [r for r in read if isinstance(r, Submitted)]
    return Report(assignment_id, threshold, tuple(submitted), tuple(r for r in read if isinstance(r, Skipped)),
                  compare(submitted, threshold))


def graded_cells(source: dict) -> dict[str, str | None]:
    """grade_id -> cell id of each code cell students solve (nbgrader ``solution``), in the notebook's order."""
    return {_nbgrader(cell)["grade_id"]: _text(cell.get("id")) for cell in source["cells"]
            if cell["cell_type"] == "code" and _nbgrader(cell).get("solution")
            and _text(_nbgrader(cell).get("grade_id"))}


def given_code(release: dict) -> frozenset[int]:
    """Every hash of K symbols in the release's code: signatures, docstrings and code the students were given.

    All of them, not the winnowed few: which hashes winnowing keeps depends on the code around them.
    """
    return frozenset(int(h) for cell in release["cells"] if cell["cell_type"] == "code"
                     for h in _kgrams(normalise(_source(cell))[0]))


def read_submission(submission: Submission, graded: dict[str, str | None],
                    given: frozenset[int]) -> Submitted | Skipped:
    if submission.problem:
        return Skipped(submission.student, submission.problem)
    try:
        notebook = read_notebook(submission.notebook)
    except (NotebookError, OSError) as exc:
        return Skipped(submission.student, str(exc))
    code = graded_code(notebook, graded)
    if not code:
        return Skipped(submission.student, f"{submission.notebook.name}: none of the {len(graded)} graded cells is "
                                           "in the notebook (by nbgrader grade_id or cell id)")
    return Submitted(submission.student, tuple(fingerprint(g, source, given) for g, source in code.items()))


def graded_code(notebook: dict, graded: dict[str, str | None]) -> dict[str, str]:
    """grade_id -> the submission's code for that graded cell: its cells with the grade_id, else with the cell id.

    Cells with the same grade_id (a student's copy of a cell) are joined; other cells are left out.
    """
    by_cell_id = {cell_id: grade_id for grade_id, cell_id in graded.items() if cell_id}
    found: dict[str, list[str]] = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        grade_id = _text(_nbgrader(cell).get("grade_id"))
        if grade_id not in graded:
            grade_id = by_cell_id.get(_text(cell.get("id")))
        if grade_id:
            found.setdefault(grade_id, []).append(_source(cell))
    return {grade_id: "\n".join(found[grade_id]) for grade_id in graded if grade_id in found}


def fingerprint(grade_id: str, source: str, given: frozenset[int]) -> Cell:
    """The cell's winnowed hashes, less those of given code.

    Given code is left out here, not by copydetect's ``boilerplate``: with a hash twice in a cell, its numpy
    intersection (``assume_unique``) drops hashes that are not boilerplate at all.
    """
    symbols, spans = normalise(source)
    hashes = _kgrams(symbols)
    where: dict[int, list[int]] = {}
    for at in winnow(hashes, WINDOW, remove_duplicates=False)[1].tolist():
        if int(hashes[at]) not in given:
            where.setdefault(int(hashes[at]), []).append(at)
    return Cell(grade_id, source, spans, where)


def _kgrams(symbols: str) -> np.ndarray:
    """A hash of each K symbols in a row, the same in every run (copydetect's own uses Python's salted hash())."""
    return np.array([int.from_bytes(hashlib.blake2b(symbols[at:at + K].encode(), digest_size=8).digest(), "little",
                                    signed=True) for at in range(len(symbols) - K + 1)], np.int64)


def normalise(source: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """One symbol per token of ``source``, and where each token is in it.

    Names other than keywords become ``V``, numbers ``N``, strings ``S``; comments, layout, and statements that
    are only a string (docstrings) leave nothing, and neither does what a formatter changes (see :func:`_kept`).
    """
    starts = [0, *(match.end() for match in re.finditer("\n", source))]
    symbols, spans = [], []
    for statement in _statements(source):
        if all(token.type == tokenize.STRING for token in statement):
            continue
        for token in _kept(statement):
            symbols.append(_symbol(token))
            spans.append((starts[token.start[0] - 1] + token.start[1], starts[token.end[0] - 1] + token.end[1]))
    return "".join(symbols), tuple(spans)


def _statements(source: str):
    """The tokens of each logical line, layout left out; code that stops being Python counts up to where it stops."""
    statement = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NEWLINE:
                yield statement
                statement = []
            elif token.type not in LAYOUT and token.string.strip():
                statement.append(token)
    except (tokenize.TokenError, SyntaxError):  # an unclosed bracket or string, a dedent to no block
        pass
    yield statement


def _kept(statement: list[tokenize.TokenInfo]) -> list[tokenize.TokenInfo]:
    """The statement without what black or ast.unparse add or remove: parentheses that only group (``return (a,
    b)``), a comma before a closing bracket, the second string of an implicit concatenation."""
    kept, grouping = [], []
    for token in statement:
        if token.string in (")", "]", "}") and kept and kept[-1].string == ",":
            kept.pop()
        if token.string == "(":
            before = kept[-1] if kept else None
            grouping.append(before is None or before.string not in (")", "]") and
                            (before.type not in (tokenize.NAME, tokenize.STRING) or keyword.iskeyword(before.string)))
            if grouping[-1]:
                continue
        elif token.string == ")" and grouping and grouping.pop():
            continue
        elif token.type == tokenize.STRING and kept and kept[-1].type == tokenize.STRING:
            continue
        kept.append(token)
    return kept


def _symbol(token: tokenize.TokenInfo) -> str:
    if token.type == tokenize.NAME:
        return SYMBOLS.get(token.string, "V")
    if token.type == tokenize.NUMBER:
        return "N"
    if token.type == tokenize.STRING:
        return "S"
    return SYMBOLS.get(token.string, token.string[:1])


def _nbgrader(cell: dict) -> dict:
    metadata = cell.get("metadata")
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


# ------------------------------------------------------------------ comparing
def compare(submitted: list[Submitted], threshold: float) -> tuple[Pair, ...]:
    """Every pair with fingerprints in common, most similar first, counted for all pairs at once."""
    whole = _shared([s.fingerprints for s in submitted])
    grade_ids = list(dict.fromkeys(cell.grade_id for s in submitted for cell in s.cells))
    per_cell = [_shared([next((set(c.where) for c in s.cells if c.grade_id == g), set()) for s in submitted])
                for g in grade_ids]
    a, b = np.triu_indices(len(submitted), k=1)
    common = whole[a, b] > 0
    a, b = a[common], b[common]
    similarity = whole[a, b] / np.maximum(np.minimum(whole.diagonal()[a], whole.diagonal()[b]), MIN_FINGERPRINTS)
    shared = np.array([cells[a, b] for cells in per_cell]).reshape(len(grade_ids), len(a))
    smaller = np.array([np.minimum(cells.diagonal()[a], cells.diagonal()[b]) for cells in per_cell])
    alike = shared / np.maximum(smaller.reshape(shared.shape), 1)
    most = np.argsort(-shared, axis=0, kind="stable")[:CELLS_LISTED]
    order = np.lexsort((b, a, -similarity))
    return tuple(Pair(submitted[a[p]].student, submitted[b[p]].student, float(similarity[p]),
                      bool(similarity[p] >= threshold),
                      tuple(CellMatch(grade_ids[c], float(alike[c, p]), int(shared[c, p]))
                            for c in most[:, p] if shared[c, p]))
                 for p in order)


def _shared(fingerprints: list[set[int]]) -> np.ndarray:
    """How many fingerprints each two of the sets have in common; the diagonal is each one's size."""
    rows = np.repeat(np.arange(len(fingerprints)), [len(f) for f in fingerprints])
    values, columns = np.unique(np.fromiter(itertools.chain.from_iterable(fingerprints), np.int64, len(rows)),
                                return_inverse=True)
    incidence = sparse.csr_matrix((np.ones(len(rows), np.int32), (rows, columns)),
                                  shape=(len(fingerprints), len(values)))
    return (incidence @ incidence.T).toarray()


# ------------------------------------------------------------------ output
def to_json(report: Report) -> dict:
    """similarity.json: ``submissions`` counts those compared, ``skipped`` the others; pairs with nothing in
    common are left out."""
    return {"assignment": report.assignment, "threshold": report.threshold, "submissions": len(report.submitted),
            "skipped": [{"student": s.student, "problem": s.problem} for s in report.skipped],
            "pairs": [{"a": p.a, "b": p.b, "similarity": round(p.similarity, 4), "flagged": p.flagged,
                       "cells": [{"grade_id": c.grade_id, "similarity": round(c.similarity, 4), "shared": c.shared}
                                 for c in p.cells]} for p in report.pairs]}


def write(report: Report, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "similarity.json").write_text(json.dumps(to_json(report)), encoding="utf-8")  # compact: pairs are many
    return [out / "similarity.json", write_page(out / "similarity.html", report_page(report))]


def show(report: Report, rows: int = 20) -> None:
    """The most similar pairs as a table in the terminal."""
    flagged = sum(p.flagged for p in report.pairs)
    ranked = Table(title=f"Similarity: {report.assignment} ({len(report.submitted)} submissions, {flagged} pairs at or "
                        f"above {report.threshold:g})", title_justify="left")
    for column, justify in (("student A", "left"), ("student B", "left"), ("similarity", "right"),
                            ("cells most alike", "left")):
        ranked.add_column(column, justify=justify)
    for p in report.pairs[:rows]:
        score = f"{p.similarity:.0%}"
        ranked.add_row(markup_escape(p.a), markup_escape(p.b), f"[bold red]{score}[/]" if p.flagged else score,
                       markup_escape(_cells(p)))
    console.print(ranked)
    if len(report.pairs) > rows:
        console.print(f"{len(report.pairs) - rows} more pairs with code in common are in similarity.json.")
    for s in report.skipped:
        console.print(f"skipped {s.student}: {s.problem}", style="yellow", markup=False, soft_wrap=True)


def report_page(report: Report) -> str:
    """The HTML report: a histogram of the pairs' similarity, the ranked pairs, and the flagged ones side by side."""
    title = f"Similarity of the submissions of {report.assignment}"
    n = len(report.submitted)
    flagged = [p for p in report.pairs if p.flagged]
    body = [f"<style>{STYLE}</style>", f"<h1>{escape(title)}</h1>",
            "<p class='muted'>Evidence for a person to read, never a penalty: short functions solved the way the "
            "reference does are alike by nature. Only the graded cells count, with the release's code left out.</p>",
            f"<p id='summary'>{n} submissions compared ({len(report.skipped)} skipped), {n * (n - 1) // 2} pairs, "
            f"{len(report.pairs)} with code in common, {len(flagged)} at or above the threshold "
            f"{report.threshold:.0%}.</p>",
            figure("histogram", "Similarity of every pair of submissions", _histogram(report)) if n > 1 else
            "<p>Fewer than two submissions could be read: there is nothing to compare.</p>",
            "<h2>Pairs, most similar first</h2>",
            table(["#", "student A", "student B", ("similarity", "n"), "cells most alike"],
                   [[str(rank), p.a, p.b, (f"{p.similarity:.0%}", "n flag" if p.flagged else "n"), _cells(p)]
                    for rank, p in enumerate(report.pairs[:PAIRS_LISTED], 1)], table_id="pairs")]
    if len(report.pairs) > PAIRS_LISTED:
        body.append(f"<p class='muted'>{len(report.pairs) - PAIRS_LISTED} more pairs are in similarity.json.</p>")
    if report.skipped:
        body += ["<h2>Skipped</h2>",
                 table(["student", "problem"], [[s.student, s.problem] for s in report.skipped], table_id="skipped")]
    body.append("<h2>Flagged pairs side by side</h2>")
    if not flagged:
        body.append("<p>No pair reaches the threshold.</p>")
    by_student = {s.student: s for s in report.submitted}
    body += [_side_by_side(rank, p, by_student[p.a], by_student[p.b])
             for rank, p in enumerate(flagged[:SIDE_BY_SIDE], 1)]
    if len(flagged) > SIDE_BY_SIDE:
        body.append(f"<p class='muted'>{len(flagged) - SIDE_BY_SIDE} more flagged pairs are not shown here.</p>")
    return page(title, body)


def _cells(pair: Pair) -> str:
    return ", ".join(f"{c.grade_id} {c.similarity:.0%}" for c in pair.cells)


def _histogram(report: Report) -> str:
    n = len(report.submitted)
    scores = [p.similarity for p in report.pairs] + [0.0] * (n * (n - 1) // 2 - len(report.pairs))
    drawing, axes = plot_axes(7, 2.4)
    axes.hist(scores, bins=20, range=(0, 1), color=BLUE, edgecolor="white", log=True)
    axes.axvline(report.threshold, color=ORANGE, linestyle="--")
    axes.set_xlabel(f"similarity (threshold {report.threshold:g}, dashed)")
    axes.set_ylabel("pairs")
    return svg(drawing)


def _side_by_side(rank: int, pair: Pair, a: Submitted, b: Submitted) -> str:
    """Each graded cell in which either has code found in the other's, that code marked on both sides."""
    in_a, in_b = a.fingerprints, b.fingerprints
    cells_a, cells_b = {c.grade_id: c for c in a.cells}, {c.grade_id: c for c in b.cells}
    rows = [f"<tr><th>{escape(grade_id)}</th><td><pre>{_marked(cells_a.get(grade_id), in_b)}</pre></td>"
            f"<td><pre>{_marked(cells_b.get(grade_id), in_a)}</pre></td></tr>"
            for grade_id in dict.fromkeys([*cells_a, *cells_b])
            if _found(cells_a.get(grade_id), in_b) or _found(cells_b.get(grade_id), in_a)]
    return (f"<section id='pair-{rank}'><h3>{rank}. {escape(pair.a)} and {escape(pair.b)}: {pair.similarity:.0%}</h3>"
            f"<table class='code'><thead><tr><th>cell</th><th>{escape(pair.a)}</th><th>{escape(pair.b)}</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def _found(cell: Cell | None, fingerprints: set[int]) -> list[int]:
    """The symbols of ``cell`` where a run of K symbols with one of ``fingerprints`` starts."""
    return [at for h in cell.where.keys() & fingerprints for at in cell.where[h]] if cell else []


def _marked(cell: Cell | None, fingerprints: set[int]) -> str:
    """The cell's code as HTML, the code of ``fingerprints`` inside <mark>."""
    starts = _found(cell, fingerprints)
    if not starts:
        return escape(cell.source) if cell else ""
    runs = [run for first, last in get_copied_slices(np.array(starts), K).T for run in _runs(cell, first, last)]
    return highlight_overlap(cell.source, np.array(runs).T, "<mark>", "</mark>", escape_html=True)[0]


def _runs(cell: Cell, first: int, last: int) -> list[list[int]]:
    """[start, end] in the source of the tokens of symbols first to last - 1, split where code that was left out
    (a docstring, a comment) lies between two of them."""
    runs = [list(cell.spans[first])]
    for start, end in cell.spans[first + 1:last]:
        if re.fullmatch(r"[\s(),]*", cell.source[runs[-1][1]:start]):
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return runs
