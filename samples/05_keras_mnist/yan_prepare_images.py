def prepare_images(images, flat=True):
    """A correct alternative: a copy in float32, expand_dims for the channel."""
    x = np.array(images, dtype=np.float32) * (1.0 / 255)
    if flat:
        return x.reshape(len(x), -1)
    return np.expand_dims(x, axis=-1)
