def naive_fit(model, images, labels, epochs, batch_size=128, learning_rate=1e-3):
    """A correct alternative: batches sliced by hand, the mean as sum / count."""
    history = []
    for epoch in range(epochs):
        total, count = 0.0, 0
        for start in range(0, len(images), batch_size):
            total += one_training_step(model, images[start:start + batch_size], labels[start:start + batch_size],
                                       learning_rate=learning_rate)
            count += 1
        history.append(total / count)
    return history
