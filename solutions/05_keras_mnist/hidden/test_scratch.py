"""Hidden tests, Part C: the network from scratch (Chollet §2.5), checked against TensorFlow in the grader.

The training step is compared with a reference computed here with tf.GradientTape, for the same weights: the
grader sends the weights as arrays, the worker assigns them to the student's variables, takes one step, and
sends the loss and the new weights back. This is the only module of the suite that uses TensorFlow, and only in
that reference step: on another Keras backend the tests of tf.Variable and tf.GradientTape are skipped
(``backends("tensorflow")``: 0 of 0 points, and a message), so grading on JAX or PyTorch needs no TensorFlow.
BatchGenerator is plain NumPy and is graded on every backend.
"""
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras05_grading import mnist, seed_worker, train_subset  # noqa: E402

tensorflow_only = pytest.mark.backends("tensorflow")

NAIVE_TRAIN, NAIVE_EPOCHS, NAIVE_LR = 10_000, 3, 0.5
NAIVE_TARGET = 0.90         # on the first 2,000 test images; Chollet's all-positive start learns too slowly for a
                            # short run, so the grader starts from Glorot-uniform weights (the notebook says so)


def _naive_model(student, sizes, seed):
    """A NaiveSequential of NaiveDense layers (ReLU, then softmax) whose weights the grader sets."""
    seed_worker(student)
    tf_nn = student.tf.value.nn
    activations = [tf_nn.relu] * (len(sizes) - 2) + [tf_nn.softmax]
    model = student.NaiveSequential([student.NaiveDense(n_in, n_out, act)
                                     for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations)])
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights += [rng.normal(0, 0.5, size=(n_in, n_out)).astype(np.float32),
                    rng.normal(0, 0.1, size=n_out).astype(np.float32)]
    variables = list(model.weights)
    checks.equal(len(variables), len(weights), what="len(model.weights) for a NaiveSequential of "
                 f"{len(sizes) - 1} NaiveDense layers", hint="[W1, b1, W2, b2, ...], first layer first")
    for variable, value in zip(variables, weights):
        variable.assign(value)
    return model, weights


def _tensorflow():
    """TensorFlow in the grader, imported only by the tests that need it (on the CPU, quietly)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow
    return tensorflow


def _reference_step(weights, x, y, lr):
    """Loss and updated weights by tf.GradientTape: the textbook step on the same weights."""
    tf = _tensorflow()
    variables = [tf.Variable(w) for w in weights]
    with tf.GradientTape() as tape:
        h = tf.constant(x)
        for k in range(0, len(variables), 2):
            h = tf.matmul(h, variables[k]) + variables[k + 1]
            h = tf.nn.softmax(h) if k == len(variables) - 2 else tf.nn.relu(h)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, h))
    grads = tape.gradient(loss, variables)
    return float(loss), [w - lr * g.numpy() for w, g in zip(weights, grads)]


@tensorflow_only
@pytest.mark.points(3)
def test_naive_dense_initialisation(student):
    """Chollet §2.5: W is a float32 tf.Variable (input_size, output_size) uniform in [0, 0.1); b is zeros;
    weights is [W, b]."""
    seed_worker(student)
    layer = student.NaiveDense(30, 20, student.tf.value.nn.relu)
    W = checks.shape(layer.W.numpy(), (30, 20), what="NaiveDense(30, 20, relu).W")
    checks.true(W.min() >= 0.0 and W.max() < 0.1 and W.std() > 0.01,
                f"W should be uniform in [0, 0.1), got values from {W.min():.4f} to {W.max():.4f}.",
                hint="tf.random.uniform((input_size, output_size), minval=0, maxval=0.1)")
    checks.close(layer.b.numpy(), np.zeros(20), what="NaiveDense(30, 20, relu).b", hint="tf.zeros((output_size,))")
    weights = layer.weights
    checks.equal(len(weights), 2, what="len(layer.weights)")
    checks.close(weights[0].numpy(), W, what="layer.weights[0] (should be W)")


@tensorflow_only
@pytest.mark.points(3)
def test_naive_forward_matches_numpy(student):
    """NaiveSequential([NaiveDense(12, 9, relu), NaiveDense(9, 5, softmax)]) computes softmax(relu(xW1+b1)W2+b2)."""
    model, weights = _naive_model(student, [12, 9, 5], seed=60)
    x = np.random.default_rng(61).normal(size=(6, 12)).astype(np.float32)
    h = np.maximum(x @ weights[0] + weights[1], 0) @ weights[2] + weights[3]
    p = np.exp(h - h.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    checks.close(model(x).numpy(), p, rtol=1e-4, atol=1e-6, what="model(x) for two layers with the grader's weights",
                 hint="each layer computes activation(x @ W + b); the model calls its layers in order")


@tensorflow_only
@pytest.mark.points(3)
def test_naive_sequential_weights_in_order(student):
    """weights lists every layer's [W, b], first layer first, for three layers."""
    model, weights = _naive_model(student, [7, 6, 5, 4], seed=62)
    got = list(model.weights)
    checks.equal([tuple(w.shape) for w in got], [w.shape for w in weights], what="the shapes of model.weights",
                 hint="[W1, b1, W2, b2, W3, b3]")
    for k, (variable, value) in enumerate(zip(got, weights)):
        checks.close(variable.numpy(), value, what=f"model.weights[{k}]")


@pytest.mark.points(3)
def test_batch_generator_covers_the_data_in_order(student):
    """Seven examples in batches of 3: three batches, [0:3], [3:6] and the short [6:7]; one batch of 8 >= N."""
    images = np.arange(7 * 2).reshape(7, 2)
    labels = np.arange(7) * 10
    generator = student.BatchGenerator(images, labels, batch_size=3)
    checks.equal(int(generator.num_batches), 3, what="BatchGenerator(7 examples, batch_size=3).num_batches",
                 hint="ceil(N / batch_size): the last batch may be smaller")
    for k, (start, stop) in enumerate([(0, 3), (3, 6), (6, 7)]):
        batch = generator.next()
        checks.true(isinstance(batch, (tuple, list)) and len(batch) == 2,
                    f"next() should return (images, labels), got {checks.summary(batch)}.")
        checks.close(batch[0], images[start:stop], what=f"images of batch {k}")
        checks.close(batch[1], labels[start:stop], what=f"labels of batch {k}")
    checks.equal(int(student.BatchGenerator(images, labels, batch_size=8).num_batches), 1,
                 what="BatchGenerator(7 examples, batch_size=8).num_batches")


@tensorflow_only
@pytest.mark.points(6)
def test_training_step_matches_gradient_tape(student):
    """One step of 20 -> 16 -> 10 on 8 examples, lr 0.05, against tf.GradientTape in the grader on the same
    weights: the loss before the update and every updated weight. Typical mistakes: gradients taken outside the
    tape (all None), and `w = w - lr * g` instead of w.assign_sub (the model's weights do not change)."""
    model, weights = _naive_model(student, [20, 16, 10], seed=63)
    rng = np.random.default_rng(64)
    x = rng.normal(size=(8, 20)).astype(np.float32)
    y = rng.integers(0, 10, size=8)
    want_loss, want_weights = _reference_step(weights, x, y, 0.05)
    loss = student.one_training_step(model, x, y, learning_rate=0.05)
    checks.close(float(loss), want_loss, rtol=1e-4, what="the loss that one_training_step returned",
                 hint="the mean sparse categorical cross-entropy of the batch, before the update")
    names = ["W1", "b1", "W2", "b2"]
    for name, variable, before, want in zip(names, model.weights, weights, want_weights):
        got = checks.numbers(variable.numpy(), what=name)
        checks.true(not np.array_equal(got, before),
                    f"{name} did not change in the training step.",
                    hint="update the variables in place with w.assign_sub(learning_rate * g); `w = w - ...` only "
                         "rebinds a local name")
        checks.close(got, want, rtol=1e-4, atol=1e-6, what=f"{name} after one step, compared with tf.GradientTape",
                     hint="compute the predictions and the loss inside `with tf.GradientTape() as tape:`")


@tensorflow_only
@pytest.mark.points(7)
def test_naive_fit_learns_mnist(student):
    """build_naive_model() with the grader's Glorot-uniform starting weights, trained by naive_fit on 10,000
    images, 3 epochs, batch 128, lr 0.5, must classify at least 90 % of 2,000 test images, and return one
    decreasing loss per epoch."""
    seed_worker(student)
    model = student.build_naive_model()
    rng = np.random.default_rng(65)
    variables = list(model.weights)
    checks.equal([tuple(v.shape) for v in variables], [(784, 512), (512,), (512, 10), (10,)],
                 what="the shapes of build_naive_model().weights")
    for variable in variables:
        shape = tuple(variable.shape)
        limit = np.sqrt(6.0 / sum(shape)) if len(shape) == 2 else 0.0
        variable.assign(rng.uniform(-limit, limit, size=shape).astype(np.float32))
    x, y = train_subset(NAIVE_TRAIN)
    losses = student.naive_fit(model, x.reshape(-1, 784).astype(np.float32) / np.float32(255.0), y,
                               epochs=NAIVE_EPOCHS, batch_size=128, learning_rate=NAIVE_LR)
    losses = checks.finite(checks.shape(losses, (NAIVE_EPOCHS,), what="naive_fit's losses (one per epoch)"),
                           what="naive_fit's losses")
    checks.true(losses[-1] < losses[0], f"the loss did not decrease over the epochs ({checks.summary(losses)}).",
                hint="update the weights in place with assign_sub after every batch")
    x_test = mnist()["x_test"][:2000].reshape(-1, 784).astype(np.float32) / np.float32(255.0)
    scores = checks.shape(model(x_test).numpy(), (2000, 10), what="the trained model's outputs")
    accuracy = float(np.mean(np.argmax(scores, axis=1) == mnist()["y_test"][:2000]))
    checks.true(accuracy >= NAIVE_TARGET, f"after naive_fit the model classifies {accuracy:.3f} of the test images "
                f"correctly; at least {NAIVE_TARGET} was expected.",
                hint="one_training_step on every batch of every epoch, with the learning rate passed in")


@tensorflow_only
@pytest.mark.points(1)
def test_one_training_step_returns_a_float(student):
    """Docstring: the loss is returned "as a float" (a Python or NumPy float), not as a tensor. Typical mistake:
    returning the tape's loss tensor itself."""
    model, weights = _naive_model(student, [5, 4, 3], seed=66)
    rng = np.random.default_rng(67)
    x = rng.normal(size=(4, 5)).astype(np.float32)
    loss = student.one_training_step(model, x, rng.integers(0, 3, size=4), learning_rate=0.05)
    checks.true(isinstance(loss, (float, np.floating)),
                f"one_training_step should return the loss as a float, got {checks.summary(loss)}.",
                hint="convert the loss to a float before returning it; a tensor is not a float")


def _reference_fit(weights, x, y, epochs, batch_size, lr):
    """naive_fit by the textbook with tf.GradientTape in the grader: per epoch, the mean of its batch losses."""
    tf = _tensorflow()
    variables = [tf.Variable(w) for w in weights]
    losses = []
    for _ in range(epochs):
        batch_losses = []
        for start in range(0, len(x), batch_size):
            with tf.GradientTape() as tape:
                h = tf.constant(x[start:start + batch_size])
                for k in range(0, len(variables), 2):
                    h = tf.matmul(h, variables[k]) + variables[k + 1]
                    h = tf.nn.softmax(h) if k == len(variables) - 2 else tf.nn.relu(h)
                loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y[start:start + batch_size], h))
            for variable, gradient in zip(variables, tape.gradient(loss, variables)):
                variable.assign_sub(lr * gradient)
            batch_losses.append(float(loss))
        losses.append(float(np.mean(batch_losses)))
    return losses


@tensorflow_only
@pytest.mark.points(2)
def test_naive_fit_returns_mean_batch_loss_per_epoch(student):
    """Docstring: naive_fit returns a list with one float per epoch, the mean of that epoch's batch losses, from a
    new BatchGenerator each epoch. Ten examples in batches of 4 (4, 4 and 2), two epochs, lr 0.1, against the same
    run with tf.GradientTape in the grader. Typical mistakes: the last batch's loss, a sum, one generator for all
    epochs (the second epoch gets no batches)."""
    model, weights = _naive_model(student, [6, 5, 3], seed=68)
    rng = np.random.default_rng(69)
    x = rng.normal(size=(10, 6)).astype(np.float32)
    y = rng.integers(0, 3, size=10)
    want = _reference_fit(weights, x, y, epochs=2, batch_size=4, lr=0.1)
    losses = student.naive_fit(model, x, y, epochs=2, batch_size=4, learning_rate=0.1)
    checks.true(isinstance(losses, list) and len(losses) == 2 and all(isinstance(v, (float, np.floating))
                                                                      for v in losses),
                f"naive_fit(..., epochs=2) should return a list of two floats, got {checks.summary(losses)}.",
                hint="one float per epoch: the mean of that epoch's batch losses")
    checks.close(losses, want, rtol=1e-4, what="naive_fit's losses per epoch (10 examples, batches of 4)",
                 hint="each epoch: a new BatchGenerator, one_training_step on each of its num_batches batches, then "
                      "the mean of those losses")
