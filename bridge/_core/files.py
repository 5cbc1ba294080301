"""Files that hold secrets or settings: written atomically, locked with a lock file nobody else
can read. Stdlib only, except filelock, imported when a lock is taken."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, payload: bytes, mode: int = 0o600) -> None:
    """Write to a temp file in the same directory, fsync, then rename over the target."""
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix="." + path.name + ".", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):  # mkstemp already creates 0600; not available on Windows
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def private_file_lock(path: str | os.PathLike[str], timeout: float):  # type: ignore[no-untyped-def]
    """A filelock.FileLock whose lock file is created 0600, not 0644 as filelock (3.9) creates it.

    The file is empty, but a world-readable file beside a secret store or the config tells other
    users what is there; created private, filelock's later opens keep the mode.
    """
    from filelock import FileLock

    try:
        os.close(os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        pass  # filelock reports a real problem (an unwritable directory) itself
    return FileLock(os.fspath(path), timeout=timeout)
