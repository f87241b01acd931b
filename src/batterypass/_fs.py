"""Atomic file writes, shared by every layer that writes files (keys, trust files, the CLI)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from batterypass.errors import FileError

__all__ = ["write_atomic"]


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
