class Momentum(Optimizer):
    """Momentum: the velocity accumulates the gradients."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def init_state(self, theta):
        return {"u": np.zeros_like(theta)}

    def update(self, theta, g, state):
        state["u"] = self.momentum * state["u"] - self.lr * g
        return theta - state["u"]
