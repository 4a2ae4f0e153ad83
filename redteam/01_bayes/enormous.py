# Red team: enormous return values, to exhaust the grader's memory rather than the worker's.
import numpy as np


def posterior(prior, likelihood):
    return np.zeros(12_000_000)          # 96 MB of float64: 128 MB on the wire


def medical_test(*args, **kwargs):
    return [0.0] * 30_000_000            # thirty million floats in one list


def log_sum_exp(*args, **kwargs):
    return "9" * 300_000_000             # a 300 MB string


def simulate_monty_hall(*args, **kwargs):
    return {i: i for i in range(3_000_000)}
