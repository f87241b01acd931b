"""File access shared by every layer that reads or writes files (keys, trust files, schemes,
event logs, the CLI): one bounded reader, atomic writes and an exclusive update lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from batterypass.errors import DecodeError, FileError

__all__ = ["read_bounded", "update_lock", "write_atomic"]


def read_bounded(path: str | os.PathLike[str], limit: int, *, what: str = "file") -> bytes:
    """Read a whole regular file of at most ``limit`` bytes.

    The size is found by reading ``limit + 1`` bytes, never from ``st_size`` (which is 0 for
    devices and can change under the reader). The file is opened without blocking and refused
    unless it is a regular file: a FIFO would block the reader forever and a device such as
    ``/dev/zero`` never ends.

    Raises :class:`FileError` for a missing, unreadable or non-regular file and
    :class:`DecodeError` for one over the limit (both name the file).
    """
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as e:
        raise FileError(f"no such {what}", source=name) from e
    except OSError as e:
        raise FileError(f"cannot read the {what}: {e.strerror or e}", source=name) from e
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise FileError(f"is a directory, expected a {what}", source=name)
        if not stat.S_ISREG(mode):
            raise FileError(
                f"is not a regular file ({_kind(mode)}); give the {what} as a regular file",
                source=name,
            )
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as e:
        raise FileError(f"cannot read the {what}: {e.strerror or e}", source=name) from e
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DecodeError(f"{what} larger than the {limit}-byte limit", source=name)
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


@contextlib.contextmanager
def update_lock(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of the file at ``path``.

    The lock is a ``flock`` on the file's directory, not on the file: a rewrite replaces the
    file by renaming a new one over it (a lock on the old inode would not exclude a writer
    that opened the new one), and a file that does not exist yet has nothing to lock. Every
    writer of batterypass takes this lock around reading, changing and writing a file it
    rewrites or appends to, so concurrent commands on one file run one after the other and no
    update is lost. The lock is advisory (other programs are not stopped) and released when
    the block ends or the process dies. Raises :class:`FileError` if the directory cannot be
    opened.
    """
    directory = Path(path).parent if str(Path(path).parent) else Path(".")
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as e:
        raise FileError(
            f"cannot lock the directory for an update: {e.strerror or e}", source=os.fspath(path)
        ) from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically, with permission bits exactly ``mode``.

    The bytes go to a temporary file in the same directory first (created 0600 by mkstemp,
    then set to ``mode`` before any data is written) and are fsynced, and so is the directory
    after the rename. Readers see the old file or the new one, never half of one. Without
    ``overwrite`` the file is published with ``link``, which fails if ``path`` exists, so no
    check-then-write race can clobber an existing file. Raises :class:`FileError`.
    """
    directory = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise FileError(f"cannot write: {e.strerror or e}", source=str(path)) from e
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except FileExistsError as e:
        raise FileError(
            "already exists; refusing to overwrite it (choose another path, or --force where "
            "the command offers it)",
            source=str(path),
        ) from e
    except OSError as e:
        raise FileError(f"cannot write: {e.strerror or e}", source=str(path)) from e
    finally:
        tmp.unlink(missing_ok=True)
