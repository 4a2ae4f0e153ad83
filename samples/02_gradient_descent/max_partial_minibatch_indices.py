def minibatch_indices(n, batch_size, rng):
    """Batches of one shuffled epoch."""
    rng = np.random.default_rng(rng)
    order = rng.permutation(n)
    batches = []
    start = 0
    while start < n:
        batches.append(order[start:start + batch_size])
        start += batch_size
    return batches
