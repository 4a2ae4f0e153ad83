"""What the hidden tests of assignment 05 share: the grader's data, its seed, and how it drives Keras in the worker.

The grader holds MNIST with its test labels; the worker gets images only (its datasets folder has no
``y_test``, see autograder/sandbox/dataview.py), and every accuracy is computed here. Models stay in the
worker: tests hold handles to them and read what they need (``count_params()``, ``input_shape``, layer configs).
Images travel as uint8 and are scaled inside the worker with ``keras.ops``, a quarter of the bytes of float32.

The budget (measured on 2 CPU cores, Keras 3.15 / TF 2.21): retraining the dense network on 6,000 images for
two epochs takes about 2 s of CPU and the convnet on 3,000 images for two epochs about 5 s; the reference
gets 0.91 and 0.92 on the 10,000 test images, well above the tests' thresholds of 0.80.
"""
import functools

import numpy as np

from autograder import checks
from autograder.course.layout import DATASETS

SEED = 2605                       # the grader's seed (the notebook's examples use 0)
DENSE_RUN = dict(epochs=2, batch_size=128)
DENSE_TRAIN = 6000
CONV_RUN = dict(epochs=2, batch_size=64)
CONV_TRAIN = 3000
MAX_MODEL_MB = 16                 # the notebook tells students this limit


@functools.cache
def mnist() -> dict:
    with np.load(DATASETS / "mnist.npz", allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def train_subset(n: int) -> tuple[np.ndarray, np.ndarray]:
    data = mnist()
    return data["x_train"][:n], data["y_train"][:n].astype(np.int64)


def seed_worker(student, seed: int = SEED) -> None:
    """Keras' global seed in the worker, and on TensorFlow its deterministic ops, so a run can be repeated exactly
    (JAX and PyTorch are repeatable on the CPU, and made so on a GPU by the worker's environment: see
    autograder/sandbox/backends.py)."""
    keras = student.keras.value
    keras.utils.set_random_seed(seed)
    if keras.config.backend() == "tensorflow":
        student.tf.value.config.experimental.enable_op_determinism()


def scaled_in_worker(student, images: np.ndarray, input_shape) -> object:
    """``images / 255`` as float32 in the model's input shape, built in the worker (a handle to a tensor)."""
    shape = tuple(input_shape)[1:] if isinstance(input_shape, (tuple, list)) else None
    if not shape or None in shape or int(np.prod(shape)) != 28 * 28:
        checks.fail(f"the model's input shape is {input_shape!r}; expected (None, 784) or (None, 28, 28, 1).")
    ops = student.keras.value.ops
    scaled = ops.divide(ops.cast(images, "float32"), 255.0)
    return ops.reshape(scaled, (len(images),) + tuple(int(s) for s in shape))


def model_accuracy(student, model, images: np.ndarray, labels: np.ndarray, what: str) -> float:
    """Accuracy of a Keras model (a handle) on ``images``, with the grader's own scaling; labels stay here."""
    scores = model.predict(scaled_in_worker(student, images, model.input_shape), batch_size=500, verbose=0)
    scores = checks.shape(scores, (len(images), 10), what=f"{what}: model.predict on {len(images)} images")
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def retrained_accuracy(student, builder: str, n_train: int, run: dict, seed: int, what: str) -> float:
    """The grader's run: the student's ``builder``() trained by their train() on ``n_train`` images under the
    grader's seed; the worker predicts the test images' labels, the accuracy is computed here."""
    seed_worker(student)
    model = getattr(student, builder)()
    x, y = train_subset(n_train)
    student.train(model, x, y, seed=seed, **run)
    return predicted_accuracy(student.predict_labels(model, mnist()["x_test"]), mnist()["y_test"],
                              f"predict_labels({what}, 10,000 test images)")


def predicted_accuracy(predicted, labels: np.ndarray, what: str) -> float:
    """Accuracy of the labels a student's function predicted."""
    predicted = checks.shape(predicted, labels.shape, what=what)
    return float(np.mean(predicted == labels))


def layer_types(model) -> list[str]:
    return [layer._handle.type_name for layer in model.layers]


def loss_settings(model) -> tuple[str, bool]:
    """The compiled loss as (name, from_logits), whether it was given as a string or a loss object."""
    loss = model.loss
    if isinstance(loss, str):
        return loss, False
    if loss is None:
        checks.fail("the model has no loss: call model.compile(...) before returning it.")
    config = loss.get_config()
    checks.true(isinstance(config, dict), f"the loss's get_config() should be a dict, got {checks.summary(config)}.")
    return str(config.get("name", "")), bool(config.get("from_logits", False))


def optimizer_type(model) -> str:
    """The class of the compiled optimizer ("RMSprop" for optimizer="rmsprop")."""
    optimizer = model.optimizer
    if optimizer is None:
        checks.fail("the model has no optimizer: call model.compile(...) before returning it.")
    return optimizer._handle.type_name
