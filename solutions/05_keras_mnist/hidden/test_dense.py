"""Hidden tests, Part B: Chollet's first network, trained again by the grader, and the evaluation helpers.

The grader seeds Keras in the worker, calls build_dense_model() and train() once on its own 6,000 training images
(a fifth held out for validation) for two epochs, with a History callback of its own, and asks predict_labels()
for the 10,000 test images (the worker never sees their labels); the accuracy is computed here. Several tests
read that one run (keras05_grading.dense_run). The tests of train, predict_labels and test_accuracy that need a
model of their own use small models built by the grader, so that they do not depend on build_dense_model.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras05_grading import (DENSE_RUN, DENSE_TRAIN, SEED, PrintedText, check_accuracy_metric, check_loss,  # noqa: E402
                             check_rmsprop, decided, dense_run, fit_steps, grader_model, integer_labels, is_float,
                             layer_configs, layer_types, mnist, model_scores, optimizer_steps, retrained_accuracy,
                             returned_array, seed_worker, train_subset)

DENSE_TARGET = 0.80        # the reference gets 0.91 at this budget (unscaled pixels 0.87); chance is 0.10
HISTORY_KEYS = ["accuracy", "loss", "val_accuracy", "val_loss"]


@pytest.mark.points(3)
def test_dense_layers(student):
    """Chollet §2.1: input (None, 784), Dense(512, relu), Dense(10, softmax); 407,050 parameters. keras.Sequential
    and the functional API both pass, and so does any spelling of the activations ("relu", keras.activations.relu)."""
    model = student.build_dense_model()
    checks.equal(tuple(model.input_shape), (None, 784), what="model.input_shape",
                 hint="the dense network takes flat images: keras.Input(shape=(784,))")
    checks.equal(layer_types(model), ["Dense", "Dense"], what="build_dense_model(): the layer types",
                 hint="keras.Input(shape=(784,)), then Dense(512, relu) and Dense(10, softmax)")
    first, last = layer_configs(model)
    checks.equal((first["units"], first["activation"]), (512, "relu"), what="the first Dense layer (units, activation)")
    checks.equal((last["units"], last["activation"]), (10, "softmax"), what="the last Dense layer (units, activation)")
    checks.equal(int(model.count_params()), 407_050, what="model.count_params()")


@pytest.mark.points(1)
def test_dense_optimizer(student):
    """Chollet compiles with optimizer="rmsprop": an RMSprop with Keras' defaults. Typical mistakes: adam, or an
    RMSprop with a learning rate of one's own."""
    check_rmsprop(student, student.build_dense_model(), "build_dense_model()")


@pytest.mark.points(2)
@pytest.mark.hint("The last layer applies softmax, so the loss receives probabilities: the default from_logits=False.")
def test_dense_loss_is_sparse_cross_entropy_on_probabilities(student):
    """Typical mistakes: softmax applied twice (a softmax output and from_logits=True), and the one-hot loss
    categorical_crossentropy with integer labels. The compiled loss is measured on probabilities of the grader's:
    it must be the mean sparse categorical cross-entropy, whatever its spelling."""
    check_loss(student, student.build_dense_model(), "build_dense_model()")


@pytest.mark.points(1)
def test_dense_metrics(student):
    """metrics=["accuracy"]: model.evaluate reports "accuracy", the fraction of arg-max hits. Typical mistakes: no
    metrics (the history has no "accuracy"), or keras.metrics.Accuracy(), which compares outputs with labels as
    numbers."""
    check_accuracy_metric(student, student.build_dense_model(), "build_dense_model()")


@pytest.mark.points(5)
@pytest.mark.hint("Run train(build_dense_model(), ...) on a few thousand images and then test_accuracy: it should "
                  "be far above 0.1.")
def test_dense_retrained_accuracy(student):
    """The grader's run: build_dense_model() + train() on 6,000 images (a fifth for validation), 2 epochs, batch
    128, the grader's seed; predict_labels() on the 10,000 test images must be right at least 80 % of the time
    (reference 0.91). Catches one-hot labels with the sparse loss (fit fails) and anything that breaks training."""
    accuracy = retrained_accuracy(student, dense_run(student), "model")
    checks.true(accuracy >= DENSE_TARGET,
                f"after the grader's short training run (6,000 images, 2 epochs) your network classifies "
                f"{accuracy:.3f} of the test images correctly; at least {DENSE_TARGET} was expected.",
                hint="use the integer labels as they are with the sparse loss, scale the pixels, and train with "
                     "the epochs and batch size passed to train()")


@pytest.mark.points(2)
def test_train_returns_history(student):
    """train() returns history.history: a dict of lists, one float per epoch, for loss, accuracy and, with a
    validation split, val_loss and val_accuracy (read from the grader's run). Typical mistakes: the History object
    itself, and validation_split not passed on to model.fit."""
    history = dense_run(student).history
    checks.true(isinstance(history, dict), f"train() should return history.history (a dict), got "
                f"{checks.summary(history)}.", hint="the docstring asks for history.history, the dict that the History object holds")
    checks.equal(sorted(history), HISTORY_KEYS, what="the keys of the history of train(..., validation_split=0.2)",
                 hint="pass validation_split on to model.fit and compile with metrics=['accuracy']")
    for key in HISTORY_KEYS:
        values = history[key]
        checks.true(isinstance(values, list) and len(values) == DENSE_RUN["epochs"] and all(map(is_float, values)),
                    f'history["{key}"] after train(..., epochs={DENSE_RUN["epochs"]}) should be a list of one float '
                    f"per epoch, got {checks.summary(values)}.", hint="pass epochs on to model.fit")


@pytest.mark.points(2)
def test_train_passes_batch_size_and_split(student):
    """epochs, batch_size and validation_split reach model.fit: in the grader's run the optimizer makes exactly
    epochs * ceil(4,800 / 128) updates (Keras trains on the first 80 % of 6,000 images). Typical mistakes: fit's
    default batch size of 32, a split of one's own (the notebook's 0.1), or none."""
    steps = dense_run(student).steps
    checks.equal(steps, fit_steps(DENSE_TRAIN, **DENSE_RUN), what="the number of training steps (batches) in "
                 "train(model, 6,000 images, epochs=2, batch_size=128, validation_split=0.2)",
                 hint="model.fit(x, labels, epochs=epochs, batch_size=batch_size, validation_split=validation_split)")


@pytest.mark.points(1)
def test_train_passes_callbacks(student):
    """callbacks reach model.fit: a History callback of the grader's, passed to train(), sees every epoch of the
    grader's run. Typical mistake: callbacks accepted but never given to fit."""
    recorded = dense_run(student).recorded
    checks.true(len(recorded.get("loss", [])) == DENSE_RUN["epochs"],
                "a callback passed to train(..., callbacks=[...]) was not called at the end of each epoch.",
                hint="model.fit(..., callbacks=callbacks): the callbacks must reach fit")


@pytest.mark.points(1)
def test_train_is_silent(student):
    """Docstring: "Train silently (verbose=0)." Nothing may be printed during the grader's run (Keras prints a
    progress bar by default)."""
    printed = dense_run(student).printed
    checks.true(not printed.strip(), f"train() printed {len(printed.splitlines())} lines, e.g. "
                f"{printed.strip().splitlines()[0][:80]!r}." if printed.strip() else "",
                hint="model.fit(..., verbose=0), and no print() in train")


@pytest.mark.points(1)
def test_train_shapes_images_for_the_convnet(student):
    """train() reads model.input_shape: for a model whose input is (28, 28, 1) (a small one of the grader's) it
    gives the images that shape, and trains the right number of steps. Without a validation split (the default
    0.0) the history has "loss" and "accuracy" only. Typical mistakes: always flat images, a validation split of
    one's own."""
    seed_worker(student)
    model = grader_model(student, (28, 28, 1))
    x, y = train_subset(256)
    history = student.train(model, x, y, epochs=1, batch_size=128, seed=4)
    checks.true(isinstance(history, dict) and len(history.get("loss", [])) == 1,
                f"train() of a model with input (28, 28, 1) for 1 epoch returned {checks.summary(history)}.",
                hint="read model.input_shape to choose the shape that prepare_images gives the images")
    checks.equal(optimizer_steps(student, model), fit_steps(256, 1, 128), what="the number of training steps of "
                 "train(model with input (28, 28, 1), 256 images, epochs=1, batch_size=128)")
    checks.equal(sorted(history), ["accuracy", "loss"], what="the keys of the history of train(...) without a "
                 "validation split", hint='"val_loss" and "val_accuracy" belong in the history only when '
                                          "validation_split > 0: pass the argument on as it is")


@pytest.mark.points(2)
@pytest.mark.hint("Call keras.utils.set_random_seed(seed) with the seed train() was given, first thing in train().")
def test_dense_training_is_reproducible(student):
    """Docstring: train() calls keras.utils.set_random_seed(seed) first. Three runs from the same starting weights
    on 1,000 images: the seed alone decides the shuffling, so the same seed after Keras was seeded otherwise gives
    exactly the same losses and outputs, and another seed different ones. Typical mistakes: no seeding (the outcome
    follows the seed set before), a seed of one's own (every seed gives the same run), or seeding after fit."""
    x, y = train_subset(1000)
    probe = mnist()["x_test"][:200]

    def run(seed, other_seed_before):
        seed_worker(student)
        model = student.build_dense_model()          # the same starting weights in every run
        if other_seed_before:                        # train() must set its own seed: the one before is irrelevant
            seed_worker(student, SEED + 1)
        history = student.train(model, x, y, epochs=1, batch_size=128, seed=seed)
        checks.true(isinstance(history, dict) and "loss" in history,
                    f"train() should return history.history, got {checks.summary(history)}.")
        return checks.numbers(history["loss"], what="history['loss']"), model_scores(student, model, probe, "model")

    first, again, other = run(11, False), run(11, True), run(12, False)
    checks.true(np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1]),
                "two training runs with the same seed gave different results.",
                hint="call keras.utils.set_random_seed(seed) at the start of train(), before model.fit")
    checks.true(not np.array_equal(first[1], other[1]),
                "two training runs with different seeds gave exactly the same results: the seed train() was given "
                "is not used.", hint="keras.utils.set_random_seed(seed), with the argument seed")


@pytest.mark.points(2)
def test_predict_labels_is_argmax(student):
    """predict_labels() is the arg-max of the model's outputs on the scaled images, as integers (N,), for a flat
    model and for one whose input is (28, 28, 1) (small models of the grader's). Images whose top two outputs are
    nearly tied are not compared. Typical mistakes: arg-max over axis 0, the largest probability instead of its
    index, float labels, unscaled or always flat images."""
    seed_worker(student)
    images = mnist()["x_test"][:100]
    for shape in ((784,), (28, 28, 1)):
        model = grader_model(student, shape)
        scores = model_scores(student, model, images, "model")
        got = integer_labels(student, student.predict_labels(model, images), (100,),
                             what=f"predict_labels(model with input {shape}, 100 images)")
        clear = decided(scores)
        checks.true(np.array_equal(got[clear], np.argmax(scores, axis=1)[clear]),
                    f"predict_labels(model with input {shape}, 100 images) does not return the arg-max of the "
                    "model's outputs on the scaled images.",
                    hint="scale the images as prepare_images does, in the shape model.input_shape asks for, and take the "
                         "index of the largest output of each image")


@pytest.mark.points(1)
def test_predict_labels_is_silent(student):
    """Docstring: "predict silently, verbose=0". Nothing may be printed (Keras prints a progress bar by default)."""
    seed_worker(student)
    model = grader_model(student, (784,))
    with PrintedText(student) as printed:
        student.predict_labels(model, mnist()["x_test"][:50])
    text = printed.text.strip()
    checks.true(not text, f"predict_labels printed {len(text.splitlines())} lines, e.g. {text.splitlines()[0][:80]!r}."
                if text else "", hint="model.predict(..., verbose=0), and no print() in predict_labels")


@pytest.mark.points(2)
def test_test_accuracy_uses_test_split(student):
    """Typical mistakes: a model evaluated on the training set, the test images compared with the training labels,
    a count or a percentage instead of a fraction. The grader builds a data dict (for a small model of its own)
    whose test labels are the model's predictions for 26 of 40 images, and whose training labels are all right, and
    expects the float 0.65."""
    seed_worker(student)
    model = grader_model(student, (784,))
    pool = mnist()["x_train"][:200]
    scores = model_scores(student, model, pool, "model")
    clear = np.flatnonzero(decided(scores))
    checks.true(len(clear) >= 70, "the grader's model gives too many near-ties; this should not happen.")
    x_train, x_test = pool[clear[:30]], pool[clear[30:70]]
    predicted = np.argmax(scores, axis=1)
    y_test = predicted[clear[30:70]].copy()
    y_test[26:] = (y_test[26:] + 1) % 10
    data = {"x_train": x_train, "y_train": predicted[clear[:30]], "x_test": x_test, "y_test": y_test}
    got = student.test_accuracy(model, data)
    checks.true(is_float(got), f"test_accuracy should return a float, got {checks.summary(got)}.",
                hint="the docstring asks for a Python or NumPy float: not an int, an array or a tensor")
    checks.close(got, 26 / 40, rtol=1e-6, what="test_accuracy(model, data) on a data dict whose test and training "
                 "labels differ", hint='use data["x_test"] and data["y_test"], never the training split, and return '
                                       "the fraction of correct labels")
