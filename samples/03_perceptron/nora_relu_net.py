def relu_net(params, X):
    """(not done yet)"""
    raise NotImplementedError()

