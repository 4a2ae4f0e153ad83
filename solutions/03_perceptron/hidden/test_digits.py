"""Hidden tests, assignment 3, parts 7-8: the random-points experiment (Aggarwal ex. 11) and the multiclass
perceptron on the UCI digits. Accuracies are computed here, from weights the student's code returns.

Every test that expects an error first checks that the same function answers a valid input correctly."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks
from autograder.course.layout import DATASETS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perceptron03_data import draws_after, reference_multiclass  # noqa: E402
from perceptron03_probe import worker_generator  # noqa: E402

DIGITS = DATASETS / "digits.npz"


def augment(X):
    return np.column_stack([X, np.ones(len(X))])


def points(n, seed):
    X = np.random.default_rng(seed).random((n, 2))
    return X, np.where(X[:, 0] > X[:, 1], 1.0, -1.0)


def _xy(result, what):
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"{what} should return a tuple (X, y); got {checks.summary(result)}.")
    return result[0], result[1]


@pytest.mark.points(0.5)
def test_random_points_contract(student):
    """Contract: X = default_rng(rng).random((n, 2)) in one call, label +1 iff x1 > x2 (typical slip: two calls,
    one per column)."""
    got_X, got_y = _xy(student.random_points(50, rng=3), "random_points")
    X, y = points(50, 3)
    checks.close(got_X, X, what="random_points(50, rng=3)[0]", hint="draw X in ONE call gen.random((n, 2))")
    checks.close(got_y, y, what="random_points(50, rng=3)[1]", hint="+1 when x1 > x2, else -1")


@pytest.mark.points(0.5)
def test_random_points_labels_are_float64(student):
    """Contract: y is a float64 array of -1.0 and +1.0 (typical slip: np.where(..., 1, -1) gives integers)."""
    _, got_y = _xy(student.random_points(10, rng=4), "random_points")
    checks.true(isinstance(got_y, np.ndarray) and got_y.dtype == np.float64,
                f"random_points(...)[1] should be a float64 array of -1.0 and +1.0; got {checks.summary(got_y)}.",
                hint="np.where(condition, 1.0, -1.0) gives floats")


@pytest.mark.points(0.5)
def test_random_points_uses_the_given_generator(student):
    """Contract: rng may be a np.random.Generator (gen = np.random.default_rng(rng) passes it through), and X is ONE
    call gen.random((n, 2)): the grader makes a Generator in your notebook, and afterwards it must have moved by
    exactly that one draw. Typical slips: a new generator, extra draws."""
    gen = worker_generator(student, 13)
    got_X, _ = _xy(student.random_points(40, rng=gen), "random_points")
    ref = np.random.default_rng(13)
    checks.close(got_X, ref.random((40, 2)), what="random_points(40, rng=<a Generator>)[0]",
                 hint="gen = np.random.default_rng(rng) hands a Generator back unchanged: draw from it")
    checks.true(gen.random() == ref.random(), "after random_points(40, rng=gen) the generator should have made "
                "exactly one draw of 40 x 2 numbers; it has drawn something else.")


@pytest.mark.points(1.5)
@pytest.mark.hint("Both variants must fit all 20 training points; check that training does not stop early and that "
                  "the hinge variant updates when the margin is below 1.")
def test_random_points_perceptron_and_hinge(student):
    """Aggarwal ex. 11: 20 training points labelled by x1 > x2, 1000 test points. Both the perceptron and the
    hinge variant fit the training points and generalise (test accuracy computed by the grader;
    checked numerically: 0.954 and 0.966 for the reference on these draws; the threshold 0.8 leaves room, since
    over 5000 other shuffling orders the perceptron's accuracy here never fell below 0.877)."""
    X, y = points(20, 32)
    X_test, y_test = points(1000, 10_032)
    for loss in ("perceptron", "hinge"):
        run = student.perceptron_fit(X, y, epochs=300, rng=32, loss=loss)
        checks.true(isinstance(run, dict) and "w" in run, "perceptron_fit should return a dict with the key 'w'.")
        w = checks.shape(run["w"], (3,), what=f"perceptron_fit(..., loss={loss!r})['w']")
        margins = y * (augment(X) @ w)
        checks.true(np.all(margins > 0) if loss == "perceptron" else np.all(margins >= 1 - 1e-9),
                    f"loss={loss!r}: the final weights should satisfy every training point "
                    f"({'margin > 0' if loss == 'perceptron' else 'margin >= 1'}).")
        accuracy = float(np.mean(np.sign(augment(X_test) @ w) == y_test))
        checks.true(accuracy >= 0.8, f"loss={loss!r}: test accuracy {accuracy:.3f} on 1000 new points is too low.")


@pytest.mark.points(0.5)
def test_split_indices(student):
    """Contract: perm = default_rng(seed).permutation(n); test = perm[:int(f*n)], train = the rest. int() rounds
    down: 0.25 * 14 = 3.5 gives 3 test indices (typical slip: round(), which gives 4)."""
    for n, fraction, seed in ((1797, 0.2, 0), (50, 0.3, 4), (14, 0.25, 2)):
        perm = np.random.default_rng(seed).permutation(n)
        k = int(fraction * n)
        result = student.split_indices(n, fraction, seed=seed)
        checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                    f"split_indices should return a tuple (train_idx, test_idx); got {checks.summary(result)}.")
        checks.close(result[1], perm[:k], what=f"test indices of split_indices({n}, {fraction}, seed={seed})")
        checks.close(result[0], perm[k:], what=f"training indices of split_indices({n}, {fraction}, seed={seed})")


@pytest.mark.points(0.5)
def test_multiclass_predict(student):
    """Contract: argmax of W z with the bias last; ties go to the lowest class index (np.argmax)."""
    g = np.random.default_rng(80)
    W, X = g.normal(size=(4, 3)), g.normal(size=(9, 2))
    checks.close(student.multiclass_predict(W, X), np.argmax(augment(X) @ W.T, axis=1),
                 what="multiclass_predict(W, X)")
    W_tie = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    checks.close(student.multiclass_predict(W_tie, np.array([[1.0], [-1.0]])), [1, 0],
                 what="multiclass_predict with a tie between classes 1 and 2", hint="np.argmax picks the first")


@pytest.mark.points(1.5)
@pytest.mark.hint("At W = 0 every score ties: that is a mistake, and the competitor r is the lowest class index other "
                  "than the label.")
def test_multiclass_first_epochs_exact(student):
    """Contract (the multiclass rule): competitor r = best other class, ties count as mistakes (as with
    sign(0) in the binary rule); W[y] += alpha z, W[r] -= alpha z. Replayed exactly on a small problem, plus the
    typical slip of updating only when argmax != y (an example of class 0 at W = 0 is then not a mistake)."""
    g = np.random.default_rng(81)
    X, y = g.normal(size=(8, 2)), g.integers(0, 3, size=8)
    Z = augment(X)
    gen = np.random.default_rng(5)
    W, mistakes = np.zeros((3, 3)), []
    for _ in range(3):
        count = 0
        for i in gen.permutation(8):
            scores = W @ Z[i]
            others = scores.copy()
            others[y[i]] = -np.inf
            r = int(np.argmax(others))
            if scores[r] >= scores[y[i]]:
                W[y[i]] += 0.5 * Z[i]
                W[r] -= 0.5 * Z[i]
                count += 1
        mistakes.append(count)
        if count == 0:
            break
    run = student.multiclass_fit(X, y, n_classes=3, alpha=0.5, epochs=3, rng=5)
    checks.true(isinstance(run, dict) and {"W", "mistakes"} <= set(run),
                "multiclass_fit should return a dict with the keys 'W' and 'mistakes'.")
    checks.close(run["W"], W, rtol=1e-9, what="W after at most 3 epochs (alpha=0.5, rng=5)",
                 hint="at W = 0 all scores tie: that is a mistake, with r the lowest other class")
    checks.close(run["mistakes"], mistakes, what="mistakes per epoch of multiclass_fit")
    run = student.multiclass_fit(np.array([[1.0, 0.0]]), np.array([0]), n_classes=3, alpha=1.0, epochs=1, rng=0)
    checks.true(isinstance(run, dict) and "W" in run, "multiclass_fit should return a dict with the key 'W'.")
    checks.close(run["W"], [[1, 0, 1], [-1, 0, -1], [0, 0, 0]], what="W after one example of class 0 from W = 0",
                 hint="at W = 0 class 0 ties with class 1; a tie counts as a mistake, with r = 1")


@pytest.mark.points(0.5)
def test_confusion_matrix(student):
    """Contract: rows are true classes, columns predictions; a class never predicted gives a zero column; an int
    array (counts, typical slip: np.zeros((K, K)) gives floats); lists are accepted, as in the notebook's check."""
    g = np.random.default_rng(82)
    y_true, y_pred = g.integers(0, 4, size=40), g.integers(0, 3, size=40)
    want = np.zeros((4, 4), dtype=int)
    np.add.at(want, (y_true, y_pred), 1)
    got = student.confusion_matrix(y_true, y_pred, n_classes=4)
    checks.close(got, want, what="confusion_matrix with 4 classes")
    checks.true(isinstance(got, np.ndarray) and np.issubdtype(got.dtype, np.integer),
                f"confusion_matrix should return an int array of counts; got {checks.summary(got)}.",
                hint="np.zeros((n_classes, n_classes), dtype=int)")
    checks.close(student.confusion_matrix([0, 2, 1, 2], [0, 1, 1, 2], n_classes=3), [[1, 0, 0], [0, 1, 0], [0, 1, 1]],
                 what="confusion_matrix of Python lists", hint="np.asarray turns the lists into arrays")


@pytest.mark.points(2.5)
def test_digits_held_out_accuracy(student):
    """Issue requirement: a multiclass perceptron on UCI digits reaches at least 90 % on the held-out split
    (seeded permutation 0, first 359 indices). The grader loads the data and computes the accuracy itself
    from the returned weights; the reference reaches 0.958."""
    data = np.load(DIGITS)
    X = data["images"].reshape(len(data["images"]), -1) / 16.0
    y = data["labels"].astype(int)
    perm = np.random.default_rng(0).permutation(len(y))
    test, train = perm[:int(0.2 * len(y))], perm[int(0.2 * len(y)):]
    run = student.multiclass_fit(X[train], y[train], n_classes=10, alpha=1.0, epochs=100, rng=0)
    checks.true(isinstance(run, dict) and "W" in run, "multiclass_fit should return a dict with the key 'W'.")
    W = checks.shape(run["W"], (10, 65), what="multiclass_fit(...)['W'] on digits (10 classes, 64 pixels + bias)")
    accuracy = float(np.mean(np.argmax(augment(X[test]) @ W.T, axis=1) == y[test]))
    checks.true(accuracy >= 0.90, f"held-out accuracy {accuracy:.3f} is below 0.90.",
                hint="check the multiclass update (W[y] += alpha z, W[r] -= alpha z) and that the bias is last")


def sectors(n, seed):
    """n points around the origin in three sectors of angle, one per class: separable by W z without a bias."""
    g = np.random.default_rng(seed)
    c = g.integers(0, 3, size=n)
    angle = 2 * np.pi * c / 3 + g.uniform(-0.8, 0.8, size=n)
    r = g.uniform(0.5, 2.0, size=n)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]), c


@pytest.mark.points(0.5)
def test_multiclass_predict_without_bias(student):
    """Contract: with bias=False, W has shape (K, d) and the scores are W x on the raw features; the result is an
    int array of class indices."""
    g = np.random.default_rng(83)
    W, X = g.normal(size=(3, 2)), g.normal(size=(7, 2))
    got = student.multiclass_predict(W, X, bias=False)
    checks.close(got, np.argmax(X @ W.T, axis=1), what="multiclass_predict(W, X, bias=False)",
                 hint="with bias=False, do not append the constant feature")
    checks.true(isinstance(got, np.ndarray) and np.issubdtype(got.dtype, np.integer),
                f"multiclass_predict should return an int array; got {checks.summary(got)}.")


@pytest.mark.points(1)
@pytest.mark.hint("With bias=False W has one column per feature; like perceptron_fit, draw the orders from "
                  "np.random.default_rng(rng) (a Generator passes through) and stop after an epoch without mistakes.")
def test_multiclass_fit_contract_without_bias(student):
    """Contract, replayed exactly to convergence: bias=False (W of shape (K, d)), "as in perceptron_fit": one
    generator, a Generator passed as rng is used as it is, one gen.permutation(n) per epoch and nothing else, stop
    after an epoch without mistakes (the last count 0). Data: three sectors around the origin, separable without a
    bias. Typical slips: the bias column always added, never stopping early, a second generator."""
    X, c = sectors(24, 0)
    want = reference_multiclass(X, c, 3, alpha=0.5, epochs=50, rng=3, bias=False)
    gen = worker_generator(student, 3)
    run = student.multiclass_fit(X, c, n_classes=3, alpha=0.5, epochs=50, rng=gen, bias=False)
    checks.true(isinstance(run, dict) and {"W", "mistakes"} <= set(run),
                "multiclass_fit should return a dict with the keys 'W' and 'mistakes'.")
    checks.true(isinstance(run["W"], np.ndarray) and run["W"].dtype == np.float64,
                f"multiclass_fit(...)['W'] should be a float64 array; got {checks.summary(run['W'])}.")
    checks.close(run["W"], want["W"], rtol=1e-9, what="W with bias=False (3 classes, 2 features)")
    checks.equal([int(m) for m in checks.numbers(run["mistakes"], what="mistakes").ravel()], want["mistakes"],
                 what="mistakes per epoch of multiclass_fit with bias=False")
    checks.true(gen.random() == draws_after(3, 24, len(want["mistakes"])),
                "after training, the generator given as rng should have drawn exactly one permutation per epoch; it "
                "has drawn something else.")


@pytest.mark.points(0.5)
@pytest.mark.hint("Validate before training: X 2-D, as many labels as rows, every label an integer in "
                  "0..n_classes-1; raise a ValueError otherwise.")
def test_multiclass_fit_rejects_bad_labels(student):
    """Docstring: ValueError if X is not 2-D, the lengths differ, or a label is not an integer in 0..n_classes-1
    (n_classes itself, -1, 1.5). Typical slip: no check, so a label 3 of 3 classes crashes with an IndexError and
    1.5 is silently truncated. Checked after a valid call (the docstring's example)."""
    run = student.multiclass_fit(np.array([[1.0, 0.0]]), np.array([2]), n_classes=3)
    checks.true(isinstance(run, dict) and "W" in run, "multiclass_fit should return a dict with the key 'W'.")
    checks.close(run["W"], [[-1, 0, -1], [0, 0, 0], [1, 0, 1]], what="multiclass_fit on the docstring's example")
    X = np.random.default_rng(84).normal(size=(4, 2))
    for args, what in (((X, np.array([0, 1, 3, 2])), "a label 3 with n_classes=3"),
                       ((X, np.array([0, -1, 1, 2])), "a label -1"),
                       ((X, np.array([0.0, 1.5, 1.0, 2.0])), "a label 1.5"),
                       ((X, np.array([0, 1, 2])), "4 rows of X and 3 labels"),
                       ((np.array([0.5, 1.0, 2.0, 1.0]), np.array([0, 1, 2, 1])), "a 1-D X")):
        checks.raises("ValueError", student.multiclass_fit, *args, n_classes=3, epochs=2,
                      what=f"multiclass_fit with {what}")


@pytest.mark.points(0.5)
def test_confusion_matrix_rejects_length_mismatch(student):
    """Docstring: ValueError if the lengths differ (typical slip: zip, which silently drops the extra labels).
    Checked after a valid call."""
    checks.close(student.confusion_matrix(np.array([1, 0, 1]), np.array([1, 1, 0]), n_classes=2), [[0, 1], [1, 1]],
                 what="confusion_matrix([1, 0, 1], [1, 1, 0], n_classes=2)")
    checks.raises("ValueError", student.confusion_matrix, np.array([0, 1, 1, 0, 1]), np.array([0, 1, 1, 0]),
                  n_classes=2, what="confusion_matrix with 5 true labels and 4 predictions",
                  hint="compare the lengths first")
