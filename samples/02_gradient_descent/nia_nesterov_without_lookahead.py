class Nesterov(Optimizer):
    """Nesterov momentum."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def init_state(self, theta):
        return {"u": np.zeros_like(theta)}

    def update(self, theta, g, state):
        # the gradient we get is already the one at the look-ahead point
        state["u"] = self.momentum * state["u"] + self.lr * g
        return theta - state["u"]
