import math
def log_sum_exp(a):
    values = [float(v) for v in np.ravel(a)]
    if not values or max(values) == -math.inf:
        return -math.inf
    m = max(values)
    return m + math.log(math.fsum(math.exp(v - m) for v in values))
