def random_points(n, rng=0):
    """gen.uniform(0, 1, ...) draws the same numbers as gen.random; labels by arithmetic."""
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    X = gen.uniform(0.0, 1.0, size=(n, 2))
    return X, 2.0 * (X[:, 0] > X[:, 1]) - 1.0
