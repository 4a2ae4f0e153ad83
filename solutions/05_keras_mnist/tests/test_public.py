"""Public tests for assignment 05 (TensorFlow and Keras on MNIST).

Run them with `python -m autograder check 05_keras_mnist`. They repeat the docstrings' examples; the hidden
tests also train your models again (with the grader's seed and a small budget), check one training step
against tf.GradientTape, and load the dense.keras and convnet.keras files you submit.
"""
import numpy as np
import pytest

from autograder import checks
from autograder.sandbox.proxies import Remote

pytestmark = pytest.mark.visible


@pytest.mark.points(2)
def test_prepare_images_docstring_example(student):
    """Two white images become two rows of 784 float32 ones."""
    x = student.prepare_images(np.full((2, 28, 28), 255, dtype=np.uint8))
    if isinstance(x, Remote):  # a tensor made with keras.ops stays in the notebook: converted there, dtype kept
        x = student.keras.value.ops.convert_to_numpy(x)
    checks.true(getattr(x, "dtype", None) == np.float32, f"expected float32, got {checks.summary(x)}.")
    checks.close(x, np.ones((2, 784)), what="prepare_images(two white images)", hint="images / 255, flattened")


@pytest.mark.points(2)
def test_dense_model_parameter_count(student):
    """Chollet's first network: 784 * 512 + 512 + 512 * 10 + 10 = 407,050 parameters."""
    checks.equal(int(student.build_dense_model().count_params()), 407_050,
                 what="build_dense_model().count_params()")


@pytest.mark.points(2)
def test_convnet_parameter_count(student):
    """Chollet's small convnet (§8.1) has 104,202 parameters."""
    checks.equal(int(student.build_convnet().count_params()), 104_202, what="build_convnet().count_params()")


@pytest.mark.points(2)
def test_batch_generator_docstring_example(student):
    """Ten examples in batches of 4: three batches, the last one of 2."""
    generator = student.BatchGenerator(np.arange(10), np.arange(10), batch_size=4)
    checks.equal(int(generator.num_batches), 3, what="num_batches")
    for want in ([0, 1, 2, 3], [4, 5, 6, 7], [8, 9]):
        images, _ = generator.next()
        checks.close(images, want, what="the images of the next batch")


@pytest.mark.backends("tensorflow")
@pytest.mark.points(2)
def test_naive_dense_shapes(student):
    """NaiveDense(784, 512, relu): W (784, 512) in [0, 0.1), b (512,) zeros, output (2, 512) for two inputs."""
    layer = student.NaiveDense(784, 512, student.tf.value.nn.relu)
    W = checks.shape(layer.W.numpy(), (784, 512), what="layer.W")
    checks.true(W.min() >= 0 and W.max() < 0.1, "W should be uniform in [0, 0.1).",
                hint="tf.random.uniform(shape, minval=0, maxval=0.1)")
    checks.close(layer.b.numpy(), np.zeros(512), what="layer.b")
    checks.shape(layer(np.zeros((2, 784), dtype=np.float32)).numpy(), (2, 512), what="layer(2 inputs)")
