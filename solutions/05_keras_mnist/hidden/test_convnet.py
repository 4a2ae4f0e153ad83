"""Hidden tests, Part D: Chollet's small convnet (§8.1), retrained by the grader, and the callbacks (ch. 7)."""
import sys
from pathlib import Path

import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras05_grading import (CONV_RUN, CONV_TRAIN, layer_types, loss_settings, optimizer_type,  # noqa: E402
                             retrained_accuracy)

CONV_TARGET = 0.80          # the reference gets 0.92 on 3,000 images in 2 epochs; chance is 0.10
LAYERS = ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense"]


@pytest.mark.points(4)
def test_convnet_layers(student):
    """Input (None, 28, 28, 1); Conv2D 32/64/128 filters 3x3 ReLU, two 2x2 max-poolings, Flatten, Dense(10,
    softmax); 104,202 parameters."""
    model = student.build_convnet()
    checks.equal(tuple(model.input_shape), (None, 28, 28, 1), what="model.input_shape",
                 hint="keras.Input(shape=(28, 28, 1)): one channel, last")
    checks.equal(layer_types(model), LAYERS, what="the layer types, in order")
    configs = [layer.get_config() for layer in model.layers]
    convs = [(c["filters"], tuple(c["kernel_size"]), c["activation"]) for c in configs if "filters" in c]
    checks.equal(convs, [(32, (3, 3), "relu"), (64, (3, 3), "relu"), (128, (3, 3), "relu")],
                 what="the convolutions (filters, kernel size, activation)")
    checks.equal([tuple(c["pool_size"]) for c in configs if "pool_size" in c], [(2, 2), (2, 2)],
                 what="the pool sizes")
    checks.equal((configs[-1]["units"], configs[-1]["activation"]), (10, "softmax"), what="the output layer")
    checks.equal(int(model.count_params()), 104_202, what="model.count_params()")


@pytest.mark.points(2)
def test_convnet_compile(student):
    """Compiled like the dense network: rmsprop, sparse categorical cross-entropy on probabilities."""
    model = student.build_convnet()
    checks.equal(optimizer_type(model), "RMSprop", what="the optimizer's class", hint='optimizer="rmsprop"')
    name, from_logits = loss_settings(model)
    checks.equal((name, from_logits), ("sparse_categorical_crossentropy", False), what="the loss (name, from_logits)",
                 hint="a softmax output needs from_logits=False")


@pytest.mark.points(5)
def test_convnet_retrained_accuracy(student):
    """The grader's run: build_convnet() + train() on 3,000 images, 2 epochs, batch 64, the grader's seed;
    at least 80 % of the 10,000 test images right (reference 0.92)."""
    accuracy = retrained_accuracy(student, "build_convnet", CONV_TRAIN, CONV_RUN, seed=5, what="convnet")
    checks.true(accuracy >= CONV_TARGET,
                f"after the grader's short training run (3,000 images, 2 epochs) your convnet classifies "
                f"{accuracy:.3f} of the test images correctly; at least {CONV_TARGET} was expected.",
                hint="train() and predict_labels() must give the convnet images of shape (N, 28, 28, 1)")


@pytest.mark.points(4)
def test_callbacks(student):
    """make_callbacks: EarlyStopping on val_accuracy with patience 2, ModelCheckpoint on val_accuracy that saves
    only the best model to the given path."""
    callbacks = student.make_callbacks("best_model.keras")
    checks.true(isinstance(callbacks, list) and len(callbacks) == 2,
                f"make_callbacks should return a list of two callbacks, got {checks.summary(callbacks)}.")
    early, checkpoint = callbacks
    checks.equal([early._handle.type_name, checkpoint._handle.type_name], ["EarlyStopping", "ModelCheckpoint"],
                 what="the callbacks' types")
    checks.equal((early.monitor, int(early.patience)), ("val_accuracy", 2), what="EarlyStopping (monitor, patience)")
    checks.equal((checkpoint.monitor, bool(checkpoint.save_best_only), checkpoint.filepath),
                 ("val_accuracy", True, "best_model.keras"), what="ModelCheckpoint (monitor, save_best_only, filepath)")
