# Mistake: np.random.PCG64(rng) accepts a seed but not a Generator.
def minibatch_indices(n, batch_size, rng):
    perm = np.random.Generator(np.random.PCG64(rng)).permutation(n)
    return [perm[i:i + batch_size] for i in range(0, n, batch_size)]
