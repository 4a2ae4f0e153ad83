def one_training_step(model, images_batch, labels_batch, learning_rate=1e-3):
    """One step of mini-batch gradient descent on a NaiveSequential model."""
    with tf.GradientTape() as tape:
        predictions = model(images_batch)
        average_loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels_batch, predictions))
    gradients = tape.gradient(average_loss, model.weights)
    for g, w in zip(gradients, model.weights):
        w = w - learning_rate * g                        # mistake: rebinds the name, the variable is unchanged
    return float(average_loss)
