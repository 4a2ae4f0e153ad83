"""Hidden tests, Part B: Chollet's first network, trained again by the grader, and the evaluation helpers.

The grader seeds Keras in the worker, calls build_dense_model() and train() on its own 6,000 training images
for two epochs, asks predict_labels() for the 10,000 test images (the worker never sees their labels), and
computes the accuracy here.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras05_grading import (DENSE_RUN, DENSE_TRAIN, layer_types, loss_settings, mnist, optimizer_type,  # noqa: E402
                             retrained_accuracy, seed_worker, train_subset)

DENSE_TARGET = 0.80        # the reference gets 0.91 at this budget (unscaled pixels 0.87); chance is 0.10


def _dense_layers(model, what):
    checks.equal(layer_types(model), ["Dense", "Dense"], what=f"{what}: the layer types",
                 hint="keras.Input(shape=(784,)), then Dense(512, relu) and Dense(10, softmax)")
    return [layer.get_config() for layer in model.layers]


@pytest.mark.points(3)
def test_dense_layers(student):
    """Chollet §2.1: input (None, 784), Dense(512, relu), Dense(10, softmax); 407,050 parameters."""
    model = student.build_dense_model()
    checks.equal(tuple(model.input_shape), (None, 784), what="model.input_shape",
                 hint="the dense network takes flat images: keras.Input(shape=(784,))")
    first, last = _dense_layers(model, "build_dense_model()")
    checks.equal((first["units"], first["activation"]), (512, "relu"), what="the first Dense layer (units, activation)")
    checks.equal((last["units"], last["activation"]), (10, "softmax"), what="the last Dense layer (units, activation)")
    checks.equal(int(model.count_params()), 407_050, what="model.count_params()")


@pytest.mark.points(1)
def test_dense_optimizer(student):
    """Chollet compiles with rmsprop."""
    checks.equal(optimizer_type(student.build_dense_model()), "RMSprop", what="the optimizer's class",
                 hint='model.compile(optimizer="rmsprop", ...)')


@pytest.mark.points(3)
def test_dense_loss_is_sparse_cross_entropy_on_probabilities(student):
    """Typical mistake: softmax applied twice (a softmax output and from_logits=True). Integer labels need the
    sparse categorical cross-entropy, on probabilities (from_logits=False) since the output is a softmax."""
    name, from_logits = loss_settings(student.build_dense_model())
    checks.equal(name, "sparse_categorical_crossentropy", what="the loss",
                 hint="the labels are integers 0..9: use the sparse categorical cross-entropy")
    checks.true(not from_logits, "the loss has from_logits=True, but the last layer already applies softmax, so "
                "softmax is applied twice.", hint="keep from_logits=False with a softmax output")


@pytest.mark.points(8)
def test_dense_retrained_accuracy(student):
    """The grader's run: build_dense_model() + train() on 6,000 images, 2 epochs, batch 128, the grader's seed;
    predict_labels() on the 10,000 test images must be right at least 80 % of the time (reference 0.91).
    Catches one-hot labels with the sparse loss (fit fails) and anything that breaks training."""
    accuracy = retrained_accuracy(student, "build_dense_model", DENSE_TRAIN, DENSE_RUN, seed=7, what="model")
    checks.true(accuracy >= DENSE_TARGET,
                f"after the grader's short training run (6,000 images, 2 epochs) your network classifies "
                f"{accuracy:.3f} of the test images correctly; at least {DENSE_TARGET} was expected.",
                hint="use the integer labels as they are with the sparse loss, scale the pixels, and train with "
                     "the epochs and batch size passed to train()")


@pytest.mark.points(2)
def test_train_returns_history(student):
    """train() returns history.history: one value per epoch for loss, accuracy and, with a split, validation."""
    seed_worker(student)
    model = student.build_dense_model()
    x, y = train_subset(512)
    history = student.train(model, x, y, epochs=2, batch_size=128, validation_split=0.25, seed=3)
    checks.true(isinstance(history, dict), f"train() should return history.history (a dict), got "
                f"{checks.summary(history)}.")
    checks.equal(sorted(history), ["accuracy", "loss", "val_accuracy", "val_loss"],
                 what="the keys of train(..., validation_split=0.25)'s history",
                 hint="pass validation_split on to model.fit and compile with metrics=['accuracy']")
    checks.shape(history["loss"], (2,), what='history["loss"] after 2 epochs')


@pytest.mark.points(3)
def test_dense_training_is_reproducible(student):
    """Same seed, same result: two runs of build + train with the same seeds predict exactly the same labels and
    losses (the grader enables TensorFlow's deterministic ops)."""
    x, y = train_subset(2000)
    runs = []
    for _ in range(2):
        seed_worker(student)
        model = student.build_dense_model()
        history = student.train(model, x, y, epochs=1, batch_size=128, seed=11)
        runs.append((checks.numbers(history["loss"], what="history['loss']"),
                     checks.numbers(student.predict_labels(model, mnist()["x_test"][:1000]), what="predict_labels")))
    checks.true(np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1]),
                "two training runs with the same seed gave different results.",
                hint="call keras.utils.set_random_seed(seed) at the start of train(), before model.fit")


@pytest.mark.points(2)
def test_predict_labels_is_argmax(student):
    """predict_labels() is the arg-max of model.predict on the scaled images, as int (N,)."""
    seed_worker(student)
    model = student.build_dense_model()
    images = mnist()["x_test"][:64]
    keras_ops = student.keras.value.ops
    scaled = keras_ops.divide(keras_ops.cast(images.reshape(64, 784), "float32"), 255.0)
    expected = np.argmax(checks.numbers(model.predict(scaled, verbose=0), what="model.predict"), axis=1)
    got = checks.shape(student.predict_labels(model, images), (64,), what="predict_labels(model, 64 images)")
    checks.true(np.issubdtype(np.asarray(student.predict_labels(model, images[:2])).dtype, np.integer),
                "predict_labels should return integer labels.", hint="np.argmax(scores, axis=1)")
    checks.true(np.array_equal(got, expected), "predict_labels does not return the arg-max of the model's outputs "
                "on the scaled images.", hint="prepare_images first, then model.predict, then np.argmax(axis=1)")


@pytest.mark.points(4)
def test_test_accuracy_uses_test_split(student):
    """Typical mistake: a model evaluated on the training set. The grader builds a data dict whose test labels
    are what the model predicts (accuracy 1) and whose training labels never are (accuracy 0)."""
    seed_worker(student)
    model = student.build_dense_model()
    keras_ops = student.keras.value.ops
    images = mnist()["x_train"][:400]

    def predicted(part):
        scaled = keras_ops.divide(keras_ops.cast(part.reshape(len(part), 784), "float32"), 255.0)
        return np.argmax(checks.numbers(model.predict(scaled, verbose=0), what="model.predict"), axis=1)

    x_train, x_test = images[:200], images[200:]
    data = {"x_train": x_train, "y_train": (predicted(x_train) + 1) % 10,
            "x_test": x_test, "y_test": predicted(x_test)}
    got = student.test_accuracy(model, data)
    checks.close(got, 1.0, what="test_accuracy(model, data) on a data dict where only the test labels match the "
                 "model's predictions", hint='use data["x_test"] and data["y_test"], never the training split')
