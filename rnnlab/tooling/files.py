"""Safe writes for the tooling: a file is either its old content or its new one, never half.

- ``atomic_write``: write to a temporary file in the destination folder, flush, ``fsync``, then
  ``os.replace`` onto the final name; a kill or a full disk leaves the old file untouched and
  removes the temporary one (when the process lives to do it);
- ``folder_lock``: one writer at a time in a folder (``fcntl.flock``, released by the kernel when
  the process dies, so a killed run never leaves a stale lock);
- ``inside``: whether one path is, contains or lies inside another (to keep the course's own
  files out of reach of the tooling's writes).

Every error is a ``ToolingError`` with one line that says what happened and the fix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ToolingError", "atomic_write", "folder_lock", "inside", "overlaps"]


class ToolingError(Exception):
    """A mistake or a problem the tooling reports in one or two lines, without a traceback."""


def atomic_write(path: Path | str, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` all at once; never write through a symbolic link.

    Raises:
        ToolingError: ``path`` is a symbolic link, the disk is full, or the folder is read-only.
    """
    path = Path(path)
    if path.is_symlink():
        raise ToolingError(
            f"{path} is a symbolic link; rnnlab never writes through one: remove the link and "
            "run the command again"
        )
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if err.errno == errno.ENOSPC:
            raise ToolingError(
                f"no space left on the device while writing {path.name}; it was left as it "
                "was: free some space and run the command again"
            ) from err
        if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ToolingError(
                f"cannot write {path}: the folder is read-only for you; choose another folder"
            ) from err
        raise ToolingError(f"could not write {path}: {err.strerror or err}") from err
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def folder_lock(folder: Path, name: str = ".rnnlab.lock") -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` for one writer; refuse at once if another holds it.

    Raises:
        ToolingError: another rnnlab command is writing into ``folder`` right now.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the atomic writes still keep every file whole
        yield
        return
    lock_path = Path(folder) / name
    try:
        handle = open(lock_path, "a+b")  # noqa: SIM115 - held for the whole block
    except OSError as err:
        raise ToolingError(f"cannot write into {folder}: {err.strerror or err}") from err
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            raise ToolingError(
                f"another rnnlab command is writing into {folder} right now; wait for it to "
                "finish, then run this one again"
            ) from err
        yield
    finally:
        handle.close()


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (after resolving links)."""
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def overlaps(path: Path, folder: Path) -> bool:
    """Whether ``path`` is, contains or lies inside ``folder``."""
    return inside(path, folder) or inside(folder, path)
