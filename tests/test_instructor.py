"""The instructor's day through the real CLI: grade sample notebooks late and on time, then status, report
(checked in headless Chromium), export for Canvas and Moodle, and releasing a solution."""
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta, timezone
from pathlib import Path

import pytest
import yaml
from matplotlib.image import imread

from autograder.authoring import samples
from autograder.reports import export
from autograder.course.config import ConfigError, load_course
from autograder.course.layout import ROOT
from autograder.reports.gradebook import Gradebook
from autograder.course.late import assess
from autograder.grading.results import SubmissionResult, TestResult
from autograder.sandbox.limits import bwrap_path
from conftest import read_results, run_cli

ASSIGNMENT = load_course().assignment("01_bayes")
DUE = ASSIGNMENT.due
# student -> when they handed in (None: no timestamp.txt; their notebook's time is set 3 days after the due date)
HANDED_IN = {
    "ada_correct": DUE - timedelta(hours=1),                  # on time
    "ben_forgets_evidence": DUE + timedelta(hours=20),        # 1 day late: -10%
    "cai_multiplies_likelihoods": DUE + timedelta(days=7),    # past max_days_late (5): zero
    "dora_swaps_beta": DUE + timedelta(hours=30),             # on time with her 48-hour extension
    "kim_syntax_error": None,                                 # no timestamp.txt: --late-by-mtime, 3 days late
}


def pass_rates(path: Path):
    with Gradebook(path) as gradebook:
        return gradebook.pass_rates(ASSIGNMENT.id)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed, so the HTML report cannot be checked in a browser: `make setup` "
                    "installs it (Debian/Ubuntu package 'chromium')")
    return path


def browse(page: Path, tmp: Path, *args: str) -> str:
    done = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp / 'profile'}",
                           *args, page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom(page: Path, tmp: Path) -> str:
    return browse(page, tmp, "--dump-dom")


def screenshot(page: Path, tmp: Path):
    png = tmp / f"{page.stem}.png"
    browse(page, tmp, f"--screenshot={png}", "--window-size=1200,1800")
    return imread(png)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Sample students of 01_bayes graded with the real CLI, each handed in at a known time."""
    if bwrap_path() is None:
        pytest.fail("bubblewrap is not installed: `make setup` installs it")
    tmp = tmp_path_factory.mktemp("instructor")
    expected = samples.build_class(ASSIGNMENT.id, ASSIGNMENT.notebook, tmp / "all")
    (tmp / "class").mkdir()
    for student, when in HANDED_IN.items():
        folder = tmp / "class" / student
        shutil.move(tmp / "all" / student, folder)
        if when is None:
            stamp = (DUE + timedelta(days=3)).timestamp()
            os.utime(folder / ASSIGNMENT.notebook, (stamp, stamp))
        else:  # nbgrader's format: "%Y-%m-%d %H:%M:%S.%f %Z" in UTC
            (folder / "timestamp.txt").write_text(when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    data = yaml.safe_load((ROOT / "course.yml").read_text())
    data["assignments"][0]["extensions"] = {"dora_swaps_beta": {"hours": 48}}
    (tmp / "course.yml").write_text(yaml.safe_dump(data))
    common = ["--course", tmp / "course.yml"]
    run_cli(*common, "grade", ASSIGNMENT.id, tmp / "class", "--out", tmp / "out", "--gradebook", tmp / "g.sqlite",
            "--jobs", "2", "--late-by-mtime", check_status=0)
    return tmp, common, {name: expected[name].score for name in HANDED_IN}


def test_late_penalties_in_results_json(course):
    tmp, _, raw = course
    results = {name: read_results(tmp / "out", name) for name in HANDED_IN}
    for name, result in results.items():
        assert result["kit"]["raw_score"] == raw[name], name
    late = {name: (r["kit"]["late"]["days_late"], r["kit"]["late"]["penalty"], r["score"]) for name, r in results.items()}
    assert late == {"ada_correct": (0, 0.0, raw["ada_correct"]),
                    "ben_forgets_evidence": (1, 0.1, pytest.approx(raw["ben_forgets_evidence"] * 0.9)),
                    "cai_multiplies_likelihoods": (7, 1.0, 0),
                    "dora_swaps_beta": (0, 0.0, raw["dora_swaps_beta"]),
                    "kim_syntax_error": (3, 0.3, pytest.approx(raw["kim_syntax_error"] * 0.7))}
    assert results["dora_swaps_beta"]["kit"]["late"]["extended"] is True
    assert results["kim_syntax_error"]["kit"]["late"]["source"] == "file modification time"
    assert results["ben_forgets_evidence"]["output"].startswith("Submitted 2026-09-22 19:59 +03:00 (from timestamp.txt)")
    assert f"1 day late, a late penalty of 10%: {raw['ben_forgets_evidence']:g}/100 becomes" in \
        results["ben_forgets_evidence"]["output"]
    assert "past the last day late work is accepted, so it scores 0" in results["cai_multiplies_likelihoods"]["output"]


def test_without_timestamp_or_flag_no_penalty_applies(tmp_path):
    folder = tmp_path / "class" / "tom"
    folder.mkdir(parents=True)
    (folder / ASSIGNMENT.notebook).write_text("not json")  # graded in no time: it never loads
    stamp = (DUE + timedelta(days=30)).timestamp()
    os.utime(folder / ASSIGNMENT.notebook, (stamp, stamp))
    run_cli("grade", ASSIGNMENT.id, tmp_path / "class", "--out", tmp_path / "out", "--gradebook", tmp_path / "g.sqlite",
            "--jobs", "1", check_status=0)
    assert read_results(tmp_path / "out", "tom")["kit"]["late"] is None


def test_status_counts_what_is_released_due_and_graded(course):
    tmp, common, _ = course

    def status(now: str) -> dict[str, list[str]]:
        done = subprocess.run([sys.executable, "-m", "autograder", *map(str, common), "status", "--now", now,
                               "--gradebook", str(tmp / "g.sqlite")], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "COLUMNS": "200"})  # one line per assignment
        assert done.returncode == 0, done.stderr
        return {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
                for line in done.stdout.splitlines() if line.startswith("│")}

    lines = status("2026-10-01T12:00:00+03:00")
    # late work closes 5 days and 15 minutes after the due date, counting dora's 48-hour extension
    assert lines["01_bayes"] == ["closed", "Sep 07", "Sep 21 23:59", "Sep 29 00:14", "5", "3",
                                 f"{sum(read_results(tmp / 'out', s)['score'] for s in HANDED_IN) / 5:.1f}/100"]
    assert lines["02_gradient_descent"][0] == "open" and lines["02_gradient_descent"][4] == "0"
    assert lines["03_perceptron"][0] == "not released"
    assert status("2026-09-23T12:00:00+03:00")["01_bayes"][0] == "late submissions only"


def test_status_rejects_a_time_without_zone():
    done = run_cli("status", "--now", "2026-10-01T12:00:00")
    assert done.returncode == 2 and "expected a date-time with a time zone" in done.stderr


def test_assignment_report_renders_in_a_browser(course):
    tmp, common, raw = course
    run_cli(*common, "report", ASSIGNMENT.id, "--gradebook", tmp / "g.sqlite", "--html", tmp / "a.html",
            "--now", "2026-10-01T12:00:00+03:00", check_status=0)
    page = dom(tmp / "a.html", tmp)
    students = page.split("<table id=\"students\">")[1].split("</table>")[0]
    assert students.count("<tr>") == 1 + len(HANDED_IN)
    assert "<td>ben_forgets_evidence</td>" in students and ">10%<" in students and ">7<" in students
    for figure in ("histogram", "pass-rates", "times"):
        svg = page.split(f"<figure id=\"{figure}\">")[1].split("</figure>")[0]
        assert "<svg" in svg and svg.count("<path") > 5, figure
    labels = re.findall(r">(test_\w+[^<]*)</text>", page.split("<figure id=\"pass-rates\">")[1].split("</figure>")[0])
    assert labels and labels == [name.split("::")[-1] for name, *_ in pass_rates(tmp / "g.sqlite")]  # hardest first
    image = screenshot(tmp / "a.html", tmp)
    not_white = (image[..., :3].min(axis=2) < 0.9).mean()
    assert 0.01 < not_white < 0.9, not_white


def test_course_report_renders_in_a_browser(course):
    tmp, common, _ = course
    run_cli(*common, "report", "--course-summary", "--gradebook", tmp / "g.sqlite", "--html", tmp / "c.html",
            "--now", "2026-10-01T12:00:00+03:00", check_status=0)
    page = dom(tmp / "c.html", tmp)
    assignments = page.split("<table id=\"assignments\">")[1].split("</table>")[0]
    assert assignments.count("<tr>") == 1 + len(load_course().assignments)
    assert "Bayesian inference (01_bayes)" in assignments and "not released" in assignments
    assert page.split("<table id=\"students\">")[1].split("</table>")[0].count("<tr>") == 1 + len(HANDED_IN)
    assert "<svg" in page.split("<figure id=\"spread\">")[1]
    image = screenshot(tmp / "c.html", tmp)
    assert (image[..., :3].min(axis=2) < 0.9).mean() > 0.01


def test_report_of_an_ungraded_assignment_says_so(course):
    tmp, common, _ = course
    run_cli(*common, "report", "02_gradient_descent", "--gradebook", tmp / "g.sqlite", "--html", tmp / "e.html",
            check_status=0)
    assert "No submission of this assignment has been graded yet." in (tmp / "e.html").read_text()


ROSTER = """student,name,email,sis_id,section
ada_correct,"Lovelace, Ada",ada@example.edu,S001,A
ben_forgets_evidence,Ben Brown,ben@example.edu,S002,B
zed_never_submitted,Zed Zhou,zed@example.edu,S099,A
"""


def test_canvas_export_with_roster(course):
    tmp, common, raw = course
    (tmp / "roster.csv").write_text(ROSTER)
    done = run_cli(*common, "export", "--format", "canvas", "--roster", tmp / "roster.csv", "--gradebook",
                   tmp / "g.sqlite", "--out", tmp / "canvas.csv", check_status=0)
    assert "3 graded students are not in" in done.stderr  # cai, dora and kim keep their kit ids
    rows = list(csv.reader(open(tmp / "canvas.csv", encoding="utf-8")))
    assert rows[0][:6] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Bayesian inference (01_bayes)"]
    assert rows[1][:6] == ["Points Possible", "", "", "", "", "100"]
    by_student = {row[0]: row for row in rows[2:]}
    assert by_student["Lovelace, Ada"][:6] == ["Lovelace, Ada", "", "S001", "", "A", f"{raw['ada_correct']:g}"]
    assert by_student["Ben Brown"][5] == f"{raw['ben_forgets_evidence'] * 0.9:g}"  # the grade after the penalty
    assert set(by_student["Zed Zhou"][5:]) == {""}
    assert by_student["cai_multiplies_likelihoods"][2] == "cai_multiplies_likelihoods"


def test_moodle_and_plain_exports(course):
    tmp, common, raw = course
    (tmp / "roster.csv").write_text(ROSTER)
    run_cli(*common, "export", "--format", "moodle", "--roster", tmp / "roster.csv", "--gradebook", tmp / "g.sqlite",
            "--out", tmp / "moodle.csv", check_status=0)
    rows = list(csv.reader(open(tmp / "moodle.csv", encoding="utf-8")))
    assert rows[0] == ["ID number", "Email address", "Full name", *[a.title for a in load_course().assignments]]
    later = [""] * (len(load_course().assignments) - 1)
    assert ["S001", "ada@example.edu", "Lovelace, Ada", f"{raw['ada_correct']:g}", *later] in rows
    run_cli(*common, "export", "--gradebook", tmp / "g.sqlite", "--csv", tmp / "plain.csv", check_status=0)
    plain = {row[0]: row for row in csv.reader(open(tmp / "plain.csv"))}
    assert plain["student"] == ["student", *[a.id for a in load_course().assignments], "total"]
    assert plain["cai_multiplies_likelihoods"][1] == "0" and plain["cai_multiplies_likelihoods"][-1] == "0"


@pytest.mark.parametrize("roster, message", [
    ("name,email\nAda,ada@x\n", "row 1: the header must name a 'student' column"),
    ("student,nickname\nada,A\n", "row 1: unknown columns ['nickname']"),
    ("student,email\nada,ada@x\nben\n", "row 3: expected 2 fields (student, email), got 1"),
    ("student,email\nada,ada@x\nada,ada2@x\n", "row 3: student 'ada' appears more than once"),
    ("student,email\nada smith,ada@x\n", "row 2: student: expected a student id"),
    ("student,email\nada,not-an-email\n", "row 2: email: expected an email address, got 'not-an-email'"),
])
def test_malformed_roster_is_a_clear_error(tmp_path, roster, message):
    (tmp_path / "roster.csv").write_text(roster)
    with pytest.raises(ConfigError) as error:
        export.load_roster(tmp_path / "roster.csv")
    [problem] = error.value.problems
    assert problem.startswith(f"{tmp_path / 'roster.csv'}: {message}"), problem


def test_export_stops_on_a_malformed_roster(tmp_path):
    (tmp_path / "roster.csv").write_text("student,email\nada,ada@x\nben\n")
    done = run_cli("export", "--format", "canvas", "--roster", tmp_path / "roster.csv", "--gradebook",
                   tmp_path / "g.sqlite", "--out", tmp_path / "x.csv")
    assert done.returncode == 2 and f"{tmp_path / 'roster.csv'}: row 3: expected 2 fields" in done.stderr
    assert not (tmp_path / "x.csv").exists()


def test_release_solution_waits_for_late_work_to_close(tmp_path):
    closes = "2026-09-27T00:14:00+03:00"  # due 21 Sep 23:59, 15 min grace, 5 days late
    early = run_cli("release-solution", "01_bayes", "--out", tmp_path, "--now", "2026-09-27T00:13:59+03:00")
    assert early.returncode == 2 and f"can be released from {closes}" in early.stderr and "--force" in early.stderr
    assert not (tmp_path / "bayes.ipynb").exists()
    run_cli("release-solution", "01_bayes", "--out", tmp_path, "--now", closes, check_status=0)
    written = json.loads((tmp_path / "bayes.ipynb").read_text())
    assert written["cells"] == [dict(c, outputs=[], execution_count=None) if c["cell_type"] == "code" else c for c in
                                samples.solution_notebook(ROOT / "solutions/01_bayes/bayes.ipynb")["cells"]]
    code = "".join(c["source"] for c in written["cells"] if c["cell_type"] == "code")
    assert "### BEGIN SOLUTION" not in code and "raise NotImplementedError()" not in code
    forced = run_cli("release-solution", "01_bayes", "--out", tmp_path / "f", "--now", "2026-09-01T00:00:00+03:00",
                     "--force")
    assert forced.returncode == 0 and (tmp_path / "f" / "bayes.ipynb").is_file()


def test_a_gradebook_from_before_late_penalties_gains_the_columns(tmp_path):
    old = sqlite3.connect(tmp_path / "g.sqlite")
    old.executescript("CREATE TABLE submissions (student TEXT NOT NULL, assignment TEXT NOT NULL, score REAL NOT NULL, "
                      "max_score REAL NOT NULL, status TEXT NOT NULL, execution_time REAL NOT NULL, content_hash TEXT "
                      "NOT NULL, suite_hash TEXT NOT NULL, device TEXT NOT NULL, graded_at TEXT NOT NULL, "
                      "PRIMARY KEY (student, assignment));"
                      "INSERT INTO submissions VALUES ('old', '01_bayes', 3, 4, 'graded', 1, 'h', 's', 'cpu', 'then');")
    old.close()
    late = assess(DUE + timedelta(days=1), DUE, 15, 0.25, 5, "timestamp.txt")
    with Gradebook(tmp_path / "g.sqlite") as gradebook:
        gradebook.record([SubmissionResult("new", "01_bayes", (TestResult("t", 4.0, 4.0, "passed"),), late=late)])
        rows = {row.student: (row.score, row.final_score, row.days_late, row.penalty) for row in gradebook.rows()}
    assert rows == {"old": (3, 3, 0, 0), "new": (4, 3, 1, 0.25)}
