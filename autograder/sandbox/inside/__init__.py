"""The code that runs inside the sandbox, beside the student's: the whole of this folder, and nothing else of the
kit, is bound into every worker. It imports only the standard library, numpy and its own modules."""
