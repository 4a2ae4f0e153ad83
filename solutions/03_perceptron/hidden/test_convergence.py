"""Hidden tests, assignment 3, parts 3 and 5: the criterion and hinge loss, Novikoff's bound, the pocket algorithm."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perceptron03_data import augment, margin_data  # noqa: E402


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


def errors(w, X, y):
    return int(np.sum(y * (augment(X) @ w) <= 0))


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


@pytest.mark.points(2)
@pytest.mark.hint("The number of mistakes on separable data is bounded (Novikoff). Count only real mistakes, and "
                  "update only when you make one.")
def test_mistakes_within_novikoff_bound_2d(student):
    """Textbook (Novikoff): on data separable with margin gamma, the perceptron converges after at most
    (R/gamma)^2 mistakes. Random separable data in 2 dimensions, with a known margin."""
    _check_novikoff(student, 2)


@pytest.mark.points(2)
@pytest.mark.hint("The number of mistakes on separable data is bounded (Novikoff). Count only real mistakes, and "
                  "update only when you make one.")
def test_mistakes_within_novikoff_bound_5d(student):
    """Textbook (Novikoff), as above, in 5 dimensions."""
    _check_novikoff(student, 5)


@pytest.mark.points(2)
def test_mistakes_within_novikoff_bound_10d(student):
    """Textbook (Novikoff), as above, in 10 dimensions."""
    _check_novikoff(student, 10)


@pytest.mark.points(3)
def test_novikoff_bound_value(student):
    """Textbook formula (R/gamma)^2 with gamma measured for the NORMALISED w_star (scale must not matter)."""
    X, y, w_star = margin_data(3, 30, 0.1, seed=60)
    Z = augment(X)
    want = (np.max(np.linalg.norm(Z, axis=1)) / np.min(y * (Z @ w_star))) ** 2
    checks.close(student.novikoff_bound(Z, y, w_star), want, rtol=1e-7, what="novikoff_bound(Z, y, w_star)")
    checks.close(student.novikoff_bound(Z, y, 3.0 * w_star), want, rtol=1e-7, what="novikoff_bound(Z, y, 3 * w_star)",
                 hint="gamma = min_i y_i (w_star . z_i) / ||w_star||")
    checks.raises("ValueError", student.novikoff_bound, Z, y, -w_star, what="novikoff_bound with a w_star that "
                  "does not separate the data", hint="raise ValueError when gamma <= 0")


@pytest.mark.points(2)
def test_criterion_value(student):
    """Textbook formula L(w) = sum_i max(0, -y_i w.z_i) on random data."""
    g = np.random.default_rng(61)
    Z, y, w = g.normal(size=(15, 4)), np.where(g.random(15) > 0.5, 1.0, -1.0), g.normal(size=4)
    want = float(np.sum(np.maximum(0.0, -y * (Z @ w))))
    checks.close(student.criterion(w, Z, y), want, rtol=1e-9, what="criterion(w, Z, y)",
                 hint="only the misclassified examples contribute, each with -y * (w . z)")


@pytest.mark.points(1)
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
    w = 0 is not zero and a subgradient step equals Rosenblatt's update."""
    g = np.random.default_rng(63)
    Z, y = g.normal(size=(12, 3)), np.where(g.random(12) > 0.5, 1.0, -1.0)
    checks.close(student.criterion_subgradient(np.zeros(3), Z, y), -(y @ Z), rtol=1e-9,
                 what="criterion_subgradient at w = 0", hint="at w = 0 every margin is 0; include those examples")
    w = g.normal(size=3)
    wrong = y * (Z @ w) <= 0
    checks.close(student.criterion_subgradient(w, Z, y), -(y[wrong] @ Z[wrong]), rtol=1e-9,
                 what="criterion_subgradient at a random w")


@pytest.mark.points(1)
def test_hinge_loss_value(student):
    """Textbook formula: sum_i max(0, 1 - y_i w.z_i)."""
    g = np.random.default_rng(64)
    Z, y, w = g.normal(size=(15, 4)), np.where(g.random(15) > 0.5, 1.0, -1.0), g.normal(size=4)
    want = float(np.sum(np.maximum(0.0, 1.0 - y * (Z @ w))))
    checks.close(student.hinge_loss(w, Z, y), want, rtol=1e-9, what="hinge_loss(w, Z, y)")


@pytest.mark.points(2)
def test_hinge_update_inside_margin(student):
    """Textbook (SVM-like variant): update when the margin is below 1, even for a correct example; not at >= 1."""
    x = np.array([1.0, 1.0, 1.0])
    result = student.hinge_update(np.array([0.25, 0.25, 0.0]), x, 1, alpha=0.5)
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"hinge_update should return a tuple (w_new, updated); got {checks.summary(result)}.")
    checks.close(result[0], [0.75, 0.75, 0.5], what="hinge_update on a correct example with margin 0.5")
    checks.true(bool(result[1]), "hinge_update should report an update when the margin is below 1.")
    result = student.hinge_update(np.array([0.5, 0.5, 0.0]), x, 1, alpha=0.5)
    checks.close(result[0], [0.5, 0.5, 0.0], what="hinge_update on an example with margin exactly 1",
                 hint="the update condition is y*(w.x) < 1")
    result = student.hinge_update(np.array([0.5, 0.5, 0.0]), x, -1, alpha=0.5)
    checks.close(result[0], [0.0, 0.0, -0.5], what="hinge_update on a misclassified example (margin -1)")


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


@pytest.mark.points(2)
def test_pocket_reports_its_errors(student):
    """Contract: the reported error count is that of the returned weights (the grader recounts)."""
    X, y, _ = noisy_data(66)
    run = _dict(student.pocket_fit(X, y, epochs=30, rng=0), ["w", "errors"], "pocket_fit")
    w = checks.shape(run["w"], (3,), what="pocket_fit(...)['w']")
    checks.equal(int(checks.numbers(run["errors"], what="pocket_fit(...)['errors']")), errors(w, X, y),
                 what="the reported errors compared with the errors of the returned weights",
                 hint="store a copy of the weights together with their error count")


@pytest.mark.points(2)
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


@pytest.mark.points(2)
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
