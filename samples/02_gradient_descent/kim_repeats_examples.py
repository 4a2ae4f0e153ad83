def minibatch_indices(n, batch_size, rng):
    """Draw a random batch for every step of the epoch."""
    rng = np.random.default_rng(rng)
    n_batches = int(np.ceil(n / batch_size))
    batches = []
    for _ in range(n_batches):
        batches.append(rng.choice(n, size=min(batch_size, n), replace=False))
    return batches
