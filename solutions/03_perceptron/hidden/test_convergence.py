"""Hidden tests, assignment 3, parts 3 and 5: the criterion and hinge loss, Novikoff's bound, the pocket algorithm.

Every test that expects an error first checks that the same function answers a valid input correctly."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perceptron03_data import augment, margin_data, reference_pocket  # noqa: E402
from perceptron03_probe import call_held  # noqa: E402


def noisy_data(seed, n=120, flip=0.1):
    g = np.random.default_rng(seed)
    X = g.uniform(-1, 1, size=(n, 2))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0.2, 1.0, -1.0)
    flipped = g.random(n) < flip
    y[flipped] *= -1
    return X, y, int(flipped.sum())


def reference_trajectory(X, y, alpha=1.0, epochs=50, rng=0):
    """Weights after every update of the perceptron run defined by the notebook's contract."""
    Z = augment(X)
    gen = np.random.default_rng(rng)
    w, states = np.zeros(Z.shape[1]), []
    for _ in range(epochs):
        count = 0
        for i in gen.permutation(len(y)):
            if y[i] * (w @ Z[i]) <= 0:
                w = w + alpha * y[i] * Z[i]
                states.append(w.copy())
                count += 1
        if count == 0:
            break
    return states


def integer_data(seed, n=16):
    """Points on an integer grid with noisy labels: margins of exactly 0 occur, and several weight vectors of a run
    tie in their number of errors (what separates `<` from `<=` and `<= 0` from `< 0` in the pocket)."""
    g = np.random.default_rng(seed)
    X = g.integers(-3, 4, size=(n, 2)).astype(float)
    return X, np.where(X[:, 0] + X[:, 1] + 0.5 * g.normal(size=n) > 0, 1.0, -1.0)


def errors(w, X, y):
    return int(np.sum(y * (augment(X) @ w) <= 0))


def _is_float(value):
    """A Python float, np.float64 included (a subclass of float); not an array, not an int."""
    return isinstance(value, float)


def _dict(result, keys, what):
    checks.true(isinstance(result, dict) and set(keys) <= set(result),
                f"{what} should return a dict with the keys {sorted(keys)}; got {checks.summary(result)}.")
    return result


def _check_novikoff(student, d):
    X, y, w_star = margin_data(d, 80, 0.08, seed=50 + d)
    Z = augment(X)
    gamma = np.min(y * (Z @ w_star))
    bound = (np.max(np.linalg.norm(Z, axis=1)) / gamma) ** 2
    run = _dict(student.perceptron_fit(X, y, epochs=200, rng=d), ["w", "mistakes", "converged"], "perceptron_fit")
    total = float(np.sum(checks.numbers(run["mistakes"], what="mistakes per epoch")))
    w = checks.shape(run["w"], (d + 1,), what=f"perceptron_fit(...)['w'] for d = {d} (bias last)")
    checks.true(bool(run["converged"]) and np.all(y * (Z @ w) > 0),
                f"d = {d}: the data are linearly separable, so training should converge and classify every "
                "training point correctly (margin y*(w.z) > 0).")
    checks.true(total <= bound, f"d = {d}: {total:.0f} mistakes in all, more than Novikoff's bound allows.",
                hint="count one mistake per update, and update only when y*(w.z) <= 0")


@pytest.mark.points(1.5)
@pytest.mark.hint("The number of mistakes on separable data is bounded (Novikoff). Count only real mistakes, and "
                  "update only when you make one.")
def test_mistakes_within_novikoff_bound_2d(student):
    """Textbook (Novikoff): on data separable with margin gamma, the perceptron converges after at most
    (R/gamma)^2 mistakes. Random separable data in 2 dimensions, with a known margin."""
    _check_novikoff(student, 2)


@pytest.mark.points(1.5)
@pytest.mark.hint("The number of mistakes on separable data is bounded (Novikoff). Count only real mistakes, and "
                  "update only when you make one.")
def test_mistakes_within_novikoff_bound_5d(student):
    """Textbook (Novikoff), as above, in 5 dimensions."""
    _check_novikoff(student, 5)


@pytest.mark.points(1)
def test_mistakes_within_novikoff_bound_10d(student):
    """Textbook (Novikoff), as above, in 10 dimensions."""
    _check_novikoff(student, 10)


@pytest.mark.points(2.5)
@pytest.mark.hint("gamma is measured with the normalised w_star, and a w_star that leaves a point exactly on the "
                  "boundary (gamma = 0) does not separate the data either.")
def test_novikoff_bound_value(student):
    """Textbook formula (R/gamma)^2 with gamma measured for the NORMALISED w_star (scale must not matter), returned as
    a Python float; a ValueError when gamma <= 0: a w_star on the wrong side, and one that leaves a point exactly on
    the boundary (typical slip: testing gamma < 0, which returns an infinite or a division-by-zero bound)."""
    X, y, w_star = margin_data(3, 30, 0.1, seed=60)
    Z = augment(X)
    want = (np.max(np.linalg.norm(Z, axis=1)) / np.min(y * (Z @ w_star))) ** 2
    got = student.novikoff_bound(Z, y, w_star)
    checks.close(got, want, rtol=1e-7, what="novikoff_bound(Z, y, w_star)")
    checks.true(_is_float(got), f"novikoff_bound should return a Python float; got {checks.summary(got)} "
                f"({type(got).__name__}).", hint="float(...) turns a numpy number or a 0-d array into one")
    checks.close(student.novikoff_bound(Z, y, 3.0 * w_star), want, rtol=1e-7, what="novikoff_bound(Z, y, 3 * w_star)",
                 hint="gamma = min_i y_i (w_star . z_i) / ||w_star||")
    checks.raises("ValueError", student.novikoff_bound, Z, y, -w_star, what="novikoff_bound with a w_star that "
                  "does not separate the data", hint="raise ValueError when gamma <= 0")
    checks.raises("ValueError", student.novikoff_bound, np.array([[1.0, 1.0], [-1.0, 1.0], [0.0, 1.0]]),
                  np.array([1, -1, 1]), np.array([2.0, 0.0]),
                  what="novikoff_bound with a w_star that puts one point exactly on the boundary (gamma = 0)",
                  hint="gamma <= 0, not only gamma < 0, means that w_star does not separate the data")


@pytest.mark.points(1.5)
def test_criterion_value(student):
    """Textbook formula L(w) = sum_i max(0, -y_i w.z_i) on random data (a sum, not a mean), returned as a Python
    float (np.float64 is one; a 0-d array is not)."""
    g = np.random.default_rng(61)
    Z, y, w = g.normal(size=(15, 4)), np.where(g.random(15) > 0.5, 1.0, -1.0), g.normal(size=4)
    want = float(np.sum(np.maximum(0.0, -y * (Z @ w))))
    got = student.criterion(w, Z, y)
    checks.close(got, want, rtol=1e-9, what="criterion(w, Z, y)",
                 hint="only the misclassified examples contribute, each with -y * (w . z)")
    checks.true(_is_float(got), f"criterion should return a Python float; got {checks.summary(got)} "
                f"({type(got).__name__}).", hint="float(...) turns a numpy number or a 0-d array into one")


@pytest.mark.points(0.5)
def test_criterion_minimised_by_zero_weights(student):
    """Textbook fact: L >= 0 and L(0) = 0, so w = 0 is a (degenerate) minimiser for any data."""
    g = np.random.default_rng(62)
    Z, y = g.normal(size=(10, 3)), np.where(g.random(10) > 0.5, 1.0, -1.0)
    checks.close(student.criterion(np.zeros(3), Z, y), 0.0, what="criterion at w = 0")
    values = [student.criterion(g.normal(size=3), Z, y) for _ in range(5)]
    checks.true(all(float(v) >= 0 for v in values), f"the criterion should never be negative; got {values}.")


@pytest.mark.points(2)
def test_criterion_subgradient(student):
    """Textbook convention at the kink: examples with margin exactly 0 are included, so that the subgradient at
    w = 0 is not zero and a subgradient step equals Rosenblatt's update; when every margin is > 0 it is the zero
    vector of shape (p,) (typical slip: the number 0)."""
    g = np.random.default_rng(63)
    Z, y = g.normal(size=(12, 3)), np.where(g.random(12) > 0.5, 1.0, -1.0)
    checks.close(student.criterion_subgradient(np.zeros(3), Z, y), -(y @ Z), rtol=1e-9,
                 what="criterion_subgradient at w = 0", hint="at w = 0 every margin is 0; include those examples")
    w = g.normal(size=3)
    wrong = y * (Z @ w) <= 0
    checks.close(student.criterion_subgradient(w, Z, y), -(y[wrong] @ Z[wrong]), rtol=1e-9,
                 what="criterion_subgradient at a random w")
    right = y * (Z @ w) > 0
    got = student.criterion_subgradient(w, Z[right], y[right])
    checks.shape(got, (3,), what="criterion_subgradient when every margin is > 0")
    checks.close(got, np.zeros(3), what="criterion_subgradient when every margin is > 0",
                 hint="no example contributes: the subgradient is the zero vector of shape (p,), not the number 0")


@pytest.mark.points(1)
@pytest.mark.hint("Take one example z with label y: w - alpha * criterion_subgradient(w, z[None, :], [y]) should be "
                  "exactly what perceptron_update(w, z, y, alpha) returns. Which of the two has a sign or a "
                  "condition wrong?")
def test_criterion_subgradient_step_is_rosenblatt_update(student):
    """Textbook (Aggarwal §1.2.1; asserted by the notebook's check of part 3): a stochastic subgradient step on one
    example, w - alpha * criterion_subgradient(w, z[None, :], [y]), IS Rosenblatt's update perceptron_update(w, z, y,
    alpha): on a mistake, on the boundary and on a correct example. Typical slips: a sign flipped, or a different
    condition at the kink, in one of the two."""
    cases = [(np.array([0.3, -0.4]), np.array([1.0, 2.0]), 1, 0.5, "a mistake"),
             (np.array([1.0, -1.0, 0.5]), np.array([2.0, 2.0, 3.0]), -1, 0.25, "an example with margin 0"),
             (np.array([1.0, 0.5]), np.array([2.0, -1.0]), 1, 2.0, "a correct example"),
             (np.zeros(3), np.array([0.5, -1.0, 1.0]), -1, 1.0, "w = 0")]
    for w, z, y, alpha, case in cases:
        sub = checks.shape(student.criterion_subgradient(w, z[None, :], np.array([y])), w.shape,
                           what=f"criterion_subgradient on one example ({case})")
        update = student.perceptron_update(w, z, y, alpha)
        checks.true(isinstance(update, (tuple, list)) and len(update) == 2,
                    f"perceptron_update should return a tuple (w_new, mistake); got {checks.summary(update)}.")
        w_new = checks.shape(update[0], w.shape, what=f"perceptron_update ({case})")
        checks.true(np.allclose(w - alpha * sub, w_new, rtol=1e-9, atol=1e-12),
                    f"on {case}, one subgradient step w - alpha * criterion_subgradient(...) and perceptron_update(...) "
                    "give different weights; they must agree.")


@pytest.mark.points(1)
def test_hinge_loss_value(student):
    """Textbook formula: sum_i max(0, 1 - y_i w.z_i) (a sum, not a mean), returned as a Python float."""
    g = np.random.default_rng(64)
    Z, y, w = g.normal(size=(15, 4)), np.where(g.random(15) > 0.5, 1.0, -1.0), g.normal(size=4)
    want = float(np.sum(np.maximum(0.0, 1.0 - y * (Z @ w))))
    got = student.hinge_loss(w, Z, y)
    checks.close(got, want, rtol=1e-9, what="hinge_loss(w, Z, y)")
    checks.true(_is_float(got), f"hinge_loss should return a Python float; got {checks.summary(got)} "
                f"({type(got).__name__}).", hint="float(...) turns a numpy number or a 0-d array into one")


def _hinge_pair(result):
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"hinge_update should return a tuple (w_new, updated); got {checks.summary(result)}.")
    return result[0], result[1]


@pytest.mark.points(1.5)
@pytest.mark.hint("hinge_update updates exactly when y * (w . x) < 1 (also for a correctly classified example), and "
                  "its second value says whether it did.")
def test_hinge_update_inside_margin(student):
    """Textbook (SVM-like variant): update when the margin is below 1, even for a correct example, with y = +1 or
    -1; not at margin exactly 1 or above, and the flag says whether it updated (typical slips: `<= 1`; a flag that
    is always True, which makes perceptron_fit(loss="hinge") count updates that did not happen)."""
    x = np.array([1.0, 1.0, 1.0])
    w_new, updated = _hinge_pair(student.hinge_update(np.array([0.25, 0.25, 0.0]), x, 1, alpha=0.5))
    checks.close(w_new, [0.75, 0.75, 0.5], what="hinge_update on a correct example with margin 0.5")
    checks.true(bool(updated), "hinge_update should report an update when the margin is below 1.")
    w_new, updated = _hinge_pair(student.hinge_update(np.array([0.5, 0.5, 0.0]), x, 1, alpha=0.5))
    checks.close(w_new, [0.5, 0.5, 0.0], what="hinge_update on an example with margin exactly 1",
                 hint="the update condition is y*(w.x) < 1")
    checks.true(not bool(updated), "hinge_update should report no update when the margin is exactly 1.")
    w_new, updated = _hinge_pair(student.hinge_update(np.array([2.0, 0.0, 0.5]), x, 1))
    checks.close(w_new, [2.0, 0.0, 0.5], what="hinge_update on an example with margin 2.5")
    checks.true(not bool(updated), "hinge_update should report no update when the margin is above 1.")
    w_new, updated = _hinge_pair(student.hinge_update(np.array([-0.5, 0.25, 0.0]), np.array([1.0, 0.0, 2.0]), -1,
                                                      alpha=0.5))
    checks.close(w_new, [-1.0, 0.25, -1.0], what="hinge_update on a correct example with y = -1 and margin 0.5")
    checks.true(bool(updated), "hinge_update should report an update when the margin is below 1 (y = -1).")
    w_new, _ = _hinge_pair(student.hinge_update(np.array([0.5, 0.5, 0.0]), x, -1, alpha=0.5))
    checks.close(w_new, [0.0, 0.0, -0.5], what="hinge_update on a misclassified example (margin -1)")


@pytest.mark.points(0.5)
def test_hinge_update_returns_new_array(student):
    """Contract ("inputs and output as in perceptron_update", "a copy of w"): a NEW float64 array, w not modified in
    place, a bool flag. The grader keeps w in your notebook during the call. Typical slips: `w += alpha*y*x`;
    `return w, False`."""
    w = np.array([0.25, -0.5, 1.0])
    cases = [(np.array([1.0, 1.0, 0.5]), "an update (margin 0.25)"), (np.array([2.0, -4.0, 1.0]),
                                                                      "no update (margin 3.5)")]
    for x, case in cases:
        w_new, updated = _hinge_pair(student.hinge_update(w, x, 1, 0.5))
        checks.true(isinstance(w_new, np.ndarray) and w_new.dtype == np.float64,
                    f"hinge_update on {case}: w_new should be a float64 numpy array; got {checks.summary(w_new)}.")
        checks.true(isinstance(updated, (bool, np.bool_)),
                    f"hinge_update on {case}: the flag should be a bool; got {checks.summary(updated)}.")
    held = call_held(student, "hinge_update", [(w.copy(), x, 1, 0.5) for x, _ in cases], nout=2)
    for one, (_, case) in zip(held, cases):
        checks.true(np.array_equal(one.after[0], w), f"hinge_update on {case} changed the array w it was given; "
                    "it must return a new array and leave w as it is.")
        checks.true(not one.aliased, f"hinge_update on {case} returned the array w it was given (or a view of it) "
                    "instead of a copy.")


@pytest.mark.points(2)
def test_hinge_fit_reaches_margin_one(student):
    """Textbook: the hinge variant stops only when every training margin y*(w.z) is at least 1."""
    X, y, _ = margin_data(2, 30, 0.15, seed=65)
    run = _dict(student.perceptron_fit(X, y, epochs=300, rng=1, loss="hinge"), ["w", "converged"],
                "perceptron_fit(loss='hinge')")
    w = checks.shape(run["w"], (3,), what="perceptron_fit(..., loss='hinge')['w']")
    smallest = float(np.min(y * (augment(X) @ w)))
    checks.true(bool(run["converged"]) and smallest >= 1 - 1e-9,
                f"with loss='hinge' training should go on until every margin is >= 1; the smallest margin is "
                f"{smallest:.3g}.", hint="use hinge_update (condition y*(w.z) < 1) when loss='hinge'")


@pytest.mark.points(1)
def test_pocket_reports_its_errors(student):
    """Contract: the reported error count is that of the returned weights (the grader recounts)."""
    X, y, _ = noisy_data(66)
    run = _dict(student.pocket_fit(X, y, epochs=30, rng=0), ["w", "errors"], "pocket_fit")
    w = checks.shape(run["w"], (3,), what="pocket_fit(...)['w']")
    checks.equal(int(checks.numbers(run["errors"], what="pocket_fit(...)['errors']")), errors(w, X, y),
                 what="the reported errors compared with the errors of the returned weights",
                 hint="store a copy of the weights together with their error count")


@pytest.mark.points(1.5)
@pytest.mark.hint("The pocket keeps the best weights seen during the run, not the last ones: compare after every "
                  "update.")
def test_pocket_keeps_best_of_the_run(student):
    """Textbook (pocket algorithm): the pocket holds the fewest training errors of any weights the run passed
    through; the run is the seeded perceptron of the notebook's contract."""
    X, y, _ = noisy_data(67)
    best = min([len(y)] + [errors(w, X, y) for w in reference_trajectory(X, y, epochs=30, rng=3)])
    run = _dict(student.pocket_fit(X, y, epochs=30, rng=3), ["w", "errors"], "pocket_fit")
    w = checks.shape(run["w"], (3,), what="pocket_fit(...)['w']")
    checks.equal(errors(w, X, y), best, what="training errors of the pocket weights",
                 hint="after EVERY update, count the training errors of the new weights and keep the best")


@pytest.mark.points(1)
@pytest.mark.hint("The pocket keeps the best weights seen during the run, not the last ones: compare after every "
                  "update.")
def test_pocket_beats_the_last_weights(student):
    """Textbook: on non-separable data the last perceptron weights wander; the pocket's are at least as good,
    and close to the noise level."""
    for seed in (68, 69):
        X, y, flipped = noisy_data(seed)
        last = reference_trajectory(X, y, epochs=30, rng=seed)[-1]
        run = _dict(student.pocket_fit(X, y, epochs=30, rng=seed), ["w"], "pocket_fit")
        got = errors(checks.shape(run["w"], (3,), what="pocket_fit(...)['w']"), X, y)
        checks.true(got <= errors(last, X, y) and got <= flipped + 12,
                    f"the pocket weights make {got} training errors on data with {flipped} flipped labels of "
                    f"{len(y)}; the pocket should keep the best weights seen.")


@pytest.mark.points(2)
@pytest.mark.hint("Replay the contract: one generator, gen.permutation(n) each epoch, perceptron_update; after EVERY "
                  "update count the errors (margin <= 0) of the new weights, and pocket them only if STRICTLY fewer.")
def test_pocket_matches_contract(student):
    """Contract, replayed exactly (weights, errors, mistakes per epoch): check_data, w = 0, gen = default_rng(rng)
    once, order gen.permutation(n) each epoch; after every update the errors of the new weights with margin <= 0
    counted as an error; into the pocket only when STRICTLY fewer; bias=True and bias=False; and the docstring's
    example, which stops after a clean epoch. On integer points, where ties in the error count and margins of
    exactly 0 happen, this separates `<` from `<=`, `<= 0` from `< 0`, every update from every epoch, and the seeded
    generator from another."""
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([-1, 1, 1])
    cases = [(X, y, {"rng": 0}, "the docstring's example")]
    for seed, bias in ((8, True), (3, False)):
        Xi, yi = integer_data(seed)
        cases.append((Xi, yi, {"epochs": 12, "rng": seed, "bias": bias}, f"16 noisy integer points, bias={bias}"))
    for X, y, kwargs, case in cases:
        want = reference_pocket(X, y, **kwargs)
        what = f"pocket_fit on {case}"
        run = _dict(student.pocket_fit(X, y, **kwargs), ["w", "errors", "mistakes"], what)
        checks.equal([int(m) for m in checks.numbers(run["mistakes"], what=f"{what}: mistakes").ravel()],
                     want["mistakes"], what=f"{what}: mistakes per epoch",
                     hint="one gen = np.random.default_rng(rng), one gen.permutation(n) per epoch, and stop after "
                          "an epoch without mistakes")
        checks.close(run["w"], want["w"], rtol=1e-9, what=f"{what}: the pocket weights")
        checks.equal(int(run["errors"]), want["errors"], what=f"{what}: the pocket's error count")


@pytest.mark.points(0.5)
def test_pocket_rejects_01_labels(student):
    """Contract ("the same contract: check_data, ..."): labels 0/1 raise a ValueError, as in perceptron_fit.
    Checked after a valid call (the docstring's example, replayed)."""
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([-1, 1, 1])
    run = _dict(student.pocket_fit(X, y, rng=0), ["w", "errors"], "pocket_fit")
    checks.close(run["w"], reference_pocket(X, y, rng=0)["w"], what="pocket_fit on the docstring's example")
    g = np.random.default_rng(70)
    Xn = g.normal(size=(12, 2))
    checks.raises("ValueError", student.pocket_fit, Xn, (Xn[:, 0] > 0).astype(int), epochs=5, rng=0,
                  what="pocket_fit with labels 0/1", hint="validate the data with check_data first")


@pytest.mark.points(0.5)
def test_pocket_returns_documented_types(student):
    """Contract (the docstring's Output): "w" a float64 array of shape (d + 1,) (or (d,) with bias=False), "errors"
    an int, "mistakes" a list of ints per epoch."""
    X, y = integer_data(8)
    for bias, p in ((True, 3), (False, 2)):
        what = f"pocket_fit(..., bias={bias})"
        run = _dict(student.pocket_fit(X, y, epochs=5, rng=0, bias=bias), ["w", "errors", "mistakes"], what)
        checks.true(isinstance(run["w"], np.ndarray) and run["w"].dtype == np.float64 and run["w"].shape == (p,),
                    f"{what}['w'] should be a float64 numpy array of shape ({p},); got {checks.summary(run['w'])}.")
        checks.true(isinstance(run["errors"], (int, np.integer)) and not isinstance(run["errors"], (bool, np.bool_)),
                    f"{what}['errors'] should be an int; got {checks.summary(run['errors'])}.")
        checks.true(isinstance(run["mistakes"], list) and all(isinstance(m, (int, np.integer))
                                                              and not isinstance(m, (bool, np.bool_))
                                                              for m in run["mistakes"]),
                    f"{what}['mistakes'] should be a list of ints, one per epoch; got "
                    f"{checks.summary(run['mistakes'])}.")
