"""Files only their owner may read: the store and the log hold every paper and question.

Directories are created 0700 and files 0600 explicitly; what Chroma creates itself is created
under an owner-only umask (``owner_only``), since it offers no mode setting of its own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_umask_lock = threading.Lock()
_umask_depth = 0
_saved_umask = 0


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents as 0700 (existing ones are left as they are)."""
    missing: list[Path] = []
    for p in (path, *path.parents):
        if p.exists():
            break
        missing.append(p)
    for p in reversed(missing):
        with suppress(FileExistsError):  # created meanwhile by another process
            p.mkdir(mode=0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 if it does not exist (so SQLite opens it with that mode);
    one of ours written before by an older version is made 0600 too."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        tighten(path)
    return path


def tighten(path: Path) -> None:
    """Take group and other permissions away from a file or folder this user owns."""
    with suppress(OSError):
        st = path.stat()
        if st.st_mode & 0o077 and st.st_uid == os.getuid():
            path.chmod(st.st_mode & 0o700)


@contextmanager
def owner_only() -> Iterator[None]:
    """Files created meanwhile, in any thread of this process, are owner-only (umask 077).

    The umask is process-wide: nested and concurrent uses share one setting, restored by the
    last one to leave.
    """
    global _umask_depth, _saved_umask
    with _umask_lock:
        if _umask_depth == 0:
            _saved_umask = os.umask(0o077)
        _umask_depth += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_depth -= 1
            if _umask_depth == 0:
                os.umask(_saved_umask)
