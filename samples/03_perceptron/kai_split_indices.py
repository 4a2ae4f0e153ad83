def split_indices(n, test_fraction=0.2, seed=0):
    """gen.shuffle of an arange is gen.permutation(n)."""
    idx = np.arange(n)
    np.random.default_rng(seed).shuffle(idx)
    k = int(test_fraction * n)
    return idx[k:].copy(), idx[:k].copy()
