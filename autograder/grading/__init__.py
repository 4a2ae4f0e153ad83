"""The stages of grading a submission, in order: ``discover``, ``plan``, ``run`` (with the pytest ``plugin`` and
the ``suite``), ``finish``, and ``results`` (written once). ``autograder/pipeline.py`` runs them."""
