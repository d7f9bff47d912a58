"""The store's generation, and the mark that a write is under way, so a killed one is repaired.

Caches (the BM25 index, the filter table) key on the generation, so it must move whenever
papers were committed, even by a write that never finished. A writer marks the catalog
collection ("writer": host and pid, "pending": the papers whose chunks may be written or
deleted without their catalog record) before its first change and clears the mark with the
final bump. A mark left behind by a dead writer is repaired by the next process that sees it:
a writer at once (it holds the write lock), a reader when the writer was on this machine, is
gone and the lock is free. Repairing deletes chunks of pending papers that have no catalog
record (a removal or an ingest cut short) and bumps the generation.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vectorstore.locking import lock_if_free
from vectorstore.private import private_file
from vectorstore.store.connection import StoreConnection

WRITER, PENDING, GENERATION = "writer", "pending", "generation"


def _this_writer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _abandoned(writer: str) -> bool:
    """Was the write marked by ``writer`` (host:pid) made by a process of this machine that is gone?"""
    host, _, pid_text = writer.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class StoreState:
    def __init__(self, conn: StoreConnection, lock_path: Path) -> None:
        self.conn = conn
        self.lock_path = lock_path
        # "this data directory's store has held papers": an empty store is then an accident or
        # a choice to report, never a first run to fill with the bundled digest
        self.had_papers_path = lock_path.with_suffix(".had-papers")
        self._marked = False

    # -- the catalog collection's metadata ----------------------------------------------------
    def read(self) -> dict[str, Any]:
        return self.conn.catalog_metadata()

    def _write(self, **changes: Any) -> dict[str, Any]:
        """Set (or, with None, drop) keys; Chroma's ``modify`` replaces the whole dict."""
        meta = self.read()
        meta.update(changes)
        meta = {k: v for k, v in meta.items() if v is not None}
        self.conn.catalog.modify(metadata=meta)
        return meta

    def set(self, **changes: Any) -> None:
        self._write(**changes)

    def generation(self) -> int:
        """A counter bumped by every change; repairs first a change a dead writer left unfinished."""
        meta = self.read()
        writer = meta.get(WRITER)
        if writer and _abandoned(str(writer)):
            with lock_if_free(self.lock_path) as free:
                if free and self.read().get(WRITER) == writer:
                    meta = self.recover()
        return int(meta.get(GENERATION, 0))

    # -- writing ------------------------------------------------------------------------------
    def begin(self, pending: Iterable[str] = ()) -> None:
        """Mark a write under way (the caller holds the write lock) touching ``pending`` papers."""
        ids = sorted(set(pending))
        self._write(**{WRITER: _this_writer(), PENDING: json.dumps(ids) if ids else None})
        self._marked = True

    def finish(self) -> dict[str, Any]:
        """Bump the generation and clear the mark (after the last write of a change)."""
        meta = self._write(
            **{GENERATION: int(self.read().get(GENERATION, 0)) + 1, WRITER: None, PENDING: None}
        )
        self._marked = False
        self.conn.announce_change(int(meta[GENERATION]))
        return meta

    @property
    def marked(self) -> bool:
        """Did this process mark a write it has not finished yet?"""
        return self._marked

    def recover(self, *, reopen: bool = True) -> dict[str, Any]:
        """Finish what a dead (or failed) writer left (the caller holds the write lock): delete
        the chunks its pending papers have without a catalog record, bump the generation and
        clear the mark. Returns the new state.

        ``reopen`` first: this client's view may predate the writer's last records (Chroma
        applies a write it reported as failed, "Error in compaction", when a client opens the
        store), and chunks must never be judged orphans against a stale catalog.
        """
        meta = self.read()
        if not meta.get(WRITER):
            return meta
        if reopen:
            self.conn.reopen()
            meta = self.read()
        pending = json.loads(str(meta.get(PENDING) or "[]"))
        if pending:
            present = set(self.conn.catalog.get(ids=pending, include=[])["ids"])
            orphans = [pid for pid in pending if pid not in present]
            if orphans:
                self.conn.chunks.delete(where={"paper_id": {"$in": orphans}})
        return self.finish()

    # -- has this store held papers? ----------------------------------------------------------
    def had_papers(self) -> bool:
        return self.had_papers_path.exists()

    def mark_had_papers(self) -> None:
        if not self.had_papers_path.exists():
            private_file(self.had_papers_path)
