def monty_hall_posterior(n_doors, chosen, opened):
    if n_doors < 3:
        raise ValueError("at least 3 doors")
    if chosen not in range(n_doors) or opened not in range(n_doors):
        raise ValueError("no such door")
    if chosen == opened:
        raise ValueError("the host does not open your door")
    likelihood = []
    for car in range(n_doors):
        allowed = [d for d in range(n_doors) if d != chosen and d != car]
        likelihood.append(1 / len(allowed) if opened in allowed else 0.0)
    return posterior([1 / n_doors] * n_doors, likelihood)
