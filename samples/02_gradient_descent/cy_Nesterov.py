# A correct alternative: the same step expanded, θ − γ²·u_old − (1 + γ)·lr·g.
class Nesterov(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def init_state(self, theta):
        return {"u": np.zeros_like(theta)}

    def update(self, theta, g, state):
        old = state["u"]
        state["u"] = self.momentum * old + self.lr * g
        return theta - self.momentum ** 2 * old - (1 + self.momentum) * self.lr * g
