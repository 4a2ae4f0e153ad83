"""The public tests in the notebook: ``check("posterior")`` and ``check_all()``.

The release's first code cell puts the course kit (two folders up, as for ``../../datasets``) on ``sys.path`` and
imports both. ``check(name)`` runs the public tests of one part (a function or class of the notebook, e.g.
``"posterior"``) or one public test (``"test_two_urns"``) on the notebook's code as it is now, and shows a table under
the cell: HTML in Jupyter, JupyterLab and VS Code, text elsewhere. ``check_all()`` runs every public test. The tests
and messages are those of ``python -m autograder check``; they run in the kernel itself (public tests are not secret;
see grading/live.py). Which tests belong to a part is read from the public test files (``tests/`` beside the
notebook), never from the hidden suite.

Importing this module is cheap (the first cell runs in every kernel, and in the grader, where it is not found):
pytest and the engine are imported at the first check.
"""
from __future__ import annotations

import html
import inspect
from pathlib import Path

PUBLIC_TESTS = "tests"  # beside the notebook, as released (assignments/<id>/tests/)


def check(name: str) -> None:
    """Run the public tests of one part of this notebook (the name of a function or class, e.g. ``"posterior"``) or
    one public test by its name, on your code as it is now, and show the results under the cell."""
    _show(*_check(inspect.currentframe().f_back.f_globals, name))


def check_all() -> None:
    """Run every public test of this notebook on your code as it is now, and show the results under the cell."""
    _show(*_check(inspect.currentframe().f_back.f_globals, None))


def _check(namespace: dict, name: str | None) -> tuple[str, str]:
    """(HTML, text) of the check: its table, or a message saying why no test ran."""
    from autograder.grading import live  # pytest and the engine: at the first check, never in the first cell
    from autograder.grading.results import SubmissionResult
    from autograder.reports.feedback import notebook_html, notebook_text, student_view
    folder = Path.cwd()
    files = sorted((folder / PUBLIC_TESTS).glob("test_*.py"))
    if not files:
        return _message(f"No public tests found in {folder / PUBLIC_TESTS}. Open this notebook from its folder in "
                        "the course kit (assignments/<assignment>/), where its tests/ folder is.")
    tests = {f"{path}::{test}": used for path in files for test, used in live.names_used(path).items()}
    chosen = list(tests) if name is None else [test for test, used in tests.items()
                                               if name in used or test.split("::")[-1] == name]
    if not chosen:
        return _message(_nothing_matches(name, tests, namespace))
    try:
        results = live.run_public_tests(chosen, namespace, folder)
    except live.TestsNotCollected as exc:
        return _message(f"The public tests could not be loaded:\n{exc}")
    view = student_view(SubmissionResult(student="you", assignment=folder.name, tests=results))
    return notebook_html(view, name or ""), notebook_text(view, name or "")


def _nothing_matches(name: str, tests: dict[str, frozenset[str]], namespace: dict) -> str:
    """Why ``check(name)`` ran nothing, and what it can be given instead."""
    parts = sorted({part for used in tests.values() for part in used if not inspect.ismodule(namespace.get(part))})
    if callable(namespace.get(name)):
        return (f"No public test checks {name}; the hidden tests will. Run the check cell after it, and try your own "
                f"examples. Parts with public tests: {', '.join(parts)}.")
    return (f"No part or public test is called {name!r}. Give the name of a function or class of this notebook "
            f"({', '.join(parts)}) or of a public test ({', '.join(t.split('::')[-1] for t in tests)}); "
            "check_all() runs them all.")


def _message(text: str) -> tuple[str, str]:
    return f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre>', text


def _show(html_text: str, plain: str) -> None:
    """HTML under the cell in Jupyter, JupyterLab and VS Code (with the text for front ends without HTML); text
    anywhere else."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({"text/html": html_text, "text/plain": plain}, raw=True)
    else:
        print(plain)
