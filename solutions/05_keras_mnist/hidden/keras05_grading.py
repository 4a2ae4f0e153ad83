"""What the hidden tests of assignment 05 share: the grader's data, its seed, and how it drives Keras in the worker.

The grader holds MNIST with its test labels; the worker gets images only (its datasets folder has no
``y_test``, see autograder/sandbox/dataview.py), and every accuracy is computed here. Models stay in the
worker: tests hold handles to them and read what they need (``count_params()``, ``input_shape``, layer configs).
Images travel as uint8 and are scaled inside the worker with ``keras.ops``, a quarter of the bytes of float32.

Training is what costs: each student's notebook trains in three runs of the grader, each made once per student
and shared by the tests that read it (:func:`once`): the dense network (:func:`dense_run`), the convnet
(:func:`convnet_run`), and the short runs of the seed test. Everything else reads configs, calls ``predict`` on
a few images, or builds small models of the grader's own (:func:`grader_model`), so that a test of ``train`` or
``predict_labels`` does not depend on the student's builders.

The budget (measured on 2 CPU cores, Keras 3.15 / TF 2.21): retraining the dense network on 4,800 images (6,000
with a fifth held out for validation) for two epochs takes about 2 s of CPU and the convnet on 3,000 images for two
epochs about 5 s; the reference gets 0.91 and 0.92 on the 10,000 test images, well above the tests' thresholds of
0.80.
"""
import functools
import math
import weakref
from dataclasses import dataclass

import numpy as np

from autograder import checks
from autograder.course.layout import DATASETS
from autograder.sandbox.errors import StudentError
from autograder.sandbox.proxies import Remote

SEED = 2605                       # the grader's seed (the notebook's examples use 0)
DENSE_RUN = dict(epochs=2, batch_size=128, validation_split=0.2)
DENSE_TRAIN = 6000
CONV_RUN = dict(epochs=2, batch_size=64)
CONV_TRAIN = 3000
MAX_MODEL_MB = 16                 # the notebook tells students this limit
MARGIN = 1e-3                     # images whose top two probabilities are closer than this decide nothing:
                                  # another correct order of float32 operations may swap them


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


# ---------------------------------------------------------------- one run per student, shared by tests

_RUNS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def once(student, name: str, make):
    """``make()``, computed once per student's session and remembered for the other tests that read it; an
    exception it raised is raised again in each of them (each such test fails, with the same message)."""
    runs = _RUNS.setdefault(student._session, {})
    if name not in runs:
        try:
            runs[name] = (True, make())
        except Exception as exc:  # noqa: BLE001 - raised again below, in every test that needs this run
            runs[name] = (False, exc)
    ok, value = runs[name]
    if not ok:
        raise value
    return value


@dataclass
class TrainRun:
    """What the grader's run of ``train`` left: the model (a handle), what train() returned, what the grader's own
    History callback recorded, the optimizer's step count, and what train() printed."""
    model: object
    history: object
    recorded: dict
    steps: int
    printed: str


def dense_run(student) -> TrainRun:
    """The grader's run: build_dense_model() trained by the student's train() on 6,000 images, a fifth held out for
    validation, 2 epochs of batches of 128, the grader's seed, with a History callback of the grader's."""
    return once(student, "dense", lambda: _train_run(student, "build_dense_model", DENSE_TRAIN, DENSE_RUN, seed=7))


def convnet_run(student) -> TrainRun:
    """The grader's run of the convnet: 3,000 images, 2 epochs of batches of 64, no validation."""
    return once(student, "convnet", lambda: _train_run(student, "build_convnet", CONV_TRAIN, CONV_RUN, seed=5))


def _train_run(student, builder: str, n_train: int, run: dict, seed: int) -> TrainRun:
    seed_worker(student)
    model = getattr(student, builder)()
    x, y = train_subset(n_train)
    recorder = student.keras.value.callbacks.History()
    with PrintedText(student) as printed:
        history = student.train(model, x, y, seed=seed, callbacks=[recorder], **run)
    return TrainRun(model, history, dict(recorder.history), optimizer_steps(student, model), printed.text)


def fit_steps(n: int, epochs: int, batch_size: int, validation_split: float = 0.0) -> int:
    """How many batches model.fit trains on (Keras keeps the first floor(n * (1 - split)) examples for training)."""
    return epochs * math.ceil(math.floor(n * (1.0 - validation_split)) / batch_size)


def optimizer_steps(student, model) -> int:
    """How many updates the model's optimizer has made (``optimizer.iterations``)."""
    optimizer = model.optimizer
    if optimizer is None:
        checks.fail("the model has no optimizer after training: compile it before returning it.")
    return int(np.asarray(student.keras.value.ops.convert_to_numpy(optimizer.iterations)))


def retrained_accuracy(student, run: TrainRun, what: str) -> float:
    """The student's predict_labels() on the 10,000 test images after the grader's run; the accuracy is computed
    here (the worker never sees the test labels)."""
    return predicted_accuracy(returned_array(student, student.predict_labels(run.model, mnist()["x_test"]),
                                             f"predict_labels({what}, 10,000 test images)"),
                              mnist()["y_test"], f"predict_labels({what}, 10,000 test images)")


def predicted_accuracy(predicted, labels: np.ndarray, what: str) -> float:
    """Accuracy of the labels a student's function predicted."""
    predicted = checks.shape(predicted, labels.shape, what=what)
    return float(np.mean(predicted == labels))


# ---------------------------------------------------------------- what the worker returns

def returned_array(student, value, what: str):
    """An array the student's code returned: a NumPy array comes as it is; a tensor of the backend (keras.ops)
    stays in the worker, which converts it with keras.ops.convert_to_numpy (keeping its dtype)."""
    if isinstance(value, Remote):
        try:
            value = student.keras.value.ops.convert_to_numpy(value)
        except StudentError:
            checks.fail(f"{what}: expected an array, got a {value._handle.type_name}.")
        if isinstance(value, Remote):
            checks.fail(f"{what}: expected an array, got a {value._handle.type_name}.")
    return value


def integer_labels(student, value, shape: tuple, what: str) -> np.ndarray:
    """Labels as the docstrings promise them: an array of integers of the given shape."""
    value = returned_array(student, value, what)
    checks.shape(value, shape, what=what)
    checks.true(np.issubdtype(np.asarray(value).dtype, np.integer),
                f"{what} should be integer labels, got {checks.summary(value)}.",
                hint="np.argmax gives the index of the largest output as an integer; do not convert it to float")
    return np.asarray(value)


def is_float(value) -> bool:
    """A Python float or a NumPy floating-point scalar (not an int, an array, a list or a tensor)."""
    return isinstance(value, (float, np.floating)) and not isinstance(value, bool)


class PrintedText:
    """What the student's code prints to ``sys.stdout`` in the worker while the ``with`` block runs (Keras' progress
    bars go there). The worker's stdout is swapped for a file in its /tmp, through the notebook's own
    ``os`` (the first cell imports it), and restored when the block ends, also when the code raised."""

    def __init__(self, student):
        self.student, self.text, self.stream = student, "", None

    def __enter__(self):
        try:
            os_ = self.os = self.student.os.value
        except StudentError:  # a notebook without `import os` (its first cell has it): nothing is captured
            return self
        self.path = f"/tmp/autograder-printed-{int(os_.getpid())}.txt"  # a worker of its own, also unsandboxed
        fd = os_.open(self.path, os_.O_RDWR | os_.O_CREAT | os_.O_TRUNC, 0o600)
        self.stream = os_.fdopen(fd, "w+")
        self.sys = os_.sys
        self.saved = self.sys.stdout
        self.sys.stdout = self.stream
        return self

    def __exit__(self, exc_type, exc, traceback):
        if self.stream is None:
            return False
        try:
            self.sys.stdout = self.saved
            self.stream.flush()
            self.stream.seek(0)
            text = self.stream.read()
            self.stream.close()
            self.os.unlink(self.path)
        except Exception:  # noqa: BLE001 - the worker is gone: the block's own error says why
            if exc_type is None:
                raise
            return False
        self.text = text if isinstance(text, str) else ""
        return False


def call_keeping_argument(student, name: str, array: np.ndarray, *more):
    """``student.<name>(array, *more)`` with ``array`` held in the worker, and that array as it is after the call.

    A plain call sends a copy, so whatever the function does to its argument stays in the worker. Here the array
    goes into an object array in the worker (numpy sends object arrays as handles, not as data), the function is
    called through ``np.frompyfunc`` so that it receives that very array, and the array is read back afterwards.
    ``more`` are Python values, held the same way so that they arrive as they are (not as NumPy scalars)."""
    npw = student.np.value
    held = [npw.fromiter([value], dtype="O", count=1) for value in (array, *more)]
    npw.frompyfunc(getattr(student, name).value, len(held), 1)(*held)
    return held[0].tolist()[0]


# ---------------------------------------------------------------- models: the student's and the grader's

def layer_types(model) -> list[str]:
    """The model's layers' classes, in order; the InputLayer of a functional model (keras.Model(inputs, outputs))
    is left out, so that it reads like the same keras.Sequential."""
    names = [layer._handle.type_name for layer in model.layers]
    return [name for name in names if name != "InputLayer"]


def layer_configs(model) -> list[dict]:
    return [layer.get_config() for layer in model.layers if layer._handle.type_name != "InputLayer"]


def grader_model(student, input_shape: tuple):
    """A small model of the grader's own, built in the worker: Input(input_shape) -> Flatten -> Dense(10, softmax),
    compiled as the notebook compiles its models. Tests of train, predict_labels and test_accuracy use it, so that
    they do not depend on the student's builders. Its biases are drawn from U(-1, 1), not zeros: a model without
    biases would give the same arg-max for images / 255 and for the raw pixels, and miss unscaled inputs."""
    keras = student.keras.value
    biases = keras.initializers.RandomUniform(minval=-1.0, maxval=1.0)
    model = keras.Sequential([keras.Input(shape=tuple(input_shape)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax", bias_initializer=biases)])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def scaled_in_worker(student, images: np.ndarray, input_shape) -> object:
    """``images / 255`` as float32 in the model's input shape, built in the worker (a handle to a tensor)."""
    shape = tuple(input_shape)[1:] if isinstance(input_shape, (tuple, list)) else None
    if not shape or None in shape or int(np.prod(shape)) != 28 * 28:
        checks.fail(f"the model's input shape is {input_shape!r}; expected (None, 784) or (None, 28, 28, 1).")
    ops = student.keras.value.ops
    scaled = ops.divide(ops.cast(images, "float32"), 255.0)
    return ops.reshape(scaled, (len(images),) + tuple(int(s) for s in shape))


def model_scores(student, model, images: np.ndarray, what: str) -> np.ndarray:
    """The model's 10 outputs for ``images``, with the grader's own scaling (model.predict in the worker)."""
    scores = model.predict(scaled_in_worker(student, images, model.input_shape), batch_size=500, verbose=0)
    return checks.shape(scores, (len(images), 10), what=f"{what}: model.predict on {len(images)} images")


def model_accuracy(student, model, images: np.ndarray, labels: np.ndarray, what: str) -> float:
    """Accuracy of a Keras model (a handle) on ``images``, with the grader's own scaling; labels stay here."""
    return float(np.mean(np.argmax(model_scores(student, model, images, what), axis=1) == labels))


def decided(scores: np.ndarray) -> np.ndarray:
    """Which rows have one clear arg-max (top two outputs at least MARGIN apart)."""
    top = np.sort(scores, axis=1)
    return top[:, -1] - top[:, -2] >= MARGIN


# ---------------------------------------------------------------- compile settings, read or measured

def optimizer_type(model) -> str:
    """The class of the compiled optimizer ("RMSprop" for optimizer="rmsprop")."""
    optimizer = model.optimizer
    if optimizer is None:
        checks.fail("the model has no optimizer: call model.compile(...) before returning it.")
    return optimizer._handle.type_name


def check_rmsprop(student, model, what: str) -> None:
    """optimizer="rmsprop": an RMSprop with Keras' default settings (learning rate 0.001, rho 0.9, ...), compared
    with a fresh keras.optimizers.RMSprop() made in the worker, names aside."""
    checks.equal(optimizer_type(model), "RMSprop", what=f"{what}: the optimizer's class",
                 hint='model.compile(optimizer="rmsprop", ...)')
    got = model.optimizer.get_config()
    want = student.keras.value.optimizers.RMSprop().get_config()
    checks.true(isinstance(got, dict), f"{what}: the optimizer's get_config() should be a dict, got "
                f"{checks.summary(got)}.")
    changed = sorted(key for key in set(got) | set(want) if key != "name" and got.get(key) != want.get(key))
    checks.true(not changed, f"{what}: the RMSprop optimizer does not have Keras' default settings "
                f"({', '.join(changed)} changed).",
                hint='optimizer="rmsprop" uses the defaults (learning rate 0.001); do not set a learning rate')


def check_loss(student, model, what: str) -> None:
    """The compiled loss, measured: on probabilities of the grader's, it must give the mean sparse categorical
    cross-entropy -mean(log p[label]). Any spelling passes (the string, the function, the class); from_logits=True
    (softmax twice), the categorical (one-hot) cross-entropy, or a sum instead of the mean do not."""
    loss = model.loss
    if loss is None:
        checks.fail(f"{what}: the model has no loss: call model.compile(...) before returning it.")
    keras = student.keras.value
    try:
        function = keras.losses.get(loss) if isinstance(loss, str) else loss
        if not isinstance(function, Remote):
            checks.fail(f"{what}: the model should have one loss, got {checks.summary(loss)}.")
        labels = np.array([0, 3, 7, 9, 3, 1])
        probabilities = np.full((len(labels), 10), 0.02, dtype=np.float32)
        probabilities[np.arange(len(labels)), labels] = 0.82
        value = float(np.asarray(keras.ops.convert_to_numpy(keras.ops.mean(function(labels, probabilities)))))
    except StudentError as exc:
        checks.fail(f"{what}: the compiled loss fails on integer labels and softmax probabilities "
                    f"({exc.type_name}: {exc.message[:200]}).",
                    hint="the labels are integers 0..9: use the sparse categorical cross-entropy")
    checks.close(value, -np.log(0.82), rtol=1e-4, what=f"{what}: the compiled loss on integer labels and "
                 "probabilities", hint='loss="sparse_categorical_crossentropy" as it is: the mean over the batch, with the '
                 "default from_logits=False since the last layer already applies softmax")


def check_accuracy_metric(student, model, what: str) -> None:
    """metrics=["accuracy"]: model.evaluate reports an "accuracy" that is the fraction of arg-max hits (20 of 32
    images labelled with the model's own clear arg-max, 12 with another digit)."""
    pool = mnist()["x_test"][:100]
    scores = model_scores(student, model, pool, what)
    clear = np.flatnonzero(decided(scores))[:32]  # evaluate's batches may round differently from predict's
    checks.true(len(clear) == 32, f"{what}: the model's outputs are nearly tied for most images.")
    images, predicted = pool[clear], np.argmax(scores[clear], axis=1)
    labels = predicted.copy()
    labels[20:] = (labels[20:] + 1) % 10
    try:
        results = model.evaluate(scaled_in_worker(student, images, model.input_shape), labels, batch_size=32,
                                 verbose=0, return_dict=True)
    except StudentError as exc:
        checks.fail(f"{what}: model.evaluate fails ({exc.type_name}: {exc.message[:200]}).",
                    hint='compile with metrics=["accuracy"]')
    checks.true(isinstance(results, dict) and "accuracy" in results,
                f"{what}: model.evaluate reports {sorted(results) if isinstance(results, dict) else results!r}, "
                "without an accuracy.", hint='compile with metrics=["accuracy"] (the history needs the key '
                                             '"accuracy")')
    checks.close(results["accuracy"], 20 / 32, rtol=1e-5, what=f"{what}: the accuracy that model.evaluate reports",
                 hint='metrics=["accuracy"] compares the arg-max of the outputs with the integer labels')
