# A correct alternative: the accumulator and theta updated in place.
class RMSProp(Optimizer):
    def __init__(self, lr=0.001, rho=0.9, eps=1e-8):
        super().__init__(lr)
        self.rho = rho
        self.eps = eps

    def init_state(self, theta):
        return {"G": np.zeros(np.shape(theta))}

    def update(self, theta, g, state):
        G = state["G"]
        G *= self.rho
        G += (1 - self.rho) * np.square(g)
        theta -= self.lr * g / np.sqrt(G + self.eps)
        return theta
