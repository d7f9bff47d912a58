"""Faults below the store (a full disk, a lost Chroma server, a damaged database) as one line
that names the cause and the remedy, instead of a traceback from Chroma, httpx or SQLite."""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from vectorstore.errors import StoreError
from vectorstore.private import owner_only

F = TypeVar("F", bound=Callable[..., Any])

_RERUN = "then run the same command again"
_DISK_FULL = ("disk is full", "no space left on device", "disk quota exceeded")
_DAMAGED = ("file is not a database", "database disk image is malformed", "malformed")
_FULL_BELOW = 4 * 2**20  # bytes free
_READ_ONLY = ("readonly database", "read-only file system", "permission denied")
# httpx's transport errors by name: httpx is only imported by Chroma's HTTP client
_CONNECTION_ERRORS = {
    "ConnectError",
    "ConnectTimeout",
    "ReadError",
    "ReadTimeout",
    "WriteError",
    "WriteTimeout",
    "PoolTimeout",
    "RemoteProtocolError",
    "NetworkError",
    "TimeoutException",
    "TransportError",
}


def one_line(text: object, limit: int = 240) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def connection_lost(exc: BaseException) -> bool:
    """Did the HTTP connection to a server fail (refused, reset, timed out)?"""
    return any(
        type(e).__name__ in _CONNECTION_ERRORS or isinstance(e, ConnectionError)
        for e in _chain(exc)
    )


def _nearly_full(path: str) -> bool:
    """Chroma reports a full disk met while writing its vector index only as "Error in
    compaction"; the free space tells."""
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < _FULL_BELOW


def describe(exc: BaseException, location: str, *, server: bool) -> StoreError | None:
    """The user's view of a fault of the store at ``location``; None if it is not one (a bug)."""
    chain = list(_chain(exc))
    cause = one_line(exc) or type(exc).__name__
    text = " ".join(one_line(e) for e in chain).lower()
    from_chroma = any(type(e).__module__.startswith("chromadb") for e in chain)
    if (
        any(isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT) for e in chain)
        or any(marker in text for marker in _DISK_FULL)
        or (from_chroma and not server and _nearly_full(location))
    ):
        return StoreError(
            f"the disk holding the paper store at {location} is full ({cause}): free some space, "
            + _RERUN
        )
    if server and connection_lost(exc):
        return StoreError(
            f"lost the connection to the Chroma server at {location} ({cause}): check that the "
            f"server is running (chroma run), {_RERUN}"
        )
    if any(isinstance(e, sqlite3.DatabaseError) for e in chain) or any(
        marker in text for marker in _DAMAGED
    ):
        return StoreError(
            f"the paper store at {location} is damaged ({cause}): move that folder aside and "
            "ingest your files again"
        )
    if any(isinstance(e, PermissionError) for e in chain) or any(
        marker in text for marker in _READ_ONLY
    ):
        return StoreError(
            f"cannot write the paper store at {location} ({cause}): check the folder's permissions"
        )
    if from_chroma or any(isinstance(e, OSError) for e in chain):
        return StoreError(f"the paper store at {location} failed ({cause})")
    return None


@contextmanager
def translated(location: str, *, server: bool) -> Iterator[None]:
    """Re-raise a store fault raised inside as a ``StoreError`` (one line, cause and remedy)."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        error = describe(exc, location, server=server)
        if error is None:
            raise
        raise error from exc


def store_call(method: F) -> F:
    """Decorate a ``PaperStore`` method so that store faults come out as ``StoreError``, and
    files Chroma creates meanwhile are owner-only."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Chroma may write files on any call (it applies its log when it opens a segment)
        with translated(self.location, server=bool(self.chroma_url)), owner_only():
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
