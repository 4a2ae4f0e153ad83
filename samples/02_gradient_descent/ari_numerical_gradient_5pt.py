# A correct alternative: the stencil regrouped as (8(f(x+h) − f(x−h)) − (f(x+2h) − f(x−2h))) / 12h.
def numerical_gradient_5pt(f, x, h=1e-3):
    x = np.asarray(x, dtype=float)
    out = []
    for e in h * np.eye(len(x)):
        out.append((8 * (f(x + e) - f(x - e)) - (f(x + 2 * e) - f(x - 2 * e))) / (12 * h))
    return np.array(out)
