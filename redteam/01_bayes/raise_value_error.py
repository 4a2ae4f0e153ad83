# Red team (issue 23, item 5): every graded function just raises ValueError, whatever its input. The tests of
# invalid input expect a ValueError, so before the fix this earned 20/100 from them alone; each such test now
# first checks that the same function answers one valid input correctly, so this must score zero.


def _refuse(*args, **kwargs):
    raise ValueError("this input is not valid")


posterior = medical_test = log_sum_exp = sequential_posterior = _refuse
monty_hall_posterior = simulate_monty_hall = binomial_pmf = _refuse
beta_update = ml_estimate = map_estimate = posterior_mean = _refuse
laplace_rule = posterior_predictive = credible_interval = prob_share_above = _refuse
normal_posterior = blr_posterior = ridge_regression = blr_predictive = _refuse
