"""Train the reference models of the sample class: samples/05_keras_mnist/reference/{dense,convnet}.keras.

The sample students of assignment 05 submit trained models with their notebooks, and `validate` gives the
reference solution these files too. They are committed (about 5 MB together) because training the convnet takes
minutes on a CPU. This script makes them again, with the reference notebook's own code and settings, seeded and
deterministic on a CPU:

    .venv/bin/python samples/05_keras_mnist/make_models.py      # about 1 min for dense, 5-10 min for the convnet
"""
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from autograder.samples import solution_notebook  # noqa: E402
from autograder.submissions import code_cells  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "reference"


def reference_namespace() -> dict:
    """The graded and given code of the reference notebook (explore and check cells left out, as in grading)."""
    notebook = solution_notebook(ROOT / "solutions" / "05_keras_mnist" / "keras_mnist.ipynb")
    namespace = {"__name__": "reference"}
    for cell in code_cells(notebook):
        exec(compile(cell.source, f"<reference cell {cell.index}>", "exec"), namespace)
    return namespace


def main() -> None:
    ns = reference_namespace()
    keras, tf = ns["keras"], ns["tf"]
    tf.config.experimental.enable_op_determinism()
    mnist = ns["load_mnist"](str(ROOT / "datasets" / "mnist.npz"))
    OUT.mkdir(exist_ok=True)

    dense = ns["build_dense_model"]()
    ns["train"](dense, mnist["x_train"], mnist["y_train"], epochs=5, batch_size=128, validation_split=0.1, seed=0)
    print(f"dense: test accuracy {ns['test_accuracy'](dense, mnist):.4f}", flush=True)
    dense.save(OUT / "dense.keras")

    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = str(Path(tmp) / "best.keras")
        convnet = ns["build_convnet"]()
        history = ns["train"](convnet, mnist["x_train"], mnist["y_train"], epochs=8, batch_size=64,
                              validation_split=0.1, callbacks=ns["make_callbacks"](checkpoint), seed=0)
        best = keras.models.load_model(checkpoint)
    print(f"convnet: {len(history['loss'])} epochs, val accuracy {[round(a, 4) for a in history['val_accuracy']]}, "
          f"test accuracy {ns['test_accuracy'](best, mnist):.4f}", flush=True)
    best.save(OUT / "convnet.keras")


if __name__ == "__main__":
    main()
