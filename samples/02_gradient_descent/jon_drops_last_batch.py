def minibatch_indices(n, batch_size, rng):
    """Shuffle the indices and cut them into batches of batch_size."""
    rng = np.random.default_rng(rng)
    perm = rng.permutation(n)
    n_batches = n // batch_size
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n_batches)]
