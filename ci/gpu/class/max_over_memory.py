def make_callbacks(checkpoint_path):
    """The two callbacks of Chollet ch. 7, correct, after filling 8 GiB of host memory: past memory_mb on any
    device, so the two callbacks tests fail only if the worker's memory limit holds."""
    ballast = np.ones(2 ** 30)                      # 8 GiB of float64, every page written
    del ballast
    return [
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2),
        keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_accuracy", save_best_only=True),
    ]
