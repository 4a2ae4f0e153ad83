"""For course staff writing and checking a course: the release, the sample classes, validation, the benchmark,
the student template, the released solution."""
