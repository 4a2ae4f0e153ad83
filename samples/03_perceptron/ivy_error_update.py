def error_update(w, x, y, alpha=1.0):
    """Aggarwal's update with the three cases of the sign written out."""
    w = np.array(w, dtype=float)
    x = np.asarray(x, dtype=float)
    s = w @ x
    prediction = 1.0 if s > 0 else (-1.0 if s < 0 else 0.0)
    return w + alpha * (y - prediction) * x
