# Mistake: batches returned as lists of ints, not int arrays.
def minibatch_indices(n, batch_size, rng):
    perm = np.random.default_rng(rng).permutation(n)
    return [perm[i:i + batch_size].tolist() for i in range(0, n, batch_size)]
