def train(model, images, labels, epochs=5, batch_size=128, validation_split=0.0, callbacks=None, seed=0):
    """A correct alternative: the input's last axis decides the shape, labels as a tensor, callbacks passed as they are."""
    keras.utils.set_random_seed(seed)
    flat = model.input_shape[-1] == 784
    x = prepare_images(images, flat)
    fitted = model.fit(x=x, y=ops.convert_to_tensor(labels), batch_size=batch_size, epochs=epochs, verbose=0,
                       callbacks=callbacks, validation_split=validation_split, shuffle=True)
    return dict(fitted.history)
