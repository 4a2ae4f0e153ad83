"""Hidden tests, assignment 3, part 4: perceptron_fit (epochs, seeded shuffling, mistakes per epoch, bias)."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perceptron03_data import draws_after, margin_data, reference_fit  # noqa: E402
from perceptron03_probe import worker_generator  # noqa: E402

XOR_X = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
XOR_Y = np.array([1.0, 1.0, -1.0, -1.0])


def separable(n, d, seed, gap=0.05):
    """n points in [-1, 1]^d labelled by a random hyperplane with an offset, none closer than `gap` to it."""
    X, y, _ = margin_data(d, n, gap, seed)
    return X, y


def _run(result, what="perceptron_fit(...)"):
    checks.true(isinstance(result, dict) and {"w", "mistakes", "converged"} <= set(result),
                f"{what} should return a dict with the keys 'w', 'mistakes' and 'converged'; "
                f"got {checks.summary(result)}.")
    return result


def _mistakes(result, what):
    return [int(m) for m in checks.numbers(result["mistakes"], what=what).ravel()]


@pytest.mark.points(2)
@pytest.mark.hint("Run one example by hand from w = 0: how many mistakes does epoch 1 have, and epoch 2?")
def test_fit_single_example(student):
    """Typical mistakes: counting mistakes after the update (reports [0]), or `< 0` (w stays 0).
    One example from w = 0: one mistake in epoch 1, a clean epoch 2."""
    run = _run(student.perceptron_fit(np.array([[0.5, -1.0]]), np.array([-1]), alpha=1.0, epochs=10, rng=0,
                                      shuffle=False))
    checks.equal(_mistakes(run, "mistakes per epoch"), [1, 0], what="mistakes per epoch for one example",
                 hint="from w = 0 the first example is always a mistake; count it when you update, "
                      "then a clean epoch ends training")
    checks.close(run["w"], [-0.5, 1.0, -1.0], what="the weights after one update (bias last)")
    checks.true(bool(run["converged"]), "one separable example: 'converged' should be True.")


@pytest.mark.points(3)
@pytest.mark.hint("Make one generator from the seed at the start, and draw a new order from it at the start of every "
                  "epoch; count a mistake at the moment you update.")
def test_fit_matches_seeded_shuffle(student):
    """Typical mistakes: not shuffling, shuffling with the global generator, counting mistakes after the update.
    The run is replayed exactly: gen = default_rng(rng) once, order gen.permutation(n) each epoch."""
    X, y = separable(60, 3, seed=40)
    want = reference_fit(X, y, alpha=0.5, epochs=100, rng=7)
    run = _run(student.perceptron_fit(X, y, alpha=0.5, epochs=100, rng=7))
    checks.equal(_mistakes(run, "mistakes per epoch"), want["mistakes"], what="mistakes per epoch (rng=7)",
                 hint="draw the order with gen.permutation(n) at the start of each epoch from "
                      "gen = np.random.default_rng(rng), and count a mistake when you update")
    checks.close(run["w"], want["w"], rtol=1e-9, what="final weights (rng=7)")


@pytest.mark.points(1)
def test_fit_same_seed_same_run(student):
    """Typical mistake: shuffling with NumPy's global generator, so the same seed gives different runs."""
    X, y = separable(60, 3, seed=41)
    first = _run(student.perceptron_fit(X, y, epochs=100, rng=11))
    second = _run(student.perceptron_fit(X, y, epochs=100, rng=11))
    checks.true(_mistakes(first, "mistakes") == _mistakes(second, "mistakes")
                and np.allclose(checks.numbers(first["w"], what="w"), checks.numbers(second["w"], what="w")),
                "two runs with the same rng seed gave different results.",
                hint="shuffle with gen = np.random.default_rng(rng), never with np.random.permutation/shuffle")


@pytest.mark.points(0.5)
@pytest.mark.hint("Two different seeds should give different runs: is your shuffling using the seed you are given?")
def test_fit_different_seeds_differ(student):
    """Typical mistake: not shuffling at all (every seed gives the same run)."""
    X, y = separable(25, 2, seed=42)
    a = _run(student.perceptron_fit(X, y, epochs=100, rng=1))
    b = _run(student.perceptron_fit(X, y, epochs=100, rng=2))
    checks.true(not np.allclose(checks.numbers(a["w"], what="w"), checks.numbers(b["w"], what="w")),
                "runs with rng=1 and rng=2 ended with the same weights: the examples do not seem to be shuffled.",
                hint="with shuffle=True, visit the examples in the order gen.permutation(n), new in every epoch")


@pytest.mark.points(2)
@pytest.mark.hint("With shuffle=False, visit the rows in the order they are given.")
def test_fit_given_order_without_shuffle(student):
    """Contract: shuffle=False visits the rows in their given order (as in the textbook traces)."""
    X, y = separable(20, 2, seed=43)
    want = reference_fit(X, y, alpha=1.0, epochs=100, shuffle=False)
    run = _run(student.perceptron_fit(X, y, alpha=1.0, epochs=100, rng=5, shuffle=False))
    checks.equal(_mistakes(run, "mistakes per epoch"), want["mistakes"], what="mistakes per epoch with shuffle=False")
    checks.close(run["w"], want["w"], rtol=1e-9, what="final weights with shuffle=False")


@pytest.mark.points(2)
@pytest.mark.hint("Stop after the first epoch without mistakes, and keep that epoch's count (0) in the record.")
def test_fit_stops_after_clean_epoch(student):
    """Contract: stop after the first epoch without mistakes; that epoch is recorded (its count is 0).
    (Given order, so that the number of epochs does not depend on the shuffling.)"""
    X, y = separable(40, 4, seed=44)
    want = reference_fit(X, y, epochs=500, shuffle=False)
    run = _run(student.perceptron_fit(X, y, epochs=500, rng=3, shuffle=False))
    mistakes = _mistakes(run, "mistakes per epoch")
    checks.true(len(mistakes) > 0 and mistakes[-1] == 0 and bool(run["converged"]),
                f"separable data: the run should end with a clean epoch and converged=True; "
                f"got mistakes {mistakes[-3:]} (last three) and converged={run['converged']!r}.")
    checks.equal(len(mistakes), len(want["mistakes"]), what="number of epochs run",
                 hint="stop right after the first epoch with no mistakes, and record that epoch")


@pytest.mark.points(2)
@pytest.mark.hint("Can a line through the origin separate these points? If not, what is your bias doing?")
def test_fit_learns_an_offset(student):
    """Typical mistake: forgetting the bias. These points lie in the positive quadrant and are split by
    x1 + x2 = 5; no line through the origin separates them."""
    g = np.random.default_rng(45)
    X = g.uniform(0, 4, size=(200, 2))
    X = X[np.abs(X.sum(axis=1) - 5) > 0.4][:40]
    y = np.where(X.sum(axis=1) > 5, 1, -1)
    run = _run(student.perceptron_fit(X, y, epochs=300, rng=0))
    w = checks.numbers(run["w"], what="perceptron_fit(...)['w']")
    checks.true(w.shape == (3,), f"perceptron_fit(...)['w'] for 2 features with bias=True should have shape (3,); "
                f"got shape {w.shape}.", hint="append the constant feature 1 and learn the bias as the last weight")
    margins = y * (X @ w[:2] + w[2])
    checks.true(np.all(margins > 0), f"after training, {int(np.sum(margins <= 0))} of 40 training points are "
                "still misclassified; this data set needs a bias.", hint="fold the bias in as a constant feature")


@pytest.mark.points(1)
@pytest.mark.hint("With bias=False there is no constant feature: the weight vector has one entry per feature.")
def test_fit_without_bias(student):
    """Contract: bias=False learns d weights on the raw features."""
    X, y = separable(50, 3, seed=46)
    y = np.where(X @ np.array([1.0, -2.0, 0.5]) > 0, 1, -1)
    want = reference_fit(X, y, epochs=100, rng=2, bias=False)
    run = _run(student.perceptron_fit(X, y, epochs=100, rng=2, bias=False))
    checks.close(run["w"], want["w"], rtol=1e-9, what="final weights with bias=False")


@pytest.mark.points(1)
def test_fit_alpha_only_rescales(student):
    """Textbook fact: from w = 0, alpha only rescales the weights; the mistakes are the same (given order)."""
    X, y = separable(30, 2, seed=47)
    one = _run(student.perceptron_fit(X, y, alpha=1.0, epochs=100, rng=4, shuffle=False))
    small = _run(student.perceptron_fit(X, y, alpha=0.01, epochs=100, rng=4, shuffle=False))
    checks.equal(_mistakes(small, "mistakes"), _mistakes(one, "mistakes"), what="mistakes per epoch with alpha=0.01",
                 hint="alpha should only scale the step")
    checks.close(small["w"], 0.01 * checks.numbers(one["w"], what="w"), rtol=1e-7,
                 what="weights with alpha=0.01 compared with 0.01 * (weights with alpha=1)")


@pytest.mark.points(1)
def test_fit_reports_no_convergence_on_xor(student):
    """Textbook: XOR is not separable; the run uses all its epochs and reports converged=False."""
    run = _run(student.perceptron_fit(XOR_X, XOR_Y, epochs=6, rng=0))
    mistakes = _mistakes(run, "mistakes per epoch")
    checks.true(len(mistakes) == 6 and min(mistakes) > 0 and not bool(run["converged"]),
                f"on XOR every epoch has mistakes, so all 6 epochs should run and converged should be False; "
                f"got mistakes {mistakes} and converged={run['converged']!r}.")


@pytest.mark.points(1.5)
@pytest.mark.hint("rng may already be a np.random.Generator: np.random.default_rng(rng) hands it back unchanged. Draw "
                  "exactly one gen.permutation(n) at the start of each epoch, and nothing else.")
def test_fit_uses_the_given_generator(student):
    """Contract: rng may be a np.random.Generator, which default_rng passes through unchanged, so the run draws its
    orders from THAT generator: one gen.permutation(n) at the start of each epoch run, nothing else ("use ONE
    generator"). The grader makes a Generator in your notebook, trains with it, replays the run, and then checks
    how far the generator has moved. Typical slips: a second generator (np.random, or default_rng of a fixed
    seed), an order drawn ahead for an epoch that never runs, extra draws."""
    X, y = separable(30, 2, seed=48)
    gen = worker_generator(student, 21)
    run = _run(student.perceptron_fit(X, y, alpha=1.0, epochs=100, rng=gen))
    want = reference_fit(X, y, alpha=1.0, epochs=100, rng=21)
    checks.equal(_mistakes(run, "mistakes per epoch"), want["mistakes"],
                 what="mistakes per epoch when rng is a Generator",
                 hint="gen = np.random.default_rng(rng) works for a seed and for a Generator alike")
    checks.close(run["w"], want["w"], rtol=1e-9, what="final weights when rng is a Generator")
    checks.true(gen.random() == draws_after(21, 30, len(want["mistakes"])),
                f"after a run of {len(want['mistakes'])} epochs the generator you were given should have drawn exactly "
                f"{len(want['mistakes'])} permutations of the 30 examples, one per epoch; it has drawn something else.")


@pytest.mark.points(1.5)
@pytest.mark.hint("With loss='hinge' an update happens whenever y * (w . z) < 1, also on correctly classified "
                  "examples; 'mistakes' counts those updates, and training stops after an epoch without any.")
def test_fit_hinge_matches_contract(student):
    """Contract for loss="hinge", replayed exactly: hinge_update (update when y*(w.z) < 1), "mistakes" counts the
    UPDATES of each epoch, training stops after an epoch without updates, the seeded shuffling as for the perceptron.
    Typical slips: counting only the real mistakes (margin <= 0), stopping when there are none, `<= 1`."""
    X, y, _ = margin_data(2, 25, 0.15, seed=49)
    want = reference_fit(X, y, alpha=0.5, epochs=300, rng=6, loss="hinge")
    run = _run(student.perceptron_fit(X, y, alpha=0.5, epochs=300, rng=6, loss="hinge"),
               what="perceptron_fit(..., loss='hinge')")
    checks.equal(_mistakes(run, "mistakes per epoch"), want["mistakes"], what="updates per epoch with loss='hinge'",
                 hint="count every update (margin < 1), not only the misclassified examples")
    checks.close(run["w"], want["w"], rtol=1e-9, what="final weights with loss='hinge'")
    checks.true(bool(run["converged"]), "with loss='hinge' on separable data, 'converged' should be True once an "
                "epoch makes no update.")


@pytest.mark.points(1)
@pytest.mark.hint("Return exactly what the docstring promises: 'w' a float64 array, 'mistakes' a list of ints, "
                  "'converged' a bool.")
def test_fit_returns_documented_types(student):
    """Contract (the docstring's Output): "w" a float64 array of shape (d + 1,) (or (d,) with bias=False),
    "mistakes" a list of ints (one per epoch run), "converged" a bool. Typical slips: mistakes as a float array,
    w as a list."""
    X, y = separable(20, 3, seed=50)
    for bias, p in ((True, 4), (False, 3)):
        run = _run(student.perceptron_fit(X, y, epochs=50, rng=1, bias=bias))
        what = f"perceptron_fit(..., bias={bias})"
        checks.true(isinstance(run["w"], np.ndarray) and run["w"].dtype == np.float64 and run["w"].shape == (p,),
                    f"{what}['w'] should be a float64 numpy array of shape ({p},); got {checks.summary(run['w'])}.")
        mistakes = run["mistakes"]
        checks.true(isinstance(mistakes, list) and len(mistakes) > 0
                    and all(isinstance(m, (int, np.integer)) and not isinstance(m, (bool, np.bool_)) for m in mistakes),
                    f"{what}['mistakes'] should be a list of ints, one per epoch; got {checks.summary(mistakes)}.")
        checks.true(isinstance(run["converged"], (bool, np.bool_)),
                    f"{what}['converged'] should be a bool; got {checks.summary(run['converged'])}.")
