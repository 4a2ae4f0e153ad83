"""Calls that keep their arguments in the student's worker, for the clauses plain calls cannot see.

A plain call (``student.f(w, x)``) sends copies of its arguments: whatever the function does to them stays in the
worker, and an array it returns comes back as a copy too. Two promises of the notebook need more:

- "do not modify w in place" and "returns a NEW array": :func:`call_held` puts the array arguments of a batch of
  calls into object arrays in the worker (numpy sends object arrays as handles, not as data), calls the function
  through ``np.frompyfunc`` so that it receives those very arrays, then reads them back and asks numpy in the worker
  whether a returned array shares memory with the first argument. One batch costs about twenty round trips,
  whatever the number of calls in it.
- "rng may be a seed or a Generator (it passes through unchanged)" and "draw nothing else from gen":
  :func:`worker_generator` makes a ``np.random.Generator`` in the worker; passed as ``rng`` it is the generator the
  student's code draws from, and its next number afterwards tells exactly how much was drawn.

Everything goes through the notebook's own ``np`` (``import numpy as np`` in its first cell), and only public
numpy: ``fromiter``, ``frompyfunc``, ``shares_memory``, ``ndarray.tolist``, ``random.default_rng``.
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class Held:
    """One call of a batch: its results as plain data, its array arguments as they are after the call, and
    whether a returned array shares memory with the first argument (an alias of the caller's array)."""
    results: list
    after: list
    aliased: bool


def call_held(student, name, cases, nout=1):
    """``student.<name>(*args)`` for each tuple ``args`` of ``cases`` (positional arguments only; the same kinds of
    argument in every tuple), with the numpy array arguments held in the worker; one :class:`Held` per case.
    ``nout`` is how many values the function returns (2 for a tuple ``(w_new, flag)``): check the format with a
    plain call first, since ``np.frompyfunc`` rejects another shape of result with a message about itself."""
    npw = student.np.value
    columns = [list(column) for column in zip(*cases)]
    is_array = [isinstance(column[0], np.ndarray) for column in columns]
    held = [npw.fromiter(column, dtype="O", count=len(column)) if array else column
            for column, array in zip(columns, is_array)]
    outputs = npw.frompyfunc(getattr(student, name).value, len(columns), nout)(*held)
    outputs = list(outputs) if nout > 1 else [outputs]
    results = [output.tolist() for output in outputs]
    after = [h.tolist() for h, array in zip(held, is_array) if array]
    shares = npw.frompyfunc(npw.shares_memory, 2, 1)
    aliased = [shares(held[0], output).tolist() for output in outputs] if is_array[0] else []
    return [Held(results=[r[i] for r in results], after=[a[i] for a in after],
                 aliased=any(bool(a[i]) for a in aliased)) for i in range(len(cases))]


def worker_generator(student, seed):
    """A ``np.random.default_rng(seed)`` that lives in the student's worker (a handle the grader can pass as rng)."""
    return student.np.value.random.default_rng(seed)
