"""Hostile submission files that are built rather than written by hand: unsafe or corrupt zips, zip bombs,
symbolic links, notebooks that are huge, not UTF-8, or carry forged nbgrader metadata, Keras models that
carry code or a bomb.

A sample student with ``craft: <name>`` (see samples.py) gets its notebook built as usual from
``from``/``replace``/``append``; the craft then writes the submission into the class folder in its
own way. Each craft takes ``(notebook, folder, zip_path, notebook_name)``: the built notebook, the
student's folder (created, with the student's ``files``), the path a zip submission would have, and the notebook's file name.
"""
from __future__ import annotations

import base64
import json
import marshal
import os
import struct
import zipfile
from pathlib import Path

from autograder.course.layout import SOLUTIONS

_CENTRAL = b"PK\x01\x02"  # a central directory entry: flags at +8, method at +10, sizes at +20 and +24


def _text(notebook: dict) -> str:
    return json.dumps(notebook, indent=1)


def _zip(zip_path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)


def _patch_central(zip_path: Path, offset: int, fmt: str, value: int) -> None:
    """Change one field of the first central directory entry (what zipfile believes about the member)."""
    data = bytearray(zip_path.read_bytes())
    at = data.index(_CENTRAL) + offset
    struct.pack_into(fmt, data, at, value)
    zip_path.write_bytes(bytes(data))


def zip_dot_dot(notebook, folder, zip_path, name):
    """A member whose path climbs out of the unpacking folder (zip slip)."""
    _zip(zip_path, [(name, _text(notebook)), ("../../../redteam-escaped.txt", b"escaped")])


def zip_absolute(notebook, folder, zip_path, name):
    _zip(zip_path, [(name, _text(notebook)), ("/tmp/redteam-absolute.txt", b"absolute")])


def zip_symlink(notebook, folder, zip_path, name):
    """The notebook as a symbolic link to the kit's solutions/ folder."""
    link = zipfile.ZipInfo(name)
    link.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(link, str(SOLUTIONS))


def zip_bomb(notebook, folder, zip_path, name):
    """Two hundred and fifty megabytes of zeros that compress to a quarter of a megabyte."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, _text(notebook))
        with archive.open("padding.bin", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(250):
                member.write(zeros)


def zip_lies_about_size(notebook, folder, zip_path, name):
    """A member that declares 100 bytes and unpacks to four megabytes (so no ratio check sees it)."""
    _zip(zip_path, [("padding.bin", bytes(4 << 20)), (name, _text(notebook))])
    _patch_central(zip_path, 24, "<I", 100)


def zip_encrypted(notebook, folder, zip_path, name):
    """The notebook flagged as encrypted: zipfile wants a password."""
    _zip(zip_path, [(name, _text(notebook))])
    _patch_central(zip_path, 8, "<H", 0x1)


def zip_unknown_method(notebook, folder, zip_path, name):
    """A compression method zipfile does not know."""
    _zip(zip_path, [(name, _text(notebook))])
    _patch_central(zip_path, 10, "<H", 99)


def zip_corrupt(notebook, folder, zip_path, name):
    """Deflate data overwritten with garbage after the local header."""
    _zip(zip_path, [(name, _text(notebook) * 20)])
    data = bytearray(zip_path.read_bytes())
    start = 30 + len(name) + 40
    data[start:start + 64] = b"\xff" * 64
    zip_path.write_bytes(bytes(data))


def not_utf8(notebook, folder, zip_path, name):
    notebook["cells"][0]["source"] = "# café\n" + "".join(notebook["cells"][0]["source"])
    (folder / name).write_bytes(json.dumps(notebook, indent=1, ensure_ascii=False).encode("latin-1", errors="replace"))


def huge_notebook(notebook, folder, zip_path, name):
    """Twenty-five megabytes of saved output: over the size the grader reads."""
    notebook["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * (25 << 20)}]
    (folder / name).write_text(_text(notebook))


def forged_metadata(notebook, folder, zip_path, name):
    """Every cell claims to be a graded, locked test cell worth 1000 points, with new grade ids and tags."""
    for number, cell in enumerate(notebook["cells"]):
        cell["metadata"] = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 1000,
                                         "grade_id": f"forged-{number}", "schema_version": 3},
                            "tags": ["graded"], "deletable": False}
    notebook["metadata"]["autograder"] = {"score": 100, "points": 1000}
    (folder / name).write_text(_text(notebook))


def symlink_to_solutions(notebook, folder, zip_path, name):
    """A submission folder holding a symbolic link to the kit's solutions/ folder (reference notebooks and hidden
    suites)."""
    (folder / name).write_text(_text(notebook))
    os.symlink(SOLUTIONS, folder / "answers")


def notebook_is_symlink(notebook, folder, zip_path, name):
    """The notebook itself is a link to the reference solution."""
    [source] = [p for p in SOLUTIONS.glob(f"*/{name}")]
    os.symlink(source, folder / name)


def many_cells(notebook, folder, zip_path, name):
    """Twenty thousand extra cells that each fail with a long message."""
    failing = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
               "source": "raise ValueError('" + "noise " * 60 + "')"}
    notebook["cells"] += [dict(failing, id=f"noise-{k}") for k in range(20000)]
    (folder / name).write_text(_text(notebook))


def _rewrite_models(folder: Path, change) -> None:
    """Apply ``change(members) -> members`` to every .keras model (a zip) in the folder."""
    for model in sorted(folder.glob("*.keras")):
        with zipfile.ZipFile(model) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        _zip(model, list(change(members).items()))


def keras_lambda(notebook, folder, zip_path, name):
    """Each submitted .keras model gets a Lambda layer whose code would run on loading: safe mode refuses it."""
    code = eval(compile("lambda x: __import__('os').system('echo LAMBDA RAN') or x", "<lambda>", "eval")).__code__

    def change(members):
        config = json.loads(members["config.json"])
        config["config"]["layers"].insert(1, {
            "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
            "config": {"name": "lambda", "trainable": True, "arguments": {},
                       "function": {"class_name": "__lambda__", "config": {
                           "code": base64.encodebytes(marshal.dumps(code)).decode(), "defaults": None, "closure": None}}}})
        return {**members, "config.json": json.dumps(config).encode()}
    _rewrite_models(folder, change)
    (folder / name).write_text(_text(notebook))


def keras_bomb(notebook, folder, zip_path, name):
    """Each submitted .keras model's weights become a gigabyte of zeros, compressed under the 16 MB size check."""
    def change(members):
        return {**members, "model.weights.h5": bytes(1 << 30)}
    _rewrite_models(folder, change)
    (folder / name).write_text(_text(notebook))


CRAFTS = {craft.__name__: craft for craft in (
    zip_dot_dot, zip_absolute, zip_symlink, zip_bomb, zip_lies_about_size, zip_encrypted, zip_unknown_method,
    zip_corrupt, not_utf8, huge_notebook, forged_metadata, symlink_to_solutions, notebook_is_symlink, many_cells,
    keras_lambda, keras_bomb)}
