"""The kit inside other graders' tools: nbgrader's gradebook, formgrader and feedback."""
