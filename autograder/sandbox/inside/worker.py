"""The sandboxed worker: runs a student's notebook cells and answers the grader's calls.

Started by the grader (``autograder/sandbox/processes.py``) as ``python worker.py [--uid N] --channel R W``
inside bubblewrap (or, with ``--no-sandbox``, directly), reading requests from fd R and writing replies to
fd W. This folder, ``inside/``, is all of the kit that the sandbox sees: the worker imports only the
standard library, numpy, and ``protocol.py`` and ``seccomp.py`` beside it. Before anything else it installs
the seccomp filter (no keyrings, no user namespaces), which every process it starts inherits.

With ``--zygote C`` it is a fork server instead (see ``zygote``): one sandbox serves a grader process's
students one after another, and each student's worker is a fork of a Python that has already imported
numpy, which is most of a worker's start-up.

Conversation::

    grader -> {"op": "load", "cells": [[index, source], ...]}
    worker -> {"cell": index}            before running each cell (so a hang can be pinned on it)
    worker -> {"ready": {"cells": [{"index", "status", "error"}...]}}
    grader -> {"op": "call" | "getattr" | "setattr" | "operator" | "has" | "release", ...}
    worker -> {"ok": value} | {"error": {"type", "types", "message", "traceback"}}

Objects that are not plain data stay here, in ``handles``, and travel as handle ids.
"""
import base64
import builtins
import ctypes
import json
import linecache
import operator
import os
import random
import signal
import socket
import sys
import time
import traceback

import numpy

if __package__:  # imported by the kit (the in-notebook check answers calls with this code, in the kernel)
    from . import protocol, seccomp
else:  # run as a script in the sandbox, beside protocol.py and seccomp.py
    import protocol
    import seccomp

CELL_PREFIX = "<cell "
OPERATORS = {
    name: getattr(operator, name)
    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos", "abs",
                 "lt", "le", "gt", "ge", "eq", "ne", "getitem", "contains")
}
OPERATORS.update(len=len, float=float, int=int, bool=bool, list=list, str=str, repr=repr)
PLAIN_TYPES = (type(None), bool, int, float, complex, str, bytes)


class Worker:
    def __init__(self, requests, replies):
        self.requests, self.replies = requests, replies
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.handles = {}
        self.cell_errors = {}

    # ------------------------------------------------------------ loading
    def load(self, cells):
        outcomes = []
        for index, source in cells:
            protocol.write_message(self.replies, {"cell": index})
            error = self.run_cell(index, source)
            outcomes.append({"index": index, "status": "error" if error else "ok", "error": error})
            if error:
                self.cell_errors[index] = error
        protocol.write_message(self.replies, {"ready": {"cells": outcomes}})

    def run_cell(self, index, source):
        filename = f"{CELL_PREFIX}{index}>"
        source = strip_magics(source)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec")
            exec(code, self.namespace)
        except SystemExit as exc:
            return f"the cell called sys.exit({exc.code!r}); the rest of the cell did not run"
        except BaseException as exc:  # noqa: BLE001 - any failure of student code is reported, not fatal
            return describe(exc)["traceback"] or describe(exc)["message"]
        return None

    # ------------------------------------------------------------ serving
    def serve(self):
        while True:
            try:
                request = protocol.read_message(self.requests)
            except EOFError:
                return
            if request.get("op") == "load":
                self.load(request["cells"])
                continue
            reply = self.answer(request)
            try:
                protocol.write_message(self.replies, reply)
            except (TypeError, ValueError) as exc:
                protocol.write_message(self.replies, {"error": unsendable(str(exc))})

    def answer(self, request):
        """The reply to one request (a protocol.Message): its value, or the exception student code raised, described."""
        try:
            return {"ok": self.dispatch(request.get("op"), request)}
        except Unsendable as exc:
            return {"error": unsendable(str(exc))}
        except SystemExit as exc:
            return {"error": {"type": "SystemExit", "types": ["SystemExit"],
                              "message": f"your code called sys.exit({exc.code!r})", "traceback": ""}}
        except BaseException as exc:  # noqa: BLE001
            return {"error": describe(exc)}

    def dispatch(self, op, request):
        if op == "call":
            target = self.resolve(request["target"])
            args = self.decode(request.get("args", []), request.blob)
            kwargs = self.decode(request.get("kwargs", {"$dict": []}), request.blob)
            return self.encode(target(*args, **kwargs))
        if op == "getattr":
            return self.encode(getattr(self.resolve(request["target"]), request["name"]))
        if op == "setattr":
            setattr(self.resolve(request["target"]), request["name"], self.decode(request["value"], request.blob))
            return None
        if op == "operator":
            return self.encode(OPERATORS[request["name"]](*self.decode(request["args"], request.blob)))
        if op == "global":
            return self.encode(self.resolve({"name": request["name"]}))
        if op == "has":
            return request["name"] in self.namespace
        if op == "release":
            for handle_id in request["handles"]:
                self.handles.pop(handle_id, None)
            return None
        raise ValueError(f"unknown operation {op!r}")

    def resolve(self, ref):
        if "name" in ref:
            name = ref["name"]
            if name not in self.namespace:
                raise NameError(f"your notebook does not define `{name}`")
            return self.namespace[name]
        return self.handles[ref["handle"]]

    # ------------------------------------------------------------ values
    def encode(self, value):
        try:
            return protocol.encode(plain_copy(value), self.to_handle)
        except BaseException as exc:  # noqa: BLE001 - too deep, too big, or a hostile __hash__ or __array__
            raise Unsendable(describe(exc)["message"] or type(exc).__name__) from None

    def decode(self, data, blob: protocol.Blob):
        return protocol.decode(data, lambda handle: self.handles[handle.id], blob)

    def to_handle(self, obj):
        handle_id = len(self.handles) + 1
        while handle_id in self.handles:
            handle_id += 1
        self.handles[handle_id] = obj
        return protocol.Handle(handle_id, type(obj).__name__, callable(obj))


class Unsendable(Exception):
    """The value student code returned cannot be sent to the grader."""


def unsendable(why):
    """Its own type, never the ValueError or TypeError a test may expect from the student's code."""
    return {"type": "UnsendableValue", "types": ["UnsendableValue"], "traceback": "",
            "message": f"the value your code returned could not be sent to the grader: {why}"[:2000]}


def plain_copy(value, depth=0):
    """Builtin containers rebuilt from their items, numpy arrays as base ndarrays; other objects as they are."""
    if depth > protocol.MAX_DEPTH:
        return value
    if type(value) in (list, tuple):
        return type(value)(plain_copy(item, depth + 1) for item in value)
    if type(value) is dict:
        return {plain_copy(k, depth + 1): plain_copy(v, depth + 1) for k, v in value.items()}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray) and type(value) is not numpy.ndarray:
        return numpy.asarray(value)
    return value


def describe(exc):
    """The exception as plain text: its class names and the frames from the student's own cells."""
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        message = "<the exception's message could not be read>"
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.startswith(CELL_PREFIX)]
    lines = []
    if isinstance(exc, SyntaxError) and str(exc.filename or "").startswith(CELL_PREFIX):
        lines.append(f"  {exc.filename[1:-1]}, line {exc.lineno}\n    {(exc.text or '').strip()}")
    for frame in frames:
        lines.append(f"  {frame.filename[1:-1]}, line {frame.lineno}, in {frame.name}\n    {(frame.line or '').strip()}")
    name = type(exc).__name__
    text = ("Traceback (your notebook):\n" + "\n".join(lines) + "\n" if lines else "") + f"{name}: {message}"
    return {"type": name, "types": [cls.__name__ for cls in type(exc).__mro__],
            "message": message[:2000], "traceback": text[-4000:]}


def strip_magics(source):
    """IPython magics and shell escapes (`%matplotlib inline`, `!pip install`) do nothing here."""
    return "\n".join("pass  # " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def drop_privileges(uid):
    """Inside bubblewrap started as root: become an unprivileged user before any student code runs."""
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    if os.getuid() == 0:
        raise SystemExit("worker: refusing to run student code as root")


def seed_global_generators():
    """Code that draws from the global generators (np.random.shuffle, random.random) gets the same numbers
    in every run, so grading the same notebook twice gives the same results, messages included."""
    random.seed(0)
    numpy.random.seed(0)


def run_worker(requests_fd, replies_fd, uid):
    """Serve the grader's requests; never returns."""
    if uid is not None:
        drop_privileges(uid)
    sys.path.insert(0, os.getcwd())
    seed_global_generators()
    requests = os.fdopen(requests_fd, "rb", buffering=0)
    replies = os.fdopen(replies_fd, "wb", buffering=0)
    Worker(requests, replies).serve()
    sys.stdout.flush()
    os._exit(0)


# ---------------------------------------------------------------- the fork server
ZYGOTE_SCRUB_SECONDS = 2.0


def preload(modules):
    """Import what the reference notebook imports, once for all the students (SciPy alone takes longer to import
    than most students' tests take to run). A module that cannot be imported is left to the student's cells."""
    import importlib
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the student's own import will say what is wrong
            pass


def zygote(control, uid):
    """Say ``{"ready": true}`` on the ``control`` socket, then fork a worker for each request on it, one at a time,
    and clean up after it.

    A request carries the new worker's request, reply and output pipes (SCM_RIGHTS); its first message on the
    request pipe is the student's files, written here as root and read-only. The child closes the control
    socket before any student code runs, so nothing a student leaves behind can reach the grader's next
    request. When the worker has ended, every other process in the sandbox is killed and everything it may
    have written (``/tmp``, ``/dev/shm``, POSIX message queues, SysV IPC, the work folder) is removed before the
    answer ``{"ended": pid, "status": wait status}`` tells the grader that the sandbox is clean again."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no worker may ptrace the zygote (and through it the next student)
    work = os.getcwd()
    control.send(b'{"ready": true}')  # after the preload, which can take longer than a fork is given
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(control, 1024, 3)
        except OSError:
            os._exit(0)
        if len(fds) != 3:
            os._exit(0)  # the grader closed the socket (or sent nonsense): nothing more to serve
        pid = os.fork()
        if pid == 0:
            control.close()
            requests_fd, replies_fd, output_fd = fds
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            os.close(output_fd)
            unpack_files(os.fdopen(requests_fd, "rb", buffering=0, closefd=False), work)
            run_worker(requests_fd, replies_fd, uid)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"forked": pid}).encode())
        _, status = os.waitpid(pid, 0)
        if not scrub(work):
            os._exit(1)  # something would not die: the grader starts a fresh sandbox
        control.send(json.dumps({"ended": pid, "status": status}).encode())


def unpack_files(requests, work):
    """The first message of a forked worker: the student's files, as the bind mounts of a per-student sandbox
    would show them (read-only, in a folder the student cannot write)."""
    message = protocol.read_message(requests)
    for relative, data in message.get("files", []):
        path = os.path.join(work, relative)
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(base64.b64decode(data))
        os.chmod(path, 0o444)


def scrub(work):
    """Kill every process but the sandbox's init and this one; remove what they wrote. False if they outlast us."""
    me, deadline = os.getpid(), time.monotonic() + ZYGOTE_SCRUB_SECONDS
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not [pid for pid in _live_pids() if pid not in (1, me)]:
            break
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    for folder in (work, "/tmp", "/dev/shm", "/dev/mqueue"):
        if os.path.isdir(folder):
            wipe(folder)
    os.makedirs("/tmp/home", exist_ok=True)
    os.chmod("/tmp/home", 0o1777)
    remove_ipc()
    return True


def wipe(folder):
    """Remove everything in ``folder`` but what is mounted there: an interpreter or venv that lives under /tmp is
    bound read-only into the sandbox's /tmp, and walking it (to fail on every file) would take seconds."""
    device, folders = os.lstat(folder).st_dev, []
    for parent, names, files in os.walk(folder):
        links = [name for name in names if os.path.islink(os.path.join(parent, name))]
        names[:] = [name for name in names
                    if name not in links and os.lstat(os.path.join(parent, name)).st_dev == device]
        folders += [os.path.join(parent, name) for name in names]
        for name in files + links:
            try:
                os.unlink(os.path.join(parent, name))
            except OSError:
                pass
    for path in reversed(folders):
        try:
            os.rmdir(path)
        except OSError:
            pass  # it holds a mount


def _live_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    if stat.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                        pids.append(int(entry))
            except (OSError, IndexError):
                pass
    return pids


def remove_ipc():
    """SysV shared memory, message queues and semaphores outlive their processes: remove them (IPC_RMID)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for kind, remove in (("shm", lambda i: libc.shmctl(i, 0, None)), ("msg", lambda i: libc.msgctl(i, 0, None)),
                         ("sem", lambda i: libc.semctl(i, 0, 0))):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                lines = table.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            remove(int(line.split()[1]))


def main(argv):
    seccomp.install()
    uid = int(argv[argv.index("--uid") + 1]) if "--uid" in argv else None
    if "--zygote" in argv:
        preload(argv[argv.index("--preload") + 1].split(",") if "--preload" in argv else [])
        zygote(socket.socket(fileno=int(argv[argv.index("--zygote") + 1])), uid)
    channel = argv.index("--channel")
    run_worker(int(argv[channel + 1]), int(argv[channel + 2]), uid)


if __name__ == "__main__":
    main(sys.argv[1:])
