def horner(coeffs, x):
    """Evaluate c0 + c1*x + ... + cn*x**n on a Value by Horner's rule.

    Args:
        coeffs: list of n+1 plain floats [c0, c1, ..., cn], lowest degree first (n >= 0).
        x: a Value.
    Returns:
        a Value p with p.data == p(x.data); after p.backward(), x.grad == p'(x.data).
        Start from cn and repeat p = p * x + c for c = c(n-1), ..., c0.

    Example:
        >>> x = Value(2.0)
        >>> p = horner([1.0, -3.0, 2.0], x)     # 1 - 3x + 2x^2
        >>> p.backward()
        >>> p.data, x.grad                       # p(2) = 3, p'(2) = -3 + 4*2 = 5
        (3.0, 5.0)
    """
    coeffs = [float(c) for c in coeffs]
    p = Value(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        p = p * x + c
    return p
