# A correct alternative: the column of ones first, and the pseudo-inverse instead of lstsq.
def least_squares(X, y):
    design = np.hstack([np.ones((len(X), 1)), X])
    sol = np.linalg.pinv(design) @ y
    return sol[1:], sol[0]
