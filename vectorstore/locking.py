"""An inter-process write lock, so two front ends (chat + Slack bot) never write the store at once."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from vectorstore.errors import StoreError
from vectorstore.private import private_dir


def _open(path: Path) -> int:
    try:
        private_dir(path.parent)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except IsADirectoryError:
        raise StoreError(
            f"the lock file {path} is a directory; remove it (rmdir {path}) and run the command again"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreError(
                f"the disk holding {path.parent} is full; free some space and run the command again"
            ) from None
        raise StoreError(
            f"cannot open the lock file {path} ({exc.strerror}); check that the data directory "
            "is writable"
        ) from None


@contextmanager
def write_lock(path: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path``; if another process has it, say so once, then wait."""
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(
                    f"Another process is updating the paper store; waiting for it (lock: {path})"
                )
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextmanager
def lock_if_free(path: Path) -> Iterator[bool]:
    """Take the write lock only if nobody holds it; yields whether it was taken."""
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
