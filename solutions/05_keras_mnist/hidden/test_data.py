"""Hidden tests, Part A: prepare_images scales uint8 pixels to float32 in [0, 1] and shapes them.

A NumPy array and a tensor of keras.ops are both arrays here: a tensor is converted in the worker, dtype kept.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras05_grading import call_keeping_argument, returned_array  # noqa: E402


def _images(n, seed):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


def _float32(student, got, what, hint):
    got = returned_array(student, got, what)
    checks.true(getattr(got, "dtype", None) == np.float32, f"{what} should be float32, got {checks.summary(got)}.",
                hint=hint)
    return got


@pytest.mark.points(3)
@pytest.mark.hint("Print prepare_images(images).dtype and .max() for uint8 images: float32 and at most 1.")
def test_prepare_scales_to_unit_interval(student):
    """Typical mistakes: no scaling (pixels left at 0..255), float64 (images / 255.0 without a cast), or a wrong
    divisor (256). The result must equal images / 255 as float32, shape (N, 784)."""
    images = _images(7, 51)
    got = _float32(student, student.prepare_images(images), "prepare_images(7 random images)",
                   hint="the docstring asks for float32: cast the pixels before dividing by 255")
    checks.close(got, images.reshape(7, 784) / np.float32(255.0), rtol=1e-6, atol=1e-7,
                 what="prepare_images(7 random images)", hint="divide the pixels by 255 so that they lie in [0, 1]")


@pytest.mark.points(2)
def test_prepare_channels_last(student):
    """flat=False gives the convnet's shape (N, 28, 28, 1): one channel, last (Keras' default), float32 / 255 too.
    Typical mistakes: channels first (N, 1, 28, 28), or the cast to float32 made only in the flat branch."""
    images = _images(3, 52)
    got = _float32(student, student.prepare_images(images, flat=False), "prepare_images(3 images, flat=False)",
                   hint="cast to float32 in both branches")
    checks.close(got, images[..., None] / np.float32(255.0), rtol=1e-6, atol=1e-7,
                 what="prepare_images(3 images, flat=False)", hint="reshape to (N, 28, 28, 1)")


@pytest.mark.points(1)
def test_prepare_single_image(student):
    """Edge case: a batch of one image keeps its batch axis, flat or not (a squeeze drops it)."""
    images = _images(1, 53)
    for flat, shape in ((True, (1, 784)), (False, (1, 28, 28, 1))):
        got = returned_array(student, student.prepare_images(images, flat=flat), "prepare_images(one image)")
        checks.true(getattr(got, "shape", None) == shape,
                    f"prepare_images(one image, flat={flat}) should have shape {shape}, got {checks.summary(got)}.",
                    hint="reshape with len(images) rows; do not squeeze the batch axis away")


@pytest.mark.points(1)
def test_prepare_leaves_input_unchanged(student):
    """Docstring: "Do not modify it." The images stay in the worker during the call (a plain call would send a
    copy) and must come back as they were, flat or not. Typical mistake: images.shape = (N, 784), which reshapes
    the caller's array in place."""
    images = _images(4, 54)
    for flat in (True, False):
        after = call_keeping_argument(student, "prepare_images", images.copy(), flat)
        checks.true(isinstance(after, np.ndarray) and after.shape == images.shape and after.dtype == images.dtype
                    and np.array_equal(after, images),
                    f"prepare_images(images, flat={flat}) changed the images it was given: afterwards they are "
                    f"{checks.summary(after)}.",
                    hint="build a new array (images.reshape(...) or np.asarray(images).astype(...)); do not assign "
                         "to images.shape or write into images")
