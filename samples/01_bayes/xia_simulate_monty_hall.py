def simulate_monty_hall(n_games, rng):
    if n_games != int(n_games) or n_games <= 0:
        raise ValueError("n_games must be a positive integer")
    generator = np.random.default_rng(rng)
    n = int(n_games)
    car, choice = generator.integers(0, 3, size=(2, n))
    u = generator.random(n)
    # doors other than the choice, in increasing order
    low = np.where(choice == 0, 1, 0)
    high = np.where(choice == 2, 1, 2)
    opened = np.where(car == low, high, np.where(car == high, low, np.where(u < 0.5, low, high)))
    final = 3 - choice - opened
    return np.mean(choice == car), np.mean(final == car)
