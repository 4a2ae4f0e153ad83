class NotSeparated(ValueError):
    """w_star does not separate the data."""


def novikoff_bound(Z, y, w_star):
    """(R/gamma)^2 as max ||z||^2 ||w*||^2 / min margin^2, and a subclass of ValueError."""
    Z, y, w_star = np.asarray(Z, float), np.asarray(y, float), np.asarray(w_star, float)
    margins = y * (Z @ w_star)
    if margins.min() <= 0:
        raise NotSeparated("this w_star leaves a point on the wrong side or on the boundary")
    R2 = max(float(z @ z) for z in Z)
    return R2 * float(w_star @ w_star) / float(margins.min()) ** 2
