class Momentum(Optimizer):
    """Momentum with a velocity that remembers the previous steps."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum
        self.u = 0.0

    def init_state(self, theta):
        return {}

    def update(self, theta, g, state):
        self.u = self.momentum * self.u + self.lr * g
        return theta - self.u
