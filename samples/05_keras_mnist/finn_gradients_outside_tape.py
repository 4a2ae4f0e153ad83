def one_training_step(model, images_batch, labels_batch, learning_rate=1e-3):
    """One step of mini-batch gradient descent on a NaiveSequential model."""
    predictions = model(images_batch)                    # mistake: the forward pass happens before the tape
    average_loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels_batch, predictions))
    with tf.GradientTape() as tape:
        pass
    gradients = tape.gradient(average_loss, model.weights)
    for g, w in zip(gradients, model.weights):
        w.assign_sub(learning_rate * g)
    return float(average_loss)
