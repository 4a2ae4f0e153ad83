"""The course kit's grading engine: configuration, submissions, sandbox, pytest plugin, results, gradebook, CLI."""
