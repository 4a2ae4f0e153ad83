def prepare_images(images, flat=True):
    """Scale uint8 images to float32 values in [0, 1], shaped for a dense network or for a convnet."""
    scaled = np.asarray(images).astype("float32")      # mistake: the pixels stay 0..255
    n = len(scaled)
    return scaled.reshape(n, 28 * 28) if flat else scaled.reshape(n, 28, 28, 1)
