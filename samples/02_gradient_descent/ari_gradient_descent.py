# A correct alternative: the trajectory preallocated, each row computed from the previous one.
def gradient_descent(grad_f, x0, lr, n_steps):
    path = np.empty((n_steps + 1, len(x0)))
    path[0] = x0
    for k in range(n_steps):
        path[k + 1] = path[k] - lr * grad_f(path[k])
    return path
