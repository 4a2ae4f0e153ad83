"""Student code runs here, and only here: a bubblewrap sandbox per grader process, limits the worker cannot lift,
and a wire format that carries plain data only.

``inside/`` is the trust boundary: the worker and the protocol, the only code of the kit that a sandbox sees.
The rest runs in the grader: ``limits`` and ``devices`` (how a sandbox is built), ``processes`` (worker processes,
the zygote, pipes with deadlines), ``session`` (a student's notebook loaded and called), ``proxies`` (what a test
holds of it), ``usage`` (what a worker used, read from /proc), ``dataview`` (the datasets as the worker sees them).
"""
