"""The store's error type, in a module of its own so that every part of the store can raise it."""

from __future__ import annotations


class StoreError(RuntimeError):
    """The store cannot be opened, reached or written: one line saying why and what to do."""


class EmptyStoreError(StoreError):
    """The store held papers once and now holds none (removed, or its files were emptied)."""


class IngestInterrupted(StoreError):
    """An ingest stopped by an error after it had stored some papers (they stay stored)."""

    def __init__(self, cause: Exception, committed: str) -> None:
        self.cause = cause
        self.committed = committed  # "128 papers were added"
        # a store fault or a reader error says what happened; anything else is named by its type
        expected = isinstance(cause, (StoreError, ValueError, OSError))
        said = str(cause) if expected else f"{type(cause).__name__}: {cause}"
        super().__init__(f"{said} ({self.note})")

    @property
    def note(self) -> str:
        return f"{self.committed} before it stopped; they are stored and searchable"
