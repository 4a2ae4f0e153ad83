"""Hidden tests, Part A: prepare_images scales uint8 pixels to float32 in [0, 1] and shapes them."""
import numpy as np
import pytest

from autograder import checks


def _images(n, seed):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


@pytest.mark.points(4)
def test_prepare_scales_to_unit_interval(student):
    """Typical mistake: no scaling (pixels left at 0..255). The result must equal images / 255 as float32."""
    images = _images(7, 51)
    got = student.prepare_images(images)
    checks.true(getattr(got, "dtype", None) == np.float32,
                f"prepare_images(images) should return float32, got {checks.summary(got)}.",
                hint="np.asarray(images).astype('float32')")
    checks.close(got, images.reshape(7, 784) / np.float32(255.0), rtol=1e-6, atol=1e-7,
                 what="prepare_images(7 random images)", hint="divide the pixels by 255 so that they lie in [0, 1]")


@pytest.mark.points(2)
def test_prepare_channels_last(student):
    """flat=False gives the convnet's shape (N, 28, 28, 1): one channel, last (Keras' default)."""
    images = _images(3, 52)
    got = student.prepare_images(images, flat=False)
    checks.close(got, images[..., None] / np.float32(255.0), rtol=1e-6, atol=1e-7,
                 what="prepare_images(3 images, flat=False)", hint="reshape to (N, 28, 28, 1)")


@pytest.mark.points(1)
def test_prepare_single_image(student):
    """Edge case: a batch of one image keeps its batch axis."""
    images = _images(1, 53)
    got = student.prepare_images(images)
    checks.true(getattr(got, "shape", None) == (1, 784),
                f"prepare_images(one image) should have shape (1, 784), got {checks.summary(got)}.",
                hint="reshape with len(images) rows; do not squeeze the batch axis away")
