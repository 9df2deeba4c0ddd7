"""Files: a model's numbers written safely and read back safely.

``save_arrays(arrays, path)`` writes ``{name: array}`` as a NumPy ``.npz`` archive (a zip of
``.npy`` files, no pickle); ``load_arrays(path)`` reads one back, or says which file it could
not read and why it is not a saved model. ``Module.save`` and ``Module.load`` use them.

Writing is safe in three ways:

- *atomic*: the archive goes to a temporary file beside the target, is flushed and ``fsync``-ed
  to the disk, and only then renamed over the target (``os.replace``), so a crash, a full disk
  or an error never leaves a half-written file where a good one was;
- *the permissions of an ordinary write*: the temporary file is created with
  ``os.open(..., 0o666)``, so the kernel applies the umask (and a folder's default ACL) exactly
  as for any new file; a file that already exists keeps its own mode. Nothing process-wide (such
  as the umask) is changed, so a save in one thread cannot affect files made by another;
- *errors name the target*, never the hidden temporary file.

Reading is safe because it never unpickles (``allow_pickle=False``: data only, never code) and
every entry is read, its checksum included, before anything is handed back, so a damaged file
changes nothing.
"""

from __future__ import annotations

import os
import secrets
import zipfile
import zlib
from pathlib import Path
from typing import Dict, Mapping, Union

import numpy as np

from .tensor import Tensor
from .tensor.dtypes import as_array

PathLike = Union[str, os.PathLike]

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # how a zip archive (an .npz) starts: a file, or no files
_NPY = b"\x93NUMPY"  # a single array saved by np.save
_PICKLE = b"\x80"  # a pickle, protocol 2 or later


def save_arrays(arrays: Mapping[str, np.ndarray], path: PathLike) -> Path:
    """Write ``arrays`` to ``path`` as an ``.npz`` archive, atomically; return the path."""
    arrays = _checked_arrays(arrays)
    path = _as_path(path, "save")
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {path}: it is a folder; give a file name, such as {path / 'model.npz'}")
    mode = _mode_of(path)
    try:
        fd, temporary = _new_temporary_file(path)
    except OSError as error:
        raise _naming(error, path) from None
    try:
        with os.fdopen(fd, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())  # on the disk before the rename makes it the saved file
        if mode is not None:
            os.chmod(temporary, mode)  # the file it replaces keeps its permissions
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _naming(error, path) from None
        raise
    _sync_folder(path.parent)
    return path


def _checked_arrays(arrays) -> Dict[str, np.ndarray]:
    """Named arrays of numbers: what ``load_arrays`` can read back without pickle."""
    if not isinstance(arrays, Mapping):
        raise TypeError(f"save_arrays takes a dict of name -> array, such as model.state_dict(), got {type(arrays).__name__}")
    checked = {}
    for name, array in arrays.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"save_arrays: each array is named by a non-empty str, got {name!r}")
        if name in ("file", "allow_pickle"):  # the names of np.savez's own arguments
            raise ValueError(f"save_arrays: {name!r} cannot name an array (np.savez reads it as its setting); rename it")
        array = array.numpy() if isinstance(array, Tensor) else array
        as_array(array, what=f"save_arrays: {name!r}")  # only numbers, so that loading never runs pickle
        checked[name] = np.asarray(array)  # (in its own dtype)
    return checked


def load_arrays(path: PathLike) -> Dict[str, np.ndarray]:
    """The arrays of an ``.npz`` archive written by ``save_arrays``, every one read and checked;
    a ``ValueError`` naming the file if it is not one."""
    path = _as_path(path, "load")
    try:
        with open(path, "rb") as file:
            start = file.read(8)
            if not start.startswith(_ZIP):
                raise ValueError(f"{path} is not a saved model: {_what_it_is(start)}. {_SAVED_MODEL}")
            file.seek(0)
            return _read_archive(file, path)
    except OSError as error:
        raise _naming(error, path) from None


_SAVED_MODEL = "A saved model is the .npz archive that model.save(path) writes"


def _read_archive(file, path: Path) -> Dict[str, np.ndarray]:
    try:
        archive = np.load(file, allow_pickle=False)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise _damaged(path, error) from None
    with archive:
        return {name: _read_entry(archive, name, path) for name in archive.files}


def _read_entry(archive, name: str, path: Path) -> np.ndarray:
    """One array of the archive, read in full (its checksum checked), or why it cannot be."""
    try:
        array = archive[name]
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as error:
        raise _damaged(path, error) from None
    except ValueError as error:  # an entry of pickled objects, or not an array at all
        raise ValueError(
            f"{path} is not a saved model: its entry {name!r} is not an array of numbers that can be read "
            f"without unpickling ({error}); pickled data is never loaded, since it can run code"
        ) from None
    if not isinstance(array, np.ndarray):  # a file in the zip that is not an .npy array
        raise ValueError(f"{path} is not a saved model: its entry {name!r} is not a NumPy array. {_SAVED_MODEL}")
    return array


def _damaged(path: Path, error: Exception) -> ValueError:
    return ValueError(f"{path} is damaged or cut short ({error}), so it cannot be loaded as a saved model")


def _what_it_is(start: bytes) -> str:
    """A guess at what a file is, from its first bytes."""
    if not start:
        return "it is empty"
    if start.startswith(_NPY):
        return "it holds a single NumPy array (np.save's .npy), not named arrays"
    if start.startswith(_PICKLE):
        return "it holds pickled Python objects, which are never loaded, since they can run code"
    try:
        start.decode("utf-8")
    except UnicodeDecodeError:
        return "it does not start as an .npz archive does"
    return "it is a text file"


def _as_path(path: PathLike, action: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{action} takes a file name (a str or a pathlib.Path), got {type(path).__name__} {path!r}")
    return Path(path)


def _mode_of(path: Path):
    """The permission bits of the file ``path`` if it exists (to keep them), else None."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return None


def _new_temporary_file(path: Path):
    """A new file beside ``path`` with a hidden, random name, opened for writing, made as an
    ordinary write makes a file (mode 0o666, less the umask, applied by the kernel)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue  # another save chose the same name: draw again


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the system allows a folder to be synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # (Windows cannot open a folder; the rename is then as durable as it gets)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not sync folders; the data itself is already on the disk
    finally:
        os.close(fd)


def _naming(error: OSError, path: Path) -> OSError:
    """The same error (a PermissionError stays one), about ``path`` rather than a temporary file."""
    if error.errno is None:
        return error
    return OSError(error.errno, error.strerror, str(path))  # OSError picks the subclass from errno
