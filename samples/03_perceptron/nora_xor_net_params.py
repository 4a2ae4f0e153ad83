def xor_net_params():
    """(not done yet)"""
    raise NotImplementedError()

