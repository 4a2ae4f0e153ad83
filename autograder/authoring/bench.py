"""``python -m autograder bench``: grade a synthetic class with the kit and with ``nbgrader autograde``, and time both.

The synthetic class of an assignment is built from its sample class (``samples/<id>/class.yml``), the
same way every time: student ``i`` is

- every 100th (i % 100 == 50): the reference solution with an endless loop appended (it hangs while
  loading and costs the assignment's ``cell_seconds``, as in course.yml);
- every 50th (i % 50 == 20): the reference solution with ``os._exit(1)`` appended (the worker dies while
  loading and is started again without that cell);
- every 50th (i % 50 == 40): a cell with a syntax error appended;
- anyone else: the next honest sample student in turn (correct, typical mistakes, unfinished, untouched).

The hostile samples (snooping, forging results, patching numpy) are left out: nbgrader runs notebooks
unconfined, and they are not what a class looks like. nbgrader grades the first ``--nbgrader`` students
of each assignment in a scratch course with nbgrader's stock autograde (which executes each notebook in
a Jupyter kernel, ``Execute.timeout`` = ``call_seconds``); the kit grades everyone, in the sandbox, and
those same N again on their own, so that the speed-up compares equal numbers of submissions, each side
with its own fixed start-up. "overhead" is the machine's CPU time less the students' own, per submission.
Pass/fail is compared per autograded nbgrader cell (``check-*``): nbgrader passes a cell when its
asserts run without error; the kit passes it when every test that ``cells.yml`` maps to it passes, counting
either the public tests alone (they repeat worked examples, as the check cells do) or all of them (the hidden
tests go further, so a cell nbgrader fails should fail in the kit too).

Otter-Grader is the second peer: ``otter run`` (its non-container grader, one process per submission, run one
after another as nbgrader does) grades the same N students, from the Python of its own virtualenv
(``build/otter-venv``, made by ``make otter`` from ``requirements-otter.lock``; without it the otter row is skipped
with a message). Each assignment is ported to Otter at bench time (:func:`port_to_otter`): every nbgrader check cell
becomes an exception-based Otter test file that runs the cell's code in the executed notebook's globals, and
``otter generate`` packs them into ``autograder.zip``; in each submission the check cells are emptied (Otter runs
them as its tests, once) and ``../../datasets/`` points at the kit's datasets. Otter passes a cell when its test
raises nothing: that is nbgrader's rule, so the two should agree cell for cell.
"""
from __future__ import annotations

import ast
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.authoring import samples
from autograder.course.cells import load_cell_map, matches
from autograder.course.config import Assignment, ConfigError, load_course
from autograder.course.layout import BUILD, DATASETS, ROOT, SOLUTIONS, source_notebook
from autograder.grading.discover import cell_source, unpack_zip
from autograder.grading.results import PASSED, read_result, write_json_atomically
from autograder.integrations.nbgrader_bridge import nbgrader_environment
from autograder.reports import similarity
from autograder.reports.terminal import console, progress_bar

WORK = BUILD / "bench"
SAME_N = "kit, same N"  # the kit on exactly the students nbgrader grades: a ratio with equal fixed start-up costs
HANG = "# bench: a loop that never ends\nwhile True:\n    pass\n"
EXIT = "# bench: the process ends itself\nimport os\nos._exit(1)\n"
SYNTAX = "# bench: a syntax error\ndef unfinished(:\n"
OTTER = "otter"
OTTER_VENV = BUILD / "otter-venv"  # `make otter`: otter-grader and the notebooks' libraries, from requirements-otter.lock


@dataclass(frozen=True)
class Timing:
    grader: str
    assignment: str
    submissions: int
    wall_s: float
    per_second: float
    p50_s: float
    p95_s: float
    cpu_s: float  # the machine's busy CPU time during the run (/proc/stat): run the bench on an otherwise idle machine
    peak_worker_rss_mb: float | None = None
    worker_cpu_s: float | None = None  # of which the students' processes: their cells and the calls of the tests
    overhead_ms: float | None = None  # (machine CPU - students' CPU) per submission: what grading itself costs
    cpu_ratio: float | None = None  # machine CPU / students' CPU; 1.0 is the physical floor


def synthetic_class(assignment: Assignment, students: int, target: Path, work: Path) -> dict[str, str]:
    """Write ``students`` submissions into ``target``; return each student's kind."""
    sample = work / "samples" / assignment.id
    roster = samples.build_class(assignment.id, assignment.notebook, sample)
    honest = [name for name, s in sorted(roster.items()) if not s.append and not s.file]
    solution = samples.solution_notebook(source_notebook(assignment.id, assignment.notebook))
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    kinds = {}
    for i in range(students):
        special = {50: ("hang", HANG)}.get(i % 100) or {20: ("exit", EXIT), 40: ("syntax", SYNTAX)}.get(i % 50)
        if special:
            kind, code = special
            notebook = copy.deepcopy(solution)
            notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": f"bench-{kind}",
                                      "metadata": {}, "outputs": [], "source": code})
            name = f"s{i:04d}_{kind}"
            (target / name).mkdir()
            (target / name / assignment.notebook).write_text(json.dumps(notebook))
        else:
            kind = honest[i % len(honest)]
            name = f"s{i:04d}_{kind}"
            source = sample / kind
            if source.is_dir():
                shutil.copytree(source, target / name)
            else:
                shutil.copyfile(sample / f"{kind}.zip", target / f"{name}.zip")
        kinds[name] = kind
    return kinds


def _subset(folder: Path, students: list[str], target: Path) -> Path:
    """A class of only these ``students`` of ``folder`` (each a folder or a zip)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for student in students:
        if (folder / student).is_dir():
            shutil.copytree(folder / student, target / student)
        else:
            shutil.copy2(folder / f"{student}.zip", target)
    return target


def run_kit(assignment: Assignment, folder: Path, out: Path, jobs: int, sandbox: bool, grader: str = "kit") -> Timing:
    if out.exists():
        shutil.rmtree(out)
    argv = [sys.executable, "-m", "autograder", "grade", assignment.id, str(folder), "--out", str(out),
            "--gradebook", str(out.parent / "gradebook.sqlite"), "--jobs", str(jobs), "--force", "--device", "cpu",
            *([] if sandbox else ["--no-sandbox"])]
    started, cpu = time.monotonic(), _busy_cpu()
    done = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL)
    wall, cpu = time.monotonic() - started, _busy_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` exited with status {done.returncode}")
    results = [read_result(p) for p in sorted(out.glob("*/results.json"))]
    peaks = _worker_figures(results, "peak_rss_mb")
    return _timing(grader, assignment.id, [r.execution_time for r in results], wall, cpu, max(peaks) if peaks else None,
                   worker_cpu=sum(_worker_figures(results, "cpu_s")))


def _worker_figures(results, key: str) -> list[float]:
    found = [r.extra.get("worker", {}).get(key) for r in results]
    return [f for f in found if isinstance(f, (int, float))]


def run_similarity(assignment: Assignment, students: int, work: Path) -> dict:
    """Time the similarity report (read, fingerprint, compare every pair, write the JSON and HTML) on a synthetic
    class: nearly every submission there is a copy of the reference or of a sample, the worst case."""
    folder = work / "similarity" / assignment.id
    synthetic_class(assignment, students, folder / "class", work)
    started = time.monotonic()
    report = similarity.run(assignment.id, assignment.notebook, folder / "class")
    similarity.write(report, folder / "out")
    seconds = time.monotonic() - started
    pairs = len(report.submitted) * (len(report.submitted) - 1) // 2
    return {"assignment": assignment.id, "submissions": len(report.submitted) + len(report.skipped), "pairs": pairs,
            "seconds": round(seconds, 2), "pairs_per_second": round(pairs / seconds)}


def run_nbgrader(assignment: Assignment, folder: Path, students: list[str], course_dir: Path) -> Timing:
    """nbgrader's stock autograde (it executes every notebook) of ``students`` in a scratch course."""
    if course_dir.exists():
        shutil.rmtree(course_dir)
    (course_dir / "source").mkdir(parents=True)
    shutil.copytree(SOLUTIONS / assignment.id, course_dir / "source" / assignment.id,
                    ignore=shutil.ignore_patterns("tests", "hidden", "__pycache__", ".ipynb_checkpoints"))
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course_dir)!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(course_dir / 'gradebook.db')!r}\n"
        f"c.Execute.timeout = {int(assignment.limits.call_seconds)}\n"
        "c.Execute.interrupt_on_timeout = True\nc.Execute.execute_retries = 0\n")
    (course_dir / "autograded").mkdir()
    (course_dir / "autograded" / "datasets").symlink_to(DATASETS)  # ../../datasets, as in the sandbox
    _nbgrader(course_dir, "db", "assignment", "add", assignment.id)
    with tempfile.TemporaryDirectory(prefix="bench-release-") as scratch:
        _nbgrader(course_dir, "generate_assignment", assignment.id, "--force",
                  f"--CourseDirectory.release_directory={scratch}")
    for student in students:  # autograde adds them to its database itself
        _unpack(folder, student, course_dir / "submitted" / student / assignment.id)
    started, cpu = time.monotonic(), _busy_cpu()
    with progress_bar(f"nbgrader autograde {assignment.id}") as update:
        running = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", assignment.id, "--force",
                                    "--log-level=ERROR"], cwd=course_dir, env=nbgrader_environment(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while running.poll() is None:  # nbgrader goes on past a notebook it cannot grade
            update(len(list((course_dir / "autograded").glob(f"*/{assignment.id}/{assignment.notebook}"))), len(students))
            time.sleep(0.5)
        update(len(students), len(students))
    wall, cpu = time.monotonic() - started, _busy_cpu() - cpu
    return _timing("nbgrader", assignment.id, [], wall, cpu, None, count=len(students))


def _unpack(folder: Path, student: str, target: Path) -> None:
    target.mkdir(parents=True)
    if (folder / student).is_dir():
        shutil.copytree(folder / student, target, dirs_exist_ok=True)
    else:
        unpack_zip(folder / f"{student}.zip", target)


def _nbgrader(course_dir: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=ERROR"], cwd=course_dir,
                          capture_output=True, text=True, env=nbgrader_environment(), stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}")


def nbgrader_cells(course_dir: Path, assignment: Assignment, students: list[str]) -> dict[str, dict[str, bool]]:
    """student -> autograded cell -> passed, from nbgrader's gradebook (students it could not grade are absent)."""
    from nbgrader.api import Gradebook, MissingEntry
    found = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                notebook = gradebook.find_submission_notebook(Path(assignment.notebook).stem, assignment.id, student)
            except MissingEntry:
                continue
            found[student] = {g.name: g.auto_score is not None and g.auto_score >= g.max_score for g in notebook.grades
                              if g.cell_type == "code" and g.auto_score is not None}
    return found


# ---------------------------------------------------------------- Otter-Grader
def otter_python(venv: Path = OTTER_VENV) -> Path | None:
    """The otter virtualenv's Python, where ``make otter`` finished installing it; else None."""
    python = venv / "bin" / "python"
    return python if python.exists() and (venv / ".installed").exists() else None


def check_cells(notebook: dict) -> list[dict]:
    """The autograded nbgrader cells of a notebook (code cells with ``grade: true``), in order."""
    return [c for c in notebook["cells"] if c["cell_type"] == "code"
            and (c.get("metadata", {}).get("nbgrader") or {}).get("grade") is True]


OTTER_TEST = """\
# Ported by the kit's bench from the nbgrader check cell {grade_id!r} of {notebook}.
from otter.test_files import test_case

OK_FORMAT = False
name = {grade_id!r}
points = {points!r}
SOURCE = {source!r}


@test_case(points={points!r}, hidden=False)
def check_cell(env):
    exec(compile(SOURCE, {grade_id!r}, "exec"), dict(env))  # the check cell, in (a copy of) the notebook's globals
"""


def port_to_otter(assignment: Assignment, target: Path, python: Path) -> Path:
    """An Otter autograder for ``assignment``: one exception-based test file per nbgrader check cell of its
    solution notebook, packed by ``otter generate``. Returns the path of ``autograder.zip``."""
    notebook = json.loads(source_notebook(assignment.id, assignment.notebook).read_text())
    if target.exists():
        shutil.rmtree(target)
    (target / "tests").mkdir(parents=True)
    for cell in check_cells(notebook):
        grade = cell["metadata"]["nbgrader"]
        (target / "tests" / f"{grade['grade_id']}.py").write_text(OTTER_TEST.format(
            grade_id=grade["grade_id"], notebook=assignment.notebook, points=float(grade.get("points", 1)),
            source=cell_source(cell)))
    done = subprocess.run([str(python), "-m", "otter", "generate", "--tests-dir", "tests", "--output-path",
                           "autograder.zip", "--no-config", "--no-requirements", "--no-environment"],
                          cwd=target, capture_output=True, text=True, env=_otter_environment(python),
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not (target / "autograder.zip").exists():
        raise RuntimeError(f"otter generate failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return target / "autograder.zip"


def port_submission(path: Path) -> None:
    """A kit submission as an Otter one: the check cells emptied (Otter runs them as its tests) and the kit's
    relative dataset paths pointed at the kit's datasets (Otter grades in a temporary folder of its own)."""
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        if (cell.get("metadata", {}).get("nbgrader") or {}).get("grade") is True:
            cell["source"] = "# graded by Otter: tests/" + cell["metadata"]["nbgrader"]["grade_id"] + ".py\n"
        else:
            cell["source"] = cell_source(cell).replace("../../datasets/", f"{DATASETS}/")
    path.write_text(json.dumps(notebook))


def missing_modules(assignment: Assignment, python: Path) -> list[str]:
    """Third-party modules the solution notebook imports that the otter virtualenv lacks (05's tensorflow)."""
    wanted = set()
    for cell in samples.solution_notebook(source_notebook(assignment.id, assignment.notebook))["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(cell_source(cell))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                wanted |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                wanted.add(node.module.split(".")[0])
    wanted -= set(sys.stdlib_module_names) | {"autograder"}
    if not wanted:
        return []
    done = subprocess.run([str(python), "-c", "import importlib.util, sys\n"
                           "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))",
                           *sorted(wanted)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return done.stdout.split()


def _otter_environment(python: Path) -> dict[str, str]:
    """The otter virtualenv's scripts first on PATH: the notebook's kernel is the `python` found there."""
    return {**os.environ, "PATH": str(python.parent) + os.pathsep + os.environ.get("PATH", "")}


def run_otter(assignment: Assignment, folder: Path, students: list[str], work: Path, python: Path) -> Timing:
    """``otter run`` (no container) of each of ``students``, one after another; results in ``work/results``."""
    autograder = port_to_otter(assignment, work / "autograder", python)
    submissions, results = work / "submissions", work / "results"
    for path in (submissions, results):
        if path.exists():
            shutil.rmtree(path)
    todo = []
    for student in students:
        _unpack(folder, student, submissions / student)
        notebook = submissions / student / assignment.notebook
        if notebook.exists():  # a submission without the notebook: Otter has nothing to grade (nbgrader neither)
            port_submission(notebook)
            todo.append((student, notebook))
    limit = assignment.limits.submission_seconds
    env, times = _otter_environment(python), []
    started, cpu = time.monotonic(), _busy_cpu()
    with progress_bar(f"otter run {assignment.id}") as update:
        for done, (student, notebook) in enumerate(todo):
            update(done, len(todo))
            (results / student).mkdir(parents=True)
            one = time.monotonic()
            try:  # a notebook that never ends would hang Otter (it sets no cell timeout): stop it as the kit would
                subprocess.run([str(python), "-m", "otter", "run", "--autograder", str(autograder), "--output-dir",
                                str(results / student), "--no-logo", str(notebook)], cwd=results / student, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=limit)
            except subprocess.TimeoutExpired:
                pass
            times.append(time.monotonic() - one)
        update(len(todo), len(todo))
    wall, cpu = time.monotonic() - started, _busy_cpu() - cpu
    return _timing(OTTER, assignment.id, times, wall, cpu, None, count=len(students))


def otter_cells(results: Path, students: list[str]) -> dict[str, dict[str, bool]]:
    """student -> check cell -> passed, from each ``otter run``'s results.json (students it could not grade are
    absent)."""
    found = {}
    for student in students:
        path = results / student / "results.json"
        if not path.exists():
            continue
        tests = json.loads(path.read_text()).get("tests", [])
        found[student] = {t["name"]: t.get("score", 0) >= t.get("max_score", 0) for t in tests
                          if t.get("name") and t.get("max_score")}
    return found


def kit_cells(out: Path, assignment: Assignment, students: list[str], public_only: bool = True) -> dict[str, dict[str, bool]]:
    """student -> autograded cell -> whether every (public) test mapped to it by cells.yml passed."""
    cell_map = load_cell_map(assignment.id)
    found = {}
    for student in students:
        result = read_result(out / student / "results.json")
        cells = {}
        for grade_id, patterns in cell_map.items():
            mapped = [t for t in result.tests if (t.name.startswith("test_public::") or not public_only)
                      and any(matches(p, t.name) for p in patterns)]
            if mapped:
                cells[grade_id] = all(t.status == PASSED for t in mapped)
        found[student] = cells
    return found


def compare(kit: dict[str, dict[str, bool]], nbgrader: dict[str, dict[str, bool]], label: str = "kit") -> dict:
    agree, differ, laxer = 0, [], 0
    for student, cells in sorted(nbgrader.items()):
        for grade_id, passed in sorted(cells.items()):
            if grade_id not in kit.get(student, {}):
                continue
            if kit[student][grade_id] == passed:
                agree += 1
            else:
                laxer += not passed  # nbgrader's check caught a mistake that this grader let pass
                differ.append(f"{student}/{grade_id}: nbgrader {'pass' if passed else 'fail'}, "
                              f"{label} {'pass' if kit[student][grade_id] else 'fail'}")
    return {"cells_compared": agree + len(differ), "agree": agree, "differ": differ,
            "nbgrader_fail_other_pass": laxer, "not_graded_by_nbgrader": sorted(set(kit) - set(nbgrader))}


def _busy_cpu() -> float:
    """CPU seconds the machine has spent busy (not idle or waiting on I/O) since it started. Not the grader's
    children's rusage: a worker killed with its sandbox is never waited for, and its time would be lost."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _timing(grader: str, assignment: str, times: list[float], wall: float, cpu: float, peak: float | None,
            count: int | None = None, worker_cpu: float | None = None) -> Timing:
    count = len(times) if count is None else count
    ordered = sorted(times)
    p50 = statistics.median(ordered) if ordered else wall / max(count, 1)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] if ordered else p50
    return Timing(grader, assignment, count, round(wall, 2), round(count / wall, 3) if wall else 0.0,
                  round(p50, 3), round(p95, 3), round(cpu, 1), peak, *_overhead(cpu, worker_cpu, count))


def _overhead(cpu: float, worker_cpu: float | None, count: int) -> tuple[float | None, float | None, float | None]:
    """(students' CPU s, overhead ms per submission, machine / students' CPU), where the students' CPU is known."""
    if worker_cpu is None:
        return None, None, None
    return (round(worker_cpu, 1), round(1000 * (cpu - worker_cpu) / max(count, 1), 1),
            round(cpu / worker_cpu, 2) if worker_cpu else None)


def bench(course_file: Path, students: int, nbgrader: int, jobs: int, sandbox: bool, only: list[str], out: Path,
          work: Path = WORK, log=print, similar: int = 0, otter: bool = True) -> dict:
    """Grade each assignment's synthetic class (and, with ``similar``, time the similarity report on that many
    synthetic submissions); the figures are written to ``out`` after each assignment. With ``otter``, Otter-Grader
    grades the same N as nbgrader, where the otter virtualenv exists (else a message says why it is skipped)."""
    course, work = load_course(course_file), work.resolve()  # nbgrader runs in a folder of its own
    chosen = [a for a in course.assignments if (not only or a.id in only) and samples.has_samples(a.id)]
    if not chosen:
        raise ConfigError([f"--assignments {' '.join(only)}: none of these is in {course_file} with a sample class "
                           "(samples/<id>/class.yml)"])
    rows, comparisons, similarities, skipped = [], {}, [], {}
    python = otter_python() if otter and nbgrader else None
    if otter and nbgrader and python is None:
        skipped["all"] = f"no otter virtualenv at {OTTER_VENV}: `make otter` makes it (`make bench` does)"
        log(f"otter: skipped, {skipped['all']}")
    for assignment in chosen:
        if similar:
            log(f"{assignment.id}: the similarity report of {similar} synthetic submissions")
            similarities.append(run_similarity(assignment, similar, work))
        folder = work / "class" / assignment.id
        kinds = synthetic_class(assignment, students, folder, work)
        log(f"{assignment.id}: {len(kinds)} synthetic submissions; grading with the kit")
        kit = run_kit(assignment, folder, work / "kit" / assignment.id, jobs, sandbox)
        rows.append(kit)
        if nbgrader:
            subset = sorted(kinds)[:nbgrader]
            log(f"{assignment.id}: the same {len(subset)} of them, graded by the kit alone and by nbgrader autograde")
            rows.append(run_kit(assignment, _subset(folder, subset, work / "subset" / assignment.id),
                                work / "kit-subset" / assignment.id, jobs, sandbox, grader=SAME_N))
            course_dir = work / "nbgrader" / assignment.id
            rows.append(run_nbgrader(assignment, folder, subset, course_dir))
            cells = nbgrader_cells(course_dir, assignment, subset)
            comparisons[assignment.id] = {
                "public_tests": compare(kit_cells(work / "kit" / assignment.id, assignment, subset), cells),
                "all_tests": compare(kit_cells(work / "kit" / assignment.id, assignment, subset, False), cells)}
            missing = missing_modules(assignment, python) if python else []
            if missing:
                skipped[assignment.id] = f"the otter virtualenv has no {', '.join(missing)}"
                log(f"{assignment.id}: otter skipped, {skipped[assignment.id]}")
            elif python:
                log(f"{assignment.id}: the same {len(subset)}, graded by otter run")
                rows.append(run_otter(assignment, folder, subset, work / "otter" / assignment.id, python))
                comparisons[assignment.id]["otter"] = compare(
                    otter_cells(work / "otter" / assignment.id / "results", subset), cells, label="otter")
        figures = _figures(students, nbgrader, jobs, sandbox, rows, comparisons) | {
            "similarity": similarities, "otter_skipped": skipped}
        write_json_atomically(out, figures)
    return figures


def _figures(students: int, nbgrader: int, jobs: int, sandbox: bool, rows: list[Timing], comparisons: dict) -> dict:
    figures = {"students_per_assignment": students, "nbgrader_subset": nbgrader, "jobs": jobs, "sandbox": sandbox,
               "cores": os.cpu_count(), "load_average": [round(x, 1) for x in os.getloadavg()],
               "rows": [asdict(r) for r in rows], "kit_total": _total(rows, "kit"),
               "kit_same_n_total": _total(rows, SAME_N), "nbgrader_total": _total(rows, "nbgrader"),
               "pass_fail": comparisons}
    kit_rate, nb_rate = figures["kit_same_n_total"]["per_second"], figures["nbgrader_total"]["per_second"]
    figures["speedup"] = round(kit_rate / nb_rate, 1) if nb_rate else None  # on the same N submissions
    # Otter may grade fewer assignments than nbgrader (05 needs tensorflow): compare with the kit on those alone.
    graded = {r.assignment for r in rows if r.grader == OTTER}
    figures["otter_total"] = _total(rows, OTTER)
    figures["kit_same_n_otter_total"] = _total([r for r in rows if r.assignment in graded], SAME_N)
    kit_rate, otter_rate = figures["kit_same_n_otter_total"]["per_second"], figures["otter_total"]["per_second"]
    figures["speedup_otter"] = round(kit_rate / otter_rate, 1) if otter_rate else None
    return figures


def _total(rows: list[Timing], grader: str) -> dict:
    mine = [r for r in rows if r.grader == grader]
    count, wall, cpu = sum(r.submissions for r in mine), sum(r.wall_s for r in mine), sum(r.cpu_s for r in mine)
    known = mine and all(r.worker_cpu_s is not None for r in mine)
    worker_cpu, overhead_ms, cpu_ratio = _overhead(cpu, sum(r.worker_cpu_s for r in mine) if known else None, count)
    return {"submissions": count, "wall_s": round(wall, 2), "per_second": round(count / wall, 3) if wall else 0.0,
            "cpu_s": round(cpu, 1), "worker_cpu_s": worker_cpu, "overhead_ms": overhead_ms, "cpu_ratio": cpu_ratio}


def _cpu_columns(row: dict) -> tuple[str, str, str]:
    if row.get("worker_cpu_s") is None:
        return "", "", ""
    ratio = f"{row['cpu_ratio']:.2f}x" if row.get("cpu_ratio") else ""
    return f"{row['worker_cpu_s']:.0f}", ratio, f"{row['overhead_ms']:.0f}"


def show(figures: dict) -> None:
    from rich.table import Table
    table = Table(title=f"bench: {figures['students_per_assignment']} students per assignment, "
                        f"--jobs {figures['jobs']}, sandbox {'on' if figures['sandbox'] else 'OFF'}", title_justify="left")
    for column in ("grader", "assignment", "submissions", "wall s", "subs/s", "p50 s", "p95 s", "cpu s",
                   "students' cpu s", "cpu / students'", "overhead ms/sub", "peak worker RSS"):
        table.add_column(column, justify="left" if column in ("grader", "assignment") else "right")
    for r in figures["rows"]:
        peak = f"{r['peak_worker_rss_mb']:.0f} MB" if r["peak_worker_rss_mb"] else ""
        table.add_row(r["grader"], r["assignment"], str(r["submissions"]), f"{r['wall_s']:.1f}",
                      f"{r['per_second']:.2f}", f"{r['p50_s']:.2f}", f"{r['p95_s']:.2f}", f"{r['cpu_s']:.0f}",
                      *_cpu_columns(r), peak)
    for grader, total in (("kit", figures["kit_total"]), (SAME_N, figures["kit_same_n_total"]),
                          ("nbgrader", figures["nbgrader_total"]), (OTTER, figures.get("otter_total") or {})):
        if not total:
            continue
        if total["submissions"]:
            table.add_row(grader, "all", str(total["submissions"]), f"{total['wall_s']:.1f}",
                          f"{total['per_second']:.2f}", "", "", f"{total['cpu_s']:.0f}", *_cpu_columns(total), "",
                          style="bold")
    console.print(table)
    if figures["speedup"]:
        console.print(f"kit / nbgrader on the same {figures['nbgrader_subset']} submissions of each assignment, "
                      f"submissions per second: [bold]{figures['speedup']}x[/]")
    if figures.get("speedup_otter"):
        console.print(f"kit / otter on the same {figures['nbgrader_subset']} submissions of each assignment otter "
                      f"grades, submissions per second: [bold]{figures['speedup_otter']}x[/]")
    for where, why in (figures.get("otter_skipped") or {}).items():
        console.print(f"otter skipped ({where}): {why}", markup=False)
    for timing in figures["similarity"]:
        console.print(f"similarity of {timing['assignment']}: {timing['submissions']} submissions, {timing['pairs']:,} "
                      f"pairs in {timing['seconds']:.1f} s ({timing['pairs_per_second']:,} pairs/s)")
    for assignment, comparisons in figures["pass_fail"].items():
        for tests, comparison in comparisons.items():
            what = "Otter's tests" if tests == OTTER else f"the kit's {tests.replace('_', ' ')} of each cell"
            console.print(f"{assignment}, nbgrader's check cells against {what}: "
                          f"{comparison['agree']} of {comparison['cells_compared']} agree; nbgrader fail, "
                          f"{'otter' if tests == OTTER else 'kit'} pass: {comparison['nbgrader_fail_other_pass']}"
                          + "".join(f"\n  differs: {d}" for d in comparison["differ"]), markup=False)
