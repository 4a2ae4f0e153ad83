def train(model, images, labels, epochs=5, batch_size=128, validation_split=0.0, callbacks=None, seed=0):
    """Train a compiled Keras model on raw MNIST images and integer labels; return its history."""
    keras.utils.set_random_seed(seed)
    x = prepare_images(images, flat=len(model.input_shape) == 2)
    one_hot = keras.utils.to_categorical(labels, 10)     # mistake: one-hot labels with the sparse loss
    history = model.fit(x, one_hot, epochs=epochs, batch_size=batch_size,
                        validation_split=validation_split, callbacks=list(callbacks or []), verbose=0)
    return history.history
