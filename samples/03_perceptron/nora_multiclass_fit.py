def multiclass_fit(X, y, n_classes=10, alpha=1.0, epochs=100, rng=0, bias=True):
    """(not done yet)"""
    raise NotImplementedError()

