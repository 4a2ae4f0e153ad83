# A correct alternative: a Generator kept as it is, rng.shuffle of arange(n) (the same numbers as permutation), a while loop.
def minibatch_indices(n, batch_size, rng):
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    idx = np.arange(n)
    rng.shuffle(idx)
    batches = []
    start = 0
    while start < n:
        batches.append(idx[start:start + batch_size])
        start += batch_size
    return batches
