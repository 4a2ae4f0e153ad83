def build_dense_model():
    """A correct alternative: the functional API, activations as functions, loss and optimizer as objects."""
    inputs = layers.Input(shape=(784,))
    hidden = layers.Dense(512, activation=keras.activations.relu)(inputs)
    outputs = layers.Dense(10, activation=keras.activations.softmax)(hidden)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model
