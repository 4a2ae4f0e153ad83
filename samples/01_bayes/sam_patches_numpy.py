# Hostile sample: make every comparison "succeed", hoping the grader checks with this process's numpy.
# (The functions above do not call any of these, so their honest behaviour is unchanged.)
import math

import numpy as np

np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
np.testing.assert_almost_equal = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
try:
    import autograder.checks as checks
    for name in ["close", "equal", "shape", "finite", "raises", "true", "numbers"]:
        setattr(checks, name, lambda *args, **kwargs: None)
except ImportError:
    pass
