def prepare_images(images, flat=True):
    """A correct alternative with keras.ops: it returns a tensor of the backend, not a NumPy array."""
    x = ops.divide(ops.cast(images, "float32"), 255.0)
    return ops.reshape(x, (-1, 784) if flat else (-1, 28, 28, 1))
