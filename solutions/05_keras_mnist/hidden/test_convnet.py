"""Hidden tests, Part D: Chollet's small convnet (§8.1), retrained by the grader, and the callbacks (ch. 7)."""
import sys
from pathlib import Path

import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras05_grading import (check_accuracy_metric, check_loss, check_rmsprop, convnet_run, layer_configs,  # noqa: E402
                             layer_types, retrained_accuracy)

CONV_TARGET = 0.80          # the reference gets 0.92 on 3,000 images in 2 epochs; chance is 0.10
LAYERS = ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense"]
CALLBACKS_HINT = ("return [keras.callbacks.EarlyStopping(...), keras.callbacks.ModelCheckpoint(...)] with the "
                  "arguments of the docstring")


@pytest.mark.points(4)
def test_convnet_layers(student):
    """Input (None, 28, 28, 1); Conv2D 32/64/128 filters 3x3 ReLU, two 2x2 max-poolings, Flatten, Dense(10,
    softmax); 104,202 parameters. keras.Sequential and the functional API both pass. Typical mistakes: padding="same"
    or 5x5 kernels (another parameter count), a pooling left out, channels first."""
    model = student.build_convnet()
    checks.equal(tuple(model.input_shape), (None, 28, 28, 1), what="model.input_shape",
                 hint="keras.Input(shape=(28, 28, 1)): one channel, last")
    checks.equal(layer_types(model), LAYERS, what="the layer types, in order")
    configs = layer_configs(model)
    convs = [(c["filters"], tuple(c["kernel_size"]), c["activation"]) for c in configs if "filters" in c]
    checks.equal(convs, [(32, (3, 3), "relu"), (64, (3, 3), "relu"), (128, (3, 3), "relu")],
                 what="the convolutions (filters, kernel size, activation)")
    checks.equal([tuple(c["pool_size"]) for c in configs if "pool_size" in c], [(2, 2), (2, 2)],
                 what="the pool sizes")
    checks.equal((configs[-1]["units"], configs[-1]["activation"]), (10, "softmax"), what="the output layer")
    checks.equal(int(model.count_params()), 104_202, what="model.count_params()")


@pytest.mark.points(2)
def test_convnet_compile(student):
    """Compiled like the dense network: optimizer="rmsprop" (Keras' defaults), and a loss that measures as the mean
    sparse categorical cross-entropy on probabilities (not from_logits=True, not the one-hot loss)."""
    model = student.build_convnet()
    check_rmsprop(student, model, "build_convnet()")
    check_loss(student, model, "build_convnet()")


@pytest.mark.points(1)
def test_convnet_metrics(student):
    """Compiled like the dense network: metrics=["accuracy"], so that model.evaluate and the history report an
    "accuracy". Typical mistake: the metrics left out of this second compile."""
    check_accuracy_metric(student, student.build_convnet(), "build_convnet()")


@pytest.mark.points(4)
@pytest.mark.hint("Train build_convnet() with train() on a few thousand images: images must reach it as "
                  "(N, 28, 28, 1).")
def test_convnet_retrained_accuracy(student):
    """The grader's run: build_convnet() + train() on 3,000 images, 2 epochs, batch 64, the grader's seed;
    at least 80 % of the 10,000 test images right (reference 0.92)."""
    accuracy = retrained_accuracy(student, convnet_run(student), "convnet")
    checks.true(accuracy >= CONV_TARGET,
                f"after the grader's short training run (3,000 images, 2 epochs) your convnet classifies "
                f"{accuracy:.3f} of the test images correctly; at least {CONV_TARGET} was expected.",
                hint="train() and predict_labels() must give the convnet images of shape (N, 28, 28, 1)")


def _callbacks(student):
    callbacks = student.make_callbacks("/tmp/best_model.keras")
    checks.true(isinstance(callbacks, list) and len(callbacks) == 2,
                f"make_callbacks should return a list of two callbacks, got {checks.summary(callbacks)}.",
                hint=CALLBACKS_HINT)
    checks.equal([callback._handle.type_name for callback in callbacks], ["EarlyStopping", "ModelCheckpoint"],
                 what="the callbacks' types, in order", hint=CALLBACKS_HINT)
    return callbacks


@pytest.mark.points(2)
def test_callbacks_early_stopping(student):
    """make_callbacks()[0] is EarlyStopping(monitor="val_accuracy", patience=2), otherwise Keras' defaults: the
    mode that maximises an accuracy ("auto" or "max"), no minimum improvement, no baseline, from the first epoch,
    the last weights kept (the docstring names these settings). Typical mistakes: val_loss, patience 3, mode="min",
    EarlyStopping("val_accuracy", 2) (the second positional argument is min_delta)."""
    early = _callbacks(student)[0]
    checks.equal((early.monitor, int(early.patience)), ("val_accuracy", 2), what="EarlyStopping (monitor, patience)",
                 hint="EarlyStopping(monitor=\"val_accuracy\", patience=2)")
    checks.true(early.mode in ("auto", "max"), f"EarlyStopping's mode is {early.mode!r}: the validation accuracy "
                "should rise, so keep mode=\"auto\" (or \"max\").")
    checks.true(float(early.min_delta) == 0 and early.baseline is None and int(early.start_from_epoch) == 0
                and not early.restore_best_weights,
                "EarlyStopping should keep Keras' defaults apart from monitor and patience (min_delta, baseline, "
                "start_from_epoch, restore_best_weights).",
                hint="EarlyStopping(monitor=\"val_accuracy\", patience=2), nothing more")


@pytest.mark.points(2)
def test_callbacks_checkpoint(student):
    """make_callbacks(path)[1] is ModelCheckpoint(path, monitor="val_accuracy", save_best_only=True): the whole
    model, once per epoch, when the validation accuracy reaches a new best (mode "auto" or "max"; no initial
    threshold). Typical mistakes: monitor left at its default val_loss, save_best_only forgotten, mode="min", the
    path not used."""
    checkpoint = _callbacks(student)[1]
    checks.equal((checkpoint.monitor, bool(checkpoint.save_best_only), checkpoint.filepath),
                 ("val_accuracy", True, "/tmp/best_model.keras"),
                 what="ModelCheckpoint (monitor, save_best_only, filepath)",
                 hint="ModelCheckpoint(checkpoint_path, monitor=\"val_accuracy\", save_best_only=True)")
    checks.true(checkpoint.mode in ("auto", "max"), f"ModelCheckpoint's mode is {checkpoint.mode!r}: the validation "
                "accuracy should rise, so keep mode=\"auto\" (or \"max\").")
    checks.true(not checkpoint.save_weights_only and checkpoint.save_freq == "epoch" and checkpoint.best is None,
                "ModelCheckpoint should save the whole model at the end of each epoch, with Keras' defaults apart "
                "from monitor and save_best_only.",
                hint="ModelCheckpoint(checkpoint_path, monitor=\"val_accuracy\", save_best_only=True), nothing more")
