def multiclass_predict(W, X, bias=True):
    """A loop; list.index(max(...)) picks the lowest class among ties, as np.argmax does."""
    W = np.asarray(W, dtype=float)
    out = []
    for x in np.asarray(X, dtype=float):
        z = np.append(x, 1.0) if bias else x
        scores = [float(row @ z) for row in W]
        out.append(scores.index(max(scores)))
    return np.array(out, dtype=int)
