"""Helpers shared by the hidden tests of 04_backprop (imported by the test modules; not a test module itself)."""
from __future__ import annotations

import contextlib

from autograder import checks
from autograder.sandbox.errors import StudentError


@contextlib.contextmanager
def no_overflow(student, what: str, hint: str):
    """Run the block with numpy in the student's worker raising on overflow, invalid operations and division by
    zero (not on underflow: exp(-1000) = 0 is what a stable formula relies on), as `np.errstate(all="raise")`
    does in the notebook's checks. A FloatingPointError becomes a failure that says so."""
    np_in_worker = student.np.value
    previous = np_in_worker.seterr(over="raise", invalid="raise", divide="raise")
    try:
        yield
    except StudentError as exc:
        if "FloatingPointError" in exc.type_names:
            checks.fail(f"{what}: numpy reported '{exc.message}' while computing it: the result may look right, "
                        "but an intermediate value overflowed.", hint)
        raise
    finally:
        with contextlib.suppress(Exception):  # a worker that died has no state to restore
            np_in_worker.seterr(**previous)
