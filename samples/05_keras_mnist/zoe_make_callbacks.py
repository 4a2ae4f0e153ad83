def make_callbacks(checkpoint_path):
    """A correct alternative: keywords in another order, mode spelled out, built with append."""
    callbacks = []
    callbacks.append(keras.callbacks.EarlyStopping(patience=2, monitor="val_accuracy", mode="max"))
    callbacks.append(keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, save_best_only=True,
                                                     monitor="val_accuracy", mode="max"))
    return callbacks
