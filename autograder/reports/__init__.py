"""What people read: the gradebook, exports for an LMS, the terminal, HTML reports, students' feedback, the
course's status."""
