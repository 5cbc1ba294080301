"""Files that hold secrets or settings: written atomically, locked with a lock file nobody else
can read; directories made private and files checked for owner and mode before they are
trusted. Stdlib only, except filelock, imported when a lock is taken."""
from __future__ import annotations

import os
import stat
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


def make_private_dirs(path: Path) -> None:
    """Create `path` and its missing parents, each 0700 whatever the umask (mkdir's `parents=True`
    creates the parents with 0777 minus the umask: world-writable under umask 000)."""
    missing = []
    current = Path(path)
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            continue  # another process made it: checked when a file in it is opened
        os.chmod(directory, 0o700)


def _owned_safely(st: os.stat_result) -> bool:
    """Owned by this user or root: what ssh accepts for ~/.ssh and the directories above it."""
    return st.st_uid in (os.getuid(), 0)


def check_private_path(path: Path, what: str, st: os.stat_result, error: type[Exception]) -> None:
    """Refuse `path` (already opened; `st` is its fstat) if another user owns it or can write it or
    any directory above it (a sticky directory such as /tmp excepted), as ssh refuses such files."""
    if os.name != "posix":
        return
    if not _owned_safely(st):
        raise error(
            f"the {what} {path} is owned by another user (uid {st.st_uid}, you are uid {os.getuid()}): it may have "
            f"been planted, and was not used. Check it, then remove it or `chown` it to yourself."
        )
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        raise error(
            f"the {what} {path} is writable by other users (mode {mode:o}), so its content cannot be trusted; "
            f"it was not used. Check it, then run `chmod 600 {path}`."
        )
    for directory in Path(path).absolute().parents:
        try:
            dst = os.stat(directory)
        except OSError:
            continue
        dmode = stat.S_IMODE(dst.st_mode)
        if not _owned_safely(dst) or (dmode & 0o022 and not dmode & stat.S_ISVTX):
            owner = "" if _owned_safely(dst) else f"owned by uid {dst.st_uid}, "
            raise error(
                f"the directory {directory} above the {what} {path} is {owner}writable by other users "
                f"(mode {dmode:o}): another user could replace the file, so it was not used. "
                f"Run `chmod 700 {directory}` (or move the file to a private directory)."
            )


def read_private_file(path: Path, what: str, error: type[Exception]) -> bytes | None:
    """The bytes of `path` (None if it does not exist), after `check_private_path` on the opened file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        check_private_path(path, what, os.fstat(fh.fileno()), error)
        return fh.read()
