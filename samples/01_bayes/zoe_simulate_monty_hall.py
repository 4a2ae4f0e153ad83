def simulate_monty_hall(n_games, rng):
    if not isinstance(n_games, (int, np.integer)) or isinstance(n_games, bool) or n_games < 1:
        raise ValueError(f"n_games must be a positive integer, got {n_games!r}")
    rng = np.random.default_rng(rng)
    stay = switch = 0
    for _ in range(n_games):
        choice = rng.integers(3)          # the player first, then the car
        car = rng.integers(3)
        goats = [d for d in range(3) if d != choice and d != car]
        opened = goats[rng.integers(len(goats))]
        other = 3 - choice - opened
        stay += choice == car
        switch += other == car
    return stay / n_games, switch / n_games
