def multiclass_predict(W, X, bias=True):
    """(not done yet)"""
    raise NotImplementedError()

