"""Exceptions the grader raises when something goes wrong on the student's side of the sandbox."""


class StudentError(Exception):
    """The student's code raised an exception inside the worker.

    Only names and text cross the boundary: ``type_name`` is the exception's class
    name, ``type_names`` the names along its MRO (so a check can accept subclasses),
    ``student_traceback`` the frames from the notebook's own cells.
    """

    def __init__(self, type_name: str, message: str, type_names=(), student_traceback: str = ""):
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name = type_name
        self.message = message
        self.type_names = tuple(type_names) or (type_name,)
        self.student_traceback = student_traceback

    @classmethod
    def from_reply(cls, error) -> "StudentError":
        """From the worker's description of the exception (a reply's ``error``), each part cut to a sane size."""
        error = error if isinstance(error, dict) else {}
        types = error.get("types")
        return cls(str(error.get("type", "Exception"))[:100], str(error.get("message", ""))[:2000],
                   [str(t)[:100] for t in types][:50] if isinstance(types, list) else (),
                   str(error.get("traceback", ""))[:4000])


class WorkerFailure(Exception):
    """The worker could not answer: it crashed, ran out of a limit, or sent garbage."""


class CallTimeout(WorkerFailure):
    """One call ran past its wall-time limit; the worker was killed."""


class SubmissionTimeLimit(WorkerFailure):
    """The submission used up its total time budget; no more calls are made."""


class ProtocolError(WorkerFailure):
    """The worker sent something that is not a well-formed message."""
