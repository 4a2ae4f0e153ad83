def simulate_monty_hall(n_games, rng):
    if int(n_games) != n_games or n_games < 1:
        raise ValueError(f"n_games must be a positive integer, got {n_games}")
    n_games = int(n_games)
    np.random.seed(rng)
    car = np.random.randint(3, size=n_games)
    choice = np.random.randint(3, size=n_games)
    coin = np.random.randint(2, size=n_games)
    first = (choice + 1 + coin) % 3
    second = (choice + 2 - coin) % 3
    opened = np.where(first == car, second, first)
    switched = 3 - choice - opened
    return float(np.mean(choice == car)), float(np.mean(switched == car))
