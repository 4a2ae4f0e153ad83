# A correct alternative: np.polyfit (highest power first), reversed.
def fit_polynomial(x, y, degree):
    return np.polyfit(x, y, degree)[::-1]
