# Every graded function of the notebook raises ValueError, whatever it is given (issue 23 item 5): a suite whose
# rejection tests paid for any ValueError would give this notebook points. Appended after the reference
# solution, so a graded name this cell forgot would still answer correctly and show in the score.
def _refuse(*args, **kwargs):
    raise ValueError("invalid input")


numerical_gradient = numerical_gradient_5pt = relative_error = _refuse
gradient_descent = step_size_analysis = _refuse
minibatch_indices = least_squares = sgd_linear_regression = _refuse
logistic_loss_grad = sgd_logistic_regression = _refuse
linear_decay = exponential_decay = step_decay = inverse_time_decay = _refuse
fit_polynomial = train_test_mse = _refuse

for _optimizer in (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam):
    _optimizer.init_state = _refuse
    _optimizer.update = _refuse
