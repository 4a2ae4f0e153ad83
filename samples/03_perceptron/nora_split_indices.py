def split_indices(n, test_fraction=0.2, seed=0):
    """(not done yet)"""
    raise NotImplementedError()

