"""What a student reads about their work: per-student feedback files, and the `check` summary in Markdown.

A result (``results.json``) is turned into a :class:`Feedback`: the tests with what the student may
see of each. How much a test shows depends on its visibility (Gradescope's words, set per test at
grading time; the course's ``hidden_visibility`` is read again from course.yml when feedback is written,
so an instructor can change it without grading again):

- ``visible`` (public tests): name, points, the failure message and the hint.
- ``after_published``: the same; writing feedback for the students is what publishes it.
- ``after_due_date``: the same once the assignment's due date has passed; before that, as ``hidden``.
- ``hidden``: name, points and pass/fail only; no message, no hint.

Messages of hidden tests never hold expected values in the first place (``checks`` leaves them out).
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from autograder.course.config import Assignment, ConfigError
from autograder.grading.results import PASSED, SKIPPED, SubmissionResult, TestResult, read_result

ALL_PASS = ("All public tests pass. Well done! Remember that the hidden tests decide the grade: "
            "try your own edge cases too (empty input, extreme values, invalid arguments).")


@dataclass(frozen=True)
class TestView:
    """One test as the student sees it; ``message`` and ``hint`` are empty when its details are withheld."""
    __test__ = False

    name: str
    status: str  # passed | failed | skipped (a test that needs a GPU, on a CPU run: worth 0 of 0)
    score: float
    max_score: float
    details: bool
    message: str = ""
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def label(self) -> str:
        return {PASSED: "pass", SKIPPED: "not run"}.get(self.status, "FAIL")


@dataclass(frozen=True)
class Feedback:
    student: str
    assignment: str
    title: str
    score: float  # after any late penalty
    max_score: float
    notes: str  # the result's message to the student: lateness, cells that failed to load, tests not run
    tests: tuple[TestView, ...]

    @property
    def failing(self) -> tuple[TestView, ...]:
        return tuple(test for test in self.tests if test.status not in (PASSED, SKIPPED))

    @property
    def not_run(self) -> tuple[TestView, ...]:
        return tuple(test for test in self.tests if test.status == SKIPPED)

    @property
    def withheld(self) -> int:
        return sum(not test.details for test in self.failing)


def shows_details(visibility: str, due: datetime | None, now: datetime) -> bool:
    if visibility in ("visible", "after_published"):
        return True
    if visibility == "after_due_date":
        return due is not None and now >= due
    return False


def student_view(result: SubmissionResult, assignment: Assignment | None = None,
                 now: datetime | None = None) -> Feedback:
    """What ``result``'s student may see, with ``assignment``'s current ``hidden_visibility`` and due date."""
    now = now or datetime.now(timezone.utc)
    due = assignment.due if assignment else None
    tests = tuple(_test_view(test, _visibility(test, assignment), due, now) for test in result.tests)
    title = f"{result.assignment} ({assignment.title})" if assignment else result.assignment
    return Feedback(result.student, result.assignment, title, result.final_score, result.max_score, result.message,
                    tests)


def _visibility(test: TestResult, assignment: Assignment | None) -> str:
    if test.visibility == "visible" or assignment is None:
        return test.visibility
    return assignment.hidden_visibility


def _test_view(test: TestResult, visibility: str, due: datetime | None, now: datetime) -> TestView:
    details = shows_details(visibility, due, now)
    if test.status == SKIPPED:  # the reason is the kit's own words, never a test's
        return TestView(test.name, test.status, test.score, test.max_score, details, test.output.strip())
    shown = details and test.status != PASSED
    return TestView(test.name, test.status, test.score, test.max_score, details,
                    test.output.strip() if shown else "", test.hint if shown else "")


# ------------------------------------------------------------------ Markdown
def check_markdown(result: SubmissionResult) -> str:
    """The `check` result for a CI job summary: the table, points so far, and what to fix next."""
    view = student_view(result)
    lines = [f"## {view.assignment}: public tests", "",
             f"**Points so far: {view.score:g} / {view.max_score:g}** on the public tests.", ""]
    lines += _table(view.tests) + [""]
    if view.notes:
        lines += ["Notes:", "", *_fenced(view.notes), ""]
    if view.failing:
        nxt = view.failing[0]
        lines += [f"### Next to fix: `{nxt.name}`", "", *_fenced(nxt.message or "This test failed.")]
        if nxt.hint:
            lines += ["", f"**Hint:** {_inline(nxt.hint)}"]
        if len(view.failing) > 1:
            lines += ["", f"{len(view.failing) - 1} more public test(s) to fix after this one."]
    else:
        lines.append(ALL_PASS)
    return "\n".join(lines) + "\n"


def feedback_markdown(view: Feedback) -> str:
    lines = [f"# Feedback on {view.title}", "", f"Student: **{_inline(view.student)}**  ",
             f"Score: **{view.score:g} / {view.max_score:g}**", ""]
    if view.notes:
        lines += ["## Notes", "", *_fenced(view.notes), ""]
    lines += ["## Tests", ""] + _table(view.tests) + [""]
    detailed = [test for test in view.failing if test.details]
    if detailed:
        lines += ["## What to look at", ""]
        for test in detailed:
            lines += [f"### `{test.name}` ({test.score:g} / {test.max_score:g})", "", *_fenced(test.message)]
            if test.hint:
                lines += ["", f"**Hint:** {_inline(test.hint)}"]
            lines.append("")
    if view.withheld:
        lines += [withheld_message(view.withheld), ""]
    for test in view.not_run:
        lines += [f"Not run: `{test.name}`. {_inline(test.message)}", ""]
    if not view.failing:
        lines += ["Every test passes: well done.", ""]
    return "\n".join(lines)


def withheld_message(count: int) -> str:
    return (f"{count} failed test(s) are hidden tests whose details are not shown for this assignment; "
            "their names say what they exercise.")


def _table(tests: tuple[TestView, ...]) -> list[str]:
    rows = ["| test | result | points |", "| --- | --- | ---: |"]
    for t in tests:
        name = t.name.replace("|", "\\|")  # a parameter value may hold a pipe, which would end the cell
        label = f"**{t.label}**" if t.label == "FAIL" else t.label
        rows.append(f"| `{name}` | {label} | {t.score:g} / {t.max_score:g} |")
    return rows


def _fenced(text: str) -> list[str]:
    fence = "```"
    while fence in text:
        fence += "`"
    return [fence + "text", text, fence]


def _inline(text: str) -> str:
    """Text safe inside a Markdown paragraph: no raw HTML, no accidental emphasis or links."""
    escaped = html.escape(text, quote=False)
    for char in "\\`*_[]":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


# ------------------------------------------------------------------ the in-notebook check
MARKS = {"pass": ("✓", "color:#17702a"), "FAIL": ("✗", "color:#b00020;font-weight:bold")}
LEFT = "text-align:left;vertical-align:top;padding:.2em .6em"
NOWRAP = "white-space:nowrap"


def notebook_html(view: Feedback, scope: str) -> str:
    """The in-notebook check's table (``check(...)`` in Jupyter, JupyterLab, VS Code): each test with pass or FAIL,
    its points, and for a failure its message and hint. ``scope``: what was checked (a part, a test, or all)."""
    e = html.escape
    rows = []
    for test in view.tests:
        mark, style = MARKS.get(test.label, ("·", ""))
        details = f'<pre style="white-space:pre-wrap;margin:0">{e(test.message)}</pre>' if test.message else ""
        if test.hint:
            details += f'<div style="margin-top:.3em"><strong>Hint:</strong> {e(test.hint)}</div>'
        rows.append(f'<tr><td style="{LEFT}"><code>{e(_short(test.name))}</code></td>'
                    f'<td style="{LEFT};{NOWRAP};{style}">{mark} {e(test.label)}</td>'
                    f'<td style="{LEFT};{NOWRAP};text-align:right">{test.score:g} / {test.max_score:g}</td>'
                    f'<td style="{LEFT}">{details}</td></tr>')
    head = "".join(f'<th style="{LEFT}">{name}</th>' for name in ("test", "result", "points", "message and hint"))
    return (f'<div class="autograder-check"><p><strong>{e(_check_title(view, scope))}</strong></p>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p>{e(_check_points(view))}</p>'
            + (f'<p>{e(_check_closing(scope))}</p>' if not view.failing else "") + "</div>")


def notebook_text(view: Feedback, scope: str) -> str:
    """The same as plain text, where HTML is not shown (a terminal, a script)."""
    width = max([len(_short(t.name)) for t in view.tests] + [4])
    lines = [_check_title(view, scope)]
    for test in view.tests:
        lines.append(f"  {test.label:<7} {_short(test.name):<{width}}  {test.score:g}/{test.max_score:g}")
        lines += [f"          {line}" for line in test.message.splitlines()]
        if test.hint:
            lines.append(f"          Hint: {test.hint}")
    lines.append(_check_points(view))
    if not view.failing:
        lines.append(_check_closing(scope))
    return "\n".join(lines)


def _short(name: str) -> str:
    return name.split("::")[-1]


def _check_title(view: Feedback, scope: str) -> str:
    return f"{view.assignment}: public tests of {scope}" if scope else f"{view.assignment}: all public tests"


def _check_points(view: Feedback) -> str:
    return f"Points so far: {view.score:g} / {view.max_score:g} public points."


def _check_closing(scope: str) -> str:
    if not scope:
        return ALL_PASS
    return (f"All public tests of {scope} pass. The hidden tests try more cases: test your own edge cases too "
            "(empty input, extreme values, invalid arguments).")


# ------------------------------------------------------------------ HTML
HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Feedback on {{ view.title }}: {{ view.student }}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  table { border-collapse: collapse; } td, th { padding: .2rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
  td.points { text-align: right; } .pass { color: #17702a; } .fail { color: #b00020; font-weight: bold; }
  pre { background: #f6f6f6; padding: .6rem; white-space: pre-wrap; } .hint { background: #eef6ff; padding: .4rem .6rem; }
</style>
</head>
<body>
<h1>Feedback on {{ view.title }}</h1>
<p>Student: <strong>{{ view.student }}</strong><br>Score: <strong>{{ "%g"|format(view.score) }} / {{ "%g"|format(view.max_score) }}</strong></p>
{% if view.notes %}<h2>Notes</h2>
<pre>{{ view.notes }}</pre>{% endif %}
<h2>Tests</h2>
<table>
<tr><th>test</th><th>result</th><th>points</th></tr>
{% for t in view.tests %}<tr><td><code>{{ t.name }}</code></td>
<td class="{{ {'pass': 'pass', 'FAIL': 'fail'}.get(t.label, '') }}">{{ t.label }}</td>
<td class="points">{{ "%g"|format(t.score) }} / {{ "%g"|format(t.max_score) }}</td></tr>
{% endfor %}</table>
{% if detailed %}<h2>What to look at</h2>
{% for t in detailed %}<h3><code>{{ t.name }}</code> ({{ "%g"|format(t.score) }} / {{ "%g"|format(t.max_score) }})</h3>
<pre>{{ t.message }}</pre>
{% if t.hint %}<p class="hint"><strong>Hint:</strong> {{ t.hint }}</p>{% endif %}
{% endfor %}{% endif %}
{% if view.withheld %}<p>{{ withheld }}</p>{% endif %}
{% for t in view.not_run %}<p>Not run: <code>{{ t.name }}</code>. {{ t.message }}</p>
{% endfor %}{% if not view.failing %}<p>Every test passes: well done.</p>{% endif %}
</body>
</html>
"""


def feedback_html(view: Feedback) -> str:
    import jinja2  # only instructors write HTML feedback: the student's `check` does not need jinja2
    template = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(HTML_TEMPLATE)
    return template.render(view=view, detailed=[t for t in view.failing if t.details],
                           withheld=withheld_message(view.withheld))


# ------------------------------------------------------------------ files
def write_feedback(results_dir: Path, out_dir: Path, assignment: Assignment,
                   now: datetime | None = None) -> list[Path]:
    """``<student>.md`` and ``<student>.html`` in ``out_dir`` for each ``<student>/results.json`` in ``results_dir``."""
    paths = sorted(results_dir.glob("*/results.json"))
    if not paths:
        raise FileNotFoundError(f"{results_dir}: no <student>/results.json here; grade the assignment first "
                                f"(python -m autograder grade {assignment.id} SUBMISSIONS --out {results_dir})")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        try:
            result = read_result(path)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ConfigError([f"{path}: not a results.json written by the kit ({type(exc).__name__}: {exc})"]) from None
        if result.assignment != assignment.id:
            raise ConfigError([f"{path}: kit.assignment is {result.assignment!r}, expected {assignment.id!r}"])
        view = student_view(result, assignment, now)
        for suffix, text in ((".md", feedback_markdown(view)), (".html", feedback_html(view))):
            target = out_dir / f"{result.student}{suffix}"
            target.write_text(text)
            written.append(target)
    return written
