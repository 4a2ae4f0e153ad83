"""The course as an instructor writes it: where its material lives, course.yml, dates and late penalties,
and which tests score which nbgrader cell."""
