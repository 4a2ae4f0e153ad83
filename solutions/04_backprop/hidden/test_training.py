"""Hidden tests, Part C: mini-batch SGD on the UCI digits.

The grader loads the digits itself, builds the notebook's fixed split, calls the student's `train_mlp` in
the worker with the grader's seed and the notebook's settings (a fixed number of epochs), and scores the
returned parameters with its own forward pass against its own labels. Each run takes about a second with
the reference solution; the budget below is generous for slower, correct code.
"""
import time

import numpy as np
import pytest

from autograder import checks
from autograder.course.layout import DATASETS

SEED = 2024                    # the grader's seed
TIME_BUDGET_S = 20.0           # wall time allowed for one training run (the reference needs about 1 s)
SMALL_RUN = dict(sizes=[64, 32, 10], activation="relu", epochs=100, batch_size=16, lr=0.1)
FULL_RUN = dict(sizes=[64, 64, 10], activation="relu", epochs=60, batch_size=32, lr=0.1)
SMALL_TARGET = 0.88            # Sec3.3 reports about 92 %; correct code lands in 0.89..0.94 across seeds
FULL_TARGET = 0.96             # the target for the full training split; correct code: 0.966..0.98


def load_split():
    """The notebook's split: the 5th, 10th, ... image of each digit is a test image."""
    with np.load(DATASETS / "digits.npz") as data:
        X = data["images"].reshape(-1, 64).astype(np.float64) / 16.0
        y = data["labels"].astype(np.int64)
    occurrence = np.zeros(len(y), dtype=np.int64)
    seen = np.zeros(10, dtype=np.int64)
    for i, label in enumerate(y):
        occurrence[i] = seen[label]
        seen[label] += 1
    test = occurrence % 5 == 4
    return X[~test], y[~test], X[test], y[test]


def cross_entropy(z, y):
    s = z - z.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def scores(params, X):
    n_layers = len(params) // 2
    h = X
    for l in range(1, n_layers + 1):
        h = h @ params[f"W{l}"] + params[f"b{l}"]
        if l < n_layers:
            h = np.maximum(h, 0.0)
    return h


def trained_params(result, sizes, label):
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"{label}: train_mlp should return (params, history), got {checks.summary(result)}.")
    params, history = result
    checks.true(isinstance(params, dict), f"{label}: params should be a dict, got {checks.summary(params)}.")
    out = {}
    for l in range(1, len(sizes)):
        for name, shape in ((f"W{l}", (sizes[l - 1], sizes[l])), (f"b{l}", (sizes[l],))):
            checks.true(name in params, f"{label}: params has no {name!r} (keys: {sorted(params)}).")
            out[name] = checks.finite(checks.shape(params[name], shape, what=f"{label}: params[{name!r}]"),
                                      what=f"{label}: params[{name!r}]",
                                      hint="the training diverged: check the learning rate schedule and dz / N")
    return out, history


def timed_training(student, X, y, label, **run):
    start = time.perf_counter()
    result = student.train_mlp(X, y, seed=SEED, **run)
    elapsed = time.perf_counter() - start
    checks.true(elapsed <= TIME_BUDGET_S,
                f"{label}: training took {elapsed:.1f} s, over the budget of {TIME_BUDGET_S:.0f} s.",
                hint="work on whole mini-batches with matrix products, not on one example at a time")
    return trained_params(result, run["sizes"], label)


@pytest.mark.points(3)
@pytest.mark.hint("If the public tests pass but training does not learn, test the network's gradients numerically, "
                  "then the learning-rate schedule and the shuffling.")
def test_textbook_experiment_200_images(student):
    """Textbook value (Sec3.3): 64 -> 32 -> 10 trained on 200 images reaches about 92 % test accuracy."""
    X_train, y_train, _, _ = load_split()
    check_test_accuracy(student, X_train[::7][:200], y_train[::7][:200], "64-32-10 on 200 images, 100 epochs",
                        SMALL_RUN, SMALL_TARGET, "the textbook reaches about 0.92; ")


@pytest.mark.points(3)
@pytest.mark.hint("If the public tests pass but training does not learn, test the network's gradients numerically, "
                  "then the learning-rate schedule and the shuffling.")
def test_full_training_split(student):
    """Target: 64 -> 64 -> 10 trained on the 1,442 training images reaches at least 96 % test accuracy."""
    X_train, y_train, _, _ = load_split()
    check_test_accuracy(student, X_train, y_train, "64-64-10 on 1,442 images, 60 epochs", FULL_RUN, FULL_TARGET)


def check_test_accuracy(student, X, y, label, run, target, textbook=""):
    """Train the student's MLP with the grader's budget, then score its parameters on the held-out split here."""
    _, _, X_test, y_test = load_split()
    params, _history = timed_training(student, X, y, label, **run)
    acc = float(np.mean(scores(params, X_test).argmax(axis=1) == y_test))
    checks.true(acc >= target, f"{label}: test accuracy {acc:.3f}; {textbook}at least {target} is required.",
                hint="check the gradient of every layer, the shuffling, and the learning rate lr * (1 - e / E)")


@pytest.mark.points(1)
@pytest.mark.hint("Record one entry per epoch, measured after the epoch's last update, for the training and the "
                  "validation set.")
def test_history(student):
    """The history has one entry per epoch for train and validation, and matches the returned parameters: the
    docstring's "measured on the full data sets after that epoch" (typical mistakes: the mean of the batch losses
    seen during the epoch, values measured before the epoch's updates, accuracy in percent)."""
    X_train, y_train, X_test, y_test = load_split()
    X, y = X_train[::7][:200], y_train[::7][:200]
    run = {**SMALL_RUN, "epochs": 10}
    result = student.train_mlp(X, y, seed=SEED, X_val=X_test, y_val=y_test, **run)
    params, history = trained_params(result, run["sizes"], "10 epochs with X_val")
    checks.true(isinstance(history, dict), f"history should be a dict, got {checks.summary(history)}.")
    for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
        checks.true(key in history, f"history has no {key!r} (keys: {sorted(history)}).")
        checks.shape(history[key], (10,), what=f"history[{key!r}] after 10 epochs")
    loss = np.asarray(history["train_loss"], dtype=float)
    checks.true(loss[-1] < 0.75 * loss[0],
                f"the training loss should fall by at least a quarter in 10 epochs; it went from {loss[0]:.3f} to {loss[-1]:.3f}.")
    train_scores, val_scores = scores(params, X), scores(params, X_test)
    want_train = float(np.mean(train_scores.argmax(axis=1) == y))
    want_val = float(np.mean(val_scores.argmax(axis=1) == y_test))
    checks.close([history["train_acc"][-1], history["val_acc"][-1]], [want_train, want_val], atol=1e-9,
                 what="the last epoch's (train_acc, val_acc)",
                 hint="measure after the epoch's last update, on the full training and validation sets, as a "
                      "fraction between 0 and 1")
    checks.close([history["train_loss"][-1], history["val_loss"][-1]],
                 [cross_entropy(train_scores, y), cross_entropy(val_scores, y_test)], rtol=1e-6,
                 what="the last epoch's (train_loss, val_loss)",
                 hint="the loss of the parameters after the epoch's last update on the FULL sets, not an average of "
                      "the losses of the batches during the epoch")


@pytest.mark.points(1)
def test_training_is_reproducible(student):
    """Edge case: the same seed gives the same parameters (all randomness comes from the seed)."""
    X_train, y_train, _, _ = load_split()
    run = {**SMALL_RUN, "epochs": 3}
    first, _ = trained_params(student.train_mlp(X_train[:100], y_train[:100], seed=SEED, **run), run["sizes"], "run 1")
    second, _ = trained_params(student.train_mlp(X_train[:100], y_train[:100], seed=SEED, **run), run["sizes"], "run 2")
    for name in sorted(first):
        checks.close(second[name], first[name], rtol=0, atol=0, what=f"params[{name!r}] of a second run with the same seed",
                     hint="create every generator from `seed` (np.random.default_rng(seed)); do not use np.random.*")


# ----------------------------------------------------------------------------- the schedule, step by step
SCHEDULE_RUN = dict(sizes=[64, 8, 10], activation="tanh", epochs=3, batch_size=5, lr=0.2)   # 21 images: 5+5+5+5+1
SCHEDULE_SEED = 77
SCHEDULE_MISTAKES = {
    "constant": "a constant learning rate lr (no decay)",
    "late": "the learning rate lr * (1 - (e + 1) / E), which starts one epoch late",
    "drop_last": "the last, smaller batch of each epoch left out",
    "even_batches": "batches of nearly equal sizes (np.array_split) instead of batch_size examples and a smaller last one",
    "one_generator": "one generator for both the initial weights and the shuffling",
}


def reads_given_params(model, params, X):
    """Whether the student's MLP computes with a params dict set from outside: with zero weights and biases in
    the last layer every score is 0, whatever the layers before do."""
    model.params = {k: np.zeros_like(v) for k, v in params.items()}
    scores = model.forward(X[:2])
    return isinstance(scores, np.ndarray) and scores.shape[0] == 2 and np.allclose(scores, 0.0)


def replay_schedule(student, X, y, sizes, activation, epochs, batch_size, lr, seed, variant=None):
    """The parameters train_mlp's docstring prescribes, step by step, with the gradients of the student's own MLP
    (so that only the schedule is tested here): MLP(sizes, activation, seed); rng = np.random.default_rng(seed);
    in epoch e, rng.permutation(N), lr * (1 - e / E), one update params[k] -= lr_e * grads[k] per batch of
    batch_size examples in that order, the last batch smaller. `variant` replays a typical mistake instead.
    Returns the parameters after each epoch."""
    if variant == "one_generator":
        generator = student.np.value.random.default_rng(seed)
        model = student.MLP(sizes, activation, generator)
        permutation = generator.permutation
    else:
        model = student.MLP(sizes, activation, seed=seed)
        permutation = np.random.default_rng(seed).permutation
    params = model.params
    checks.true(isinstance(params, dict) and all(isinstance(v, np.ndarray) for v in params.values()),
                f"MLP({sizes}, {activation!r}).params should be a dict of arrays, got {checks.summary(params)}.")
    checks.true(reads_given_params(model, params, X),
                f"MLP({sizes}, {activation!r}) ignores a params dict set from outside (model.params = ...): the "
                "notebook's accuracy() scores trained parameters that way, and so does this test.",
                hint="forward() must read self.params each time it runs, not weights copied in __init__")

    def gradients(params, X_batch, y_batch):
        model.params = params
        model.loss(X_batch, y_batch)
        grads = model.grads
        return {k: np.asarray(grads[k], dtype=float) for k in params}

    n, after_each_epoch = len(X), []
    for epoch in range(epochs):
        lr_epoch = {"constant": lr, "late": lr * (1.0 - (epoch + 1) / epochs)}.get(variant, lr * (1.0 - epoch / epochs))
        order = np.asarray(permutation(n))
        if variant == "even_batches":
            batches = np.array_split(order, int(np.ceil(n / batch_size)))
        else:
            last = n - batch_size + 1 if variant == "drop_last" else n
            batches = [order[start:start + batch_size] for start in range(0, last, batch_size)]
        for batch in batches:
            grads = gradients(params, X[batch], y[batch])
            params = {k: params[k] - lr_epoch * grads[k] for k in params}
        after_each_epoch.append(params)
    return after_each_epoch


def same_params(got, want):
    return sorted(got) == sorted(want) and all(
        np.shape(got[k]) == np.shape(want[k]) and np.allclose(got[k], want[k], rtol=1e-7, atol=1e-10) for k in want)


@pytest.mark.points(2)
@pytest.mark.hint("Follow the docstring step by step: MLP(sizes, activation, seed) and a separate rng = "
                  "np.random.default_rng(seed); each epoch rng.permutation(N), lr * (1 - e / E), and one update per "
                  "consecutive batch of batch_size examples of that order, the last one smaller.")
def test_train_mlp_follows_the_schedule(student):
    """The docstring's exact schedule, which an accuracy threshold cannot see: the parameters after 3 epochs on 21
    images (batches of 5, 5, 5, 5 and 1) equal those of the prescribed steps, replayed here with the gradients of
    your own MLP (which, as for the notebook's accuracy(), must compute with a params dict set from outside). X_val
    is given and, as the docstring says, "only used for the history". Typical mistakes: no
    decay or a decay that starts one epoch late, the last smaller batch left out (here a batch of one example,
    which range(0, n - 1, batch_size) misses too), np.array_split's batches, one
    generator for both the weights and the shuffling, `activation` not passed to MLP, the parameters of the epoch
    with the best validation accuracy returned instead of the last ones."""
    X_train, y_train, X_test, _ = load_split()
    X, y = X_train[:21], y_train[:21]
    run = SCHEDULE_RUN
    label = "train_mlp on 21 images with X_val, 3 epochs, batch_size 5"
    after_each_epoch = replay_schedule(student, X, y, seed=SCHEDULE_SEED, **run)
    want = after_each_epoch[-1]
    # Validation labels that the FIRST epoch's parameters predict perfectly: code that returns the parameters of its
    # best validation epoch (X_val used for more than the history) returns those instead of the last ones.
    first = after_each_epoch[0]
    X_val = X_test[:40]
    h = X_val
    for l in (1, 2):
        h = h @ first[f"W{l}"] + first[f"b{l}"]
        h = np.tanh(h) if l == 1 else h
    y_val = h.argmax(axis=1)
    result = student.train_mlp(X, y, seed=SCHEDULE_SEED, X_val=X_val, y_val=y_val, **run)
    got, _history = trained_params(result, run["sizes"], label)
    if same_params(got, want):
        return
    if same_params(got, first):
        checks.fail(f"{label}: your parameters are those after the first epoch, where the validation accuracy was "
                    "best, not those after the last epoch.", hint="X_val and y_val are only measured for the history; "
                    "return the parameters after the last update")
    for variant, description in SCHEDULE_MISTAKES.items():
        if same_params(got, replay_schedule(student, X, y, seed=SCHEDULE_SEED, variant=variant, **run)[-1]):
            checks.fail(f"{label}: your parameters are those of a run with {description}, not of the schedule in "
                        "the docstring.", hint="reread the Args of train_mlp: the learning rate, the batches and the "
                        "generators are all prescribed")
    checks.fail(f"{label}: the trained parameters differ from those of the schedule in the docstring (with the "
                "gradients of your own MLP).",
                hint="check, in this order: MLP(sizes, activation, seed); a separate rng = np.random.default_rng(seed); "
                     "rng.permutation(N) once per epoch; lr * (1 - e / E); consecutive batches of batch_size; "
                     "params[k] -= lr_e * grads[k] after each batch; X_val only measured, never trained on")
