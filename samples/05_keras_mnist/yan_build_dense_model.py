def build_dense_model():
    """A correct alternative: a Sequential built with add(), input_shape on the first layer, the loss as a function."""
    model = keras.Sequential()
    model.add(layers.Dense(512, activation="relu", input_shape=(784,)))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
                  loss=keras.losses.sparse_categorical_crossentropy, metrics=["accuracy"])
    return model
