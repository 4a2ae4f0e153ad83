"""Hidden tests, part 3: mini-batch iteration, SGD for linear and for logistic regression.

The grader cannot hand a np.random.Generator to the worker, so it passes an int seed, which
minibatch_indices turns into a Generator with np.random.default_rng (as its docstring asks).
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gd02_reference as ref  # noqa: E402

BATCH_HINT = "shuffle once with rng.permutation(n) and cut it into consecutive slices; keep the last, shorter one"


def _batches(student, n, batch_size, seed):
    got = student.minibatch_indices(n, batch_size, seed)
    what = f"minibatch_indices({n}, {batch_size}, rng)"
    if not isinstance(got, (list, tuple)):
        checks.fail(f"{what}: expected a list of index arrays, got {checks.summary(got)}.")
    return [checks.numbers(b, what=f"{what}, batch {i}").astype(np.int64).ravel() for i, b in enumerate(got)], what


@pytest.mark.points(1)
def test_chollet_mnist_epoch(student):
    """Textbook value (Chollet): 60,000 examples in batches of 128 give 469 steps per epoch, the last one of 96."""
    batches, what = _batches(student, 60000, 128, 0)
    checks.equal(len(batches), 469, what=f"the number of batches of {what}", hint=BATCH_HINT)
    checks.equal([len(b) for b in batches], [128] * 468 + [96], what=f"the batch sizes of {what}")


@pytest.mark.points(2)
def test_every_example_once(student):
    """Typical mistake: a batch iterator that drops or repeats examples (drops the last partial batch, or samples
    with replacement). For several n and batch sizes, the batches together hold each index exactly once, all
    but the last batch are full, and there are ⌈n / batch_size⌉ of them."""
    rng = np.random.default_rng(40)
    for n, batch_size in [(10, 3), (100, 7), (257, 32), (64, 64), (1000, 999), (33, 1)]:
        batches, what = _batches(student, n, batch_size, int(rng.integers(1 << 30)))
        joined = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
        counts = np.bincount(joined[(joined >= 0) & (joined < n)], minlength=n)
        if len(joined) != n or not np.all(counts == 1):
            checks.fail(f"{what}: the batches hold {len(joined)} indices; {int(np.sum(counts == 0))} of the {n} "
                        f"examples are missing and {int(np.sum(counts > 1))} appear more than once.", BATCH_HINT)
        sizes = [len(b) for b in batches]
        checks.equal(sizes, [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else []),
                     what=f"the batch sizes of {what}", hint=BATCH_HINT)


@pytest.mark.points(1)
def test_order_follows_permutation(student):
    """Specification (reproducibility): the batches are consecutive slices of rng.permutation(n) for
    rng = np.random.default_rng(seed), so that SGD runs can be replayed exactly."""
    for n, batch_size, seed in [(7, 3, 0), (50, 8, 41), (12, 5, 42)]:
        batches, what = _batches(student, n, batch_size, seed)
        want = ref.batches(n, batch_size, seed)
        checks.equal(len(batches), len(want), what=f"the number of batches of {what}")
        for i, (got_b, want_b) in enumerate(zip(batches, want)):
            checks.equal(got_b.tolist(), want_b.tolist(), what=f"batch {i} of {what} with seed {seed}",
                         hint="use ONE call perm = rng.permutation(n), with rng = np.random.default_rng(rng)")


@pytest.mark.points(1)
@pytest.mark.hint("Hand your function a Generator and call it twice, as one epoch after another: the second epoch "
                  "should continue that Generator's random numbers, one permutation per epoch.")
def test_minibatch_indices_takes_a_generator(student):
    """Docstring clauses: rng may be a np.random.Generator (the notebook's check passes one), and the function uses
    THAT generator, with ONE call rng.permutation(n) per epoch. The grader makes a Generator in the notebook and
    calls minibatch_indices twice with it: the two epochs must be the reference's first and second permutation.
    Typical mistakes: building a new generator from the argument (np.random.Generator(np.random.PCG64(rng)) or
    default_rng(int(rng)) accept only seeds), or drawing more than one permutation per call."""
    n, batch_size, seed = 23, 5, 51
    generator = student.np.value.random.default_rng(seed)
    mine = np.random.default_rng(seed)
    for epoch in (1, 2):
        what = f"minibatch_indices({n}, {batch_size}, rng) for epoch {epoch} with a Generator rng"
        got = student.minibatch_indices(n, batch_size, generator)
        if not isinstance(got, (list, tuple)):
            checks.fail(f"{what}: expected a list of index arrays, got {checks.summary(got)}.")
        want = ref.batches(n, batch_size, mine)
        checks.equal([checks.numbers(b, what=what).astype(np.int64).ravel().tolist() for b in got],
                     [b.tolist() for b in want], what=what,
                     hint="np.random.default_rng(rng) returns rng itself when it already is a Generator; then draw "
                          "perm = rng.permutation(n) once")


@pytest.mark.points(1)
@pytest.mark.hint("Return the slices of the permutation as they are: NumPy arrays of integers, not lists.")
def test_batches_are_integer_arrays(student):
    """Docstring clause: the output is a list of int ARRAYS (NumPy arrays of an integer dtype), so that X[idx]
    selects rows and the notebook's check can call .tolist(); typical mistakes: lists of ints, or float indices."""
    got = student.minibatch_indices(7, 3, 0)
    what = "minibatch_indices(7, 3, rng)"
    if not isinstance(got, (list, tuple)):
        checks.fail(f"{what}: expected a list of index arrays, got {checks.summary(got)}.")
    for i, batch in enumerate(got):
        checks.true(isinstance(batch, np.ndarray) and np.issubdtype(batch.dtype, np.integer),
                    f"{what}: batch {i} is {checks.summary(batch)}, not a NumPy array of integers.",
                    hint="slice the integer array that rng.permutation(n) returns")


@pytest.mark.points(1)
def test_batch_size_edge_cases(student):
    """Edge cases: batch_size ≥ n gives one batch of all n examples; batch_size = 1 gives n batches of one."""
    batches, what = _batches(student, 5, 10, 43)
    checks.equal([sorted(b.tolist()) for b in batches], [[0, 1, 2, 3, 4]], what=what)
    batches, what = _batches(student, 6, 1, 44)
    checks.equal(sorted(b.tolist() for b in batches), [[i] for i in range(6)], what=what)


def _regression_data(seed, n=120, d=3, noise=0.1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=d) + rng.normal() + noise * rng.normal(size=n)
    return x, y


@pytest.mark.points(1)
def test_least_squares(student):
    """Reference comparison: the closed-form least-squares fit (w, b) of noisy linear data, with an intercept."""
    x, y = _regression_data(45, n=50, d=4)
    w_want, b_want = ref.least_squares(x, y)
    got = student.least_squares(x, y)
    checks.true(isinstance(got, (list, tuple)) and len(got) == 2, f"least_squares should return (w, b), got {checks.summary(got)}.")
    checks.close(got[0], w_want, rtol=1e-8, atol=1e-10, what="w of least_squares(X, y)")
    checks.close(got[1], b_want, rtol=1e-8, atol=1e-10, what="b of least_squares(X, y)",
                 hint="append a column of ones to X for the intercept")


def _unpack3(got, what):
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        checks.fail(f"{what}: expected (w, b, losses), got {checks.summary(got)}.")
    return got


@pytest.mark.points(2)
@pytest.mark.hint("Use the generator you are given for the batch order, once per epoch, and record the loss on all "
                  "the data after each epoch.")
def test_sgd_linear_regression_replay(student):
    """Reference comparison: SGD for linear regression with batches of 16 (the last one partial) for 8 epochs is
    replayed here with the same random numbers; w, b and the per-epoch losses must match."""
    x, y = _regression_data(46, n=100)
    w_want, b_want, losses_want = ref.sgd_linear(x, y, 0.05, 16, 8, 7)
    what = "sgd_linear_regression(X, y, lr=0.05, batch_size=16, n_epochs=8, seed=7)"
    w, b, losses = _unpack3(student.sgd_linear_regression(x, y, 0.05, 16, 8, 7), what)
    checks.close(losses, losses_want, rtol=1e-8, atol=1e-12, what=f"losses of {what}",
                 hint="losses[0] is the loss of w = 0, b = 0 on all the data, then one value after each epoch; "
                      "create the Generator once, before the first epoch")
    checks.close(w, w_want, rtol=1e-8, atol=1e-12, what=f"w of {what}")
    checks.close(b, b_want, rtol=1e-8, atol=1e-12, what=f"b of {what}")


@pytest.mark.points(1)
def test_sgd_linear_regression_reaches_least_squares(student):
    """Textbook fact: with batch_size = n SGD is gradient descent and converges to the closed-form least-squares
    solution; with small batches and a small learning rate it ends close to it."""
    x, y = _regression_data(47, n=80, noise=0.05)
    w_ls, b_ls = ref.least_squares(x, y)
    w, b, _ = _unpack3(student.sgd_linear_regression(x, y, 0.5, 80, 400, 0), "sgd_linear_regression, full batch")
    checks.close(w, w_ls, atol=1e-7, rtol=0, what="w after 400 full-batch epochs (lr 0.5)")
    checks.close(b, b_ls, atol=1e-7, rtol=0, what="b after 400 full-batch epochs (lr 0.5)")
    w, b, _ = _unpack3(student.sgd_linear_regression(x, y, 0.02, 8, 60, 1), "sgd_linear_regression, batches of 8")
    checks.close(w, w_ls, atol=0.02, rtol=0, what="w after 60 epochs with batches of 8 (lr 0.02)")


def _classification_data(seed, n=90, d=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = (x @ rng.normal(size=d) + 0.3 + 0.5 * rng.normal(size=n) > 0).astype(float)
    return x, y


@pytest.mark.points(2)
def test_logistic_loss_and_gradient(student):
    """Reference comparison: the mean cross-entropy and its gradient (Xᵀ(p − y)/n, mean(p − y)) at a random point."""
    x, y = _classification_data(48)
    rng = np.random.default_rng(49)
    w, b = rng.normal(size=3), 0.4
    loss_want, gw_want, gb_want = ref.logistic(w, b, x, y)
    got = student.logistic_loss_grad(w, b, x, y)
    checks.true(isinstance(got, (list, tuple)) and len(got) == 3,
                f"logistic_loss_grad should return (loss, grad_w, grad_b), got {checks.summary(got)}.")
    checks.close(got[0], loss_want, rtol=1e-9, what="the loss of logistic_loss_grad", hint="use the mean, not the sum")
    checks.close(got[1], gw_want, rtol=1e-8, atol=1e-12, what="grad_w of logistic_loss_grad")
    checks.close(got[2], gb_want, rtol=1e-8, atol=1e-12, what="grad_b of logistic_loss_grad")


@pytest.mark.points(1)
def test_logistic_loss_stable(student):
    """Docstring clause "finite for |z| up to 1e4": confident predictions, |z| = 1000 and 1e4, right and wrong: the
    loss is finite (log(1 + e^1000) = 1000) and the gradient has no nan."""
    x = np.array([[1.0], [-1.0], [1.0], [-1.0], [10.0], [-10.0]])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 1.0])
    got = student.logistic_loss_grad(np.array([1000.0]), 0.0, x, y)
    loss, gw, gb = _unpack3(got, "logistic_loss_grad with z = ±1000 and ±1e4")
    want_loss, want_gw, want_gb = ref.logistic(np.array([1000.0]), 0.0, x, y)
    checks.close(loss, want_loss, rtol=1e-9, what="the loss with z = ±1000 and ±1e4 (two right, four wrong)",
                 hint="compute log(1 + e^z) with np.logaddexp(0, z)")
    checks.close(gw, want_gw, rtol=1e-9, what="grad_w with z = ±1000 and ±1e4", hint="compute σ(z) without overflow")
    checks.close(gb, want_gb, atol=1e-12, what="grad_b with z = ±1000 and ±1e4")


@pytest.mark.points(2)
@pytest.mark.hint("The loss at w = 0 must be log 2; then check that the batches and the random order come from "
                  "minibatch_indices.")
def test_sgd_logistic_regression_replay(student):
    """Reference comparison: SGD for logistic regression (batches of 20, last one partial, 6 epochs) replayed here
    with the same random numbers; losses[0] = log 2."""
    x, y = _classification_data(50)
    w_want, b_want, losses_want = ref.sgd_logistic(x, y, 0.3, 20, 6, 11)
    what = "sgd_logistic_regression(X, y, lr=0.3, batch_size=20, n_epochs=6, seed=11)"
    w, b, losses = _unpack3(student.sgd_logistic_regression(x, y, 0.3, 20, 6, 11), what)
    checks.close(losses, losses_want, rtol=1e-8, atol=1e-12, what=f"losses of {what}")
    checks.close(w, w_want, rtol=1e-8, atol=1e-12, what=f"w of {what}")
    checks.close(b, b_want, rtol=1e-8, atol=1e-12, what=f"b of {what}")


@pytest.mark.points(1)
@pytest.mark.hint("Keep the signatures as given, with the same argument names and seed=0 as the default, and let "
                  "n_epochs = 0 give the starting point and its loss.")
def test_sgd_keywords_default_seed_and_no_epochs(student):
    """Signature clauses, as the notebook's check uses them: both SGD functions are called with lr=, batch_size=,
    n_epochs= by name and without a seed, so the default seed=0 must give the run of seed 0 (replayed here); and
    n_epochs ≥ 0: zero epochs leave w = 0, b = 0 and return the single loss of the start."""
    x, y = _regression_data(52, n=40)
    w_want, b_want, losses_want = ref.sgd_linear(x, y, 0.05, 16, 3, 0)
    what = "sgd_linear_regression(X, y, lr=0.05, batch_size=16, n_epochs=3) without a seed"
    w, b, losses = _unpack3(student.sgd_linear_regression(x, y, lr=0.05, batch_size=16, n_epochs=3), what)
    checks.close(losses, losses_want, rtol=1e-8, atol=1e-12, what=f"losses of {what}")
    checks.close(w, w_want, rtol=1e-8, atol=1e-12, what=f"w of {what}")
    checks.close(b, b_want, rtol=1e-8, atol=1e-12, what=f"b of {what}")

    xc, yc = _classification_data(53, n=30)
    w_want, b_want, losses_want = ref.sgd_logistic(xc, yc, 0.3, 8, 2, 0)
    what = "sgd_logistic_regression(X, y, lr=0.3, batch_size=8, n_epochs=2) without a seed"
    w, b, losses = _unpack3(student.sgd_logistic_regression(xc, yc, lr=0.3, batch_size=8, n_epochs=2), what)
    checks.close(losses, losses_want, rtol=1e-8, atol=1e-12, what=f"losses of {what}")
    checks.close(w, w_want, rtol=1e-8, atol=1e-12, what=f"w of {what}")
    checks.close(b, b_want, rtol=1e-8, atol=1e-12, what=f"b of {what}")

    what = "sgd_linear_regression(X, y, 0.05, 16, 0, 3), zero epochs"
    w, b, losses = _unpack3(student.sgd_linear_regression(x, y, 0.05, 16, 0, 3), what)
    checks.close(w, np.zeros(3), atol=0, what=f"w of {what}")
    checks.close(b, 0.0, atol=0, what=f"b of {what}")
    checks.close(losses, [np.mean(0.5 * y ** 2)], rtol=1e-12, what=f"losses of {what}")
