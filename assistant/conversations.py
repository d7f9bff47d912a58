"""Saved conversations: every exchange (question, answer, citations, backend, timings, tokens).

One SQLite file in the data directory (``<home>/logs.db``, as simonw/llm keeps ``logs.db``), so
``assistant chat -c`` and ``assistant ask -c`` can pick a conversation up again and
``assistant logs`` can show what was asked. A connection is opened per call: the chat, one-shot
commands and other processes may write to the same file. The file holds every question asked,
so it is created readable by its owner only.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer import Citation
from vectorstore.private import private_file

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.settings import Settings


def citation_record(c: Citation) -> dict[str, Any]:
    """A citation as logged: the JSON contract's fields plus url and date."""
    return {**c.to_dict(), "url": c.url, "date": c.date}


LOG_FILE = "logs.db"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    started_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    datetime_utc TEXT NOT NULL,
    question TEXT NOT NULL,
    standalone_question TEXT,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    citations_json TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    timings_json TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS exchanges_by_conversation ON exchanges(conversation_id, id);
"""


class LogError(RuntimeError):
    """The conversation log cannot be read or written: one line with the cause and the remedy."""


def log_path(settings: Settings) -> Path:
    """Where the conversation log of these settings lives."""
    return settings.home / LOG_FILE


def new_conversation_id() -> str:
    """Sortable and readable: ``20250101-120000-3fa2c1`` (UTC time + random suffix)."""
    now = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{now}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Exchange:
    """One question and its answer, as saved."""

    id: int
    conversation_id: str
    datetime_utc: str
    question: str
    answer: str
    abstained: bool
    backend: str
    model: str
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    standalone_question: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "datetime_utc": self.datetime_utc,
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "abstained": self.abstained,
            "backend": self.backend,
            "model": self.model,
            "citations": [citation_record(c) for c in self.citations],
            "timings_ms": dict(self.timings_ms),
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
            },
        }


class ConversationLog:
    """The SQLite log of conversations. Creates its file (and directory) on first write."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_settings(cls, settings: Settings) -> ConversationLog:
        return cls(log_path(settings))

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[sqlite3.Connection | None]:
        if not write and not self.path.exists():
            yield None  # nothing logged yet: readers see an empty log, and no file is created
            return
        if not write and self.path.stat().st_size == 0:
            # SQLite never leaves its own file empty: something emptied it
            raise LogError(
                f"the conversation log {self.path} is empty: its saved conversations are gone; "
                "the next question starts it again (or delete the file)"
            )
        try:
            private_file(self.path)
            with closing(sqlite3.connect(self.path, timeout=10)) as conn:
                conn.row_factory = sqlite3.Row
                if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    conn.executescript(_SCHEMA)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                with conn:  # one transaction
                    yield conn
        except sqlite3.DatabaseError as exc:
            raise LogError(_log_fault(self.path, exc)) from exc
        except OSError as exc:
            raise LogError(
                f"cannot open the conversation log {self.path} ({exc.strerror or exc}); check "
                "the data directory's permissions and free space"
            ) from exc

    # -- writing ------------------------------------------------------------------------------
    def record(self, conversation_id: str, answer: Answer) -> int:
        """Save one answered question in a conversation; returns the exchange id."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        citations = [citation_record(c) for c in answer.citations]
        with self._connect(write=True) as conn:
            assert conn is not None
            conn.execute(
                "INSERT OR IGNORE INTO conversations (id, started_utc) VALUES (?, ?)",
                (conversation_id, now),
            )
            cursor = conn.execute(
                "INSERT INTO exchanges (conversation_id, datetime_utc, question,"
                " standalone_question, answer, abstained, citations_json, backend, model,"
                " timings_json, prompt_tokens, completion_tokens)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    now,
                    answer.question,
                    answer.standalone_question,
                    answer.text,
                    int(answer.abstained),
                    json.dumps(citations, ensure_ascii=False),
                    answer.backend,
                    answer.model,
                    json.dumps({k: round(v, 1) for k, v in answer.timings_ms.items()}),
                    answer.usage.prompt_tokens,
                    answer.usage.completion_tokens,
                ),
            )
            return int(cursor.lastrowid or 0)

    # -- reading ------------------------------------------------------------------------------
    def last_conversation_id(self) -> str | None:
        """The conversation of the most recent exchange, if any."""
        with self._connect(write=False) as conn:
            if conn is None:
                return None
            row = conn.execute(
                "SELECT conversation_id FROM exchanges ORDER BY id DESC LIMIT 1"
            ).fetchone()
            return str(row[0]) if row else None

    def exchanges(self, conversation_id: str) -> list[Exchange]:
        """A conversation's exchanges, oldest first."""
        with self._connect(write=False) as conn:
            if conn is None:
                return []
            rows = conn.execute(
                "SELECT * FROM exchanges WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            ).fetchall()
            return [_exchange(r) for r in rows]

    def recent(self, limit: int | None = 3, conversation_id: str | None = None) -> list[Exchange]:
        """The latest exchanges, newest first; ``limit=None`` (or 0) means all of them."""
        sql = "SELECT * FROM exchanges"
        params: list[Any] = []
        if conversation_id:
            sql += " WHERE conversation_id = ?"
            params.append(conversation_id)
        sql += " ORDER BY id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self._connect(write=False) as conn:
            if conn is None:
                return []
            return [_exchange(r) for r in conn.execute(sql, params).fetchall()]


def _log_fault(path: Path, exc: sqlite3.DatabaseError) -> str:
    cause = " ".join(str(exc).split())
    if "full" in cause:
        return f"the disk holding the conversation log {path} is full ({cause}); free some space"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in cause:
        return f"the conversation log {path} is busy ({cause}); try again"
    return (
        f"the conversation log {path} is damaged ({cause}); move it aside "
        f"(mv {path} {path}.damaged) and a new one is started"
    )


def _exchange(row: sqlite3.Row) -> Exchange:
    return Exchange(
        id=row["id"],
        conversation_id=row["conversation_id"],
        datetime_utc=row["datetime_utc"],
        question=row["question"],
        standalone_question=row["standalone_question"],
        answer=row["answer"],
        abstained=bool(row["abstained"]),
        backend=row["backend"],
        model=row["model"],
        citations=_citations(row["citations_json"]),
        timings_ms=_json_or(row["timings_json"], {}),
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
    )


def _json_or(text: Any, default: Any) -> Any:
    """A damaged JSON column costs that column, not the exchange."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return default
    return value if isinstance(value, type(default)) else default


def _citations(text: Any) -> list[Citation]:
    out = []
    for c in _json_or(text, []):
        try:
            out.append(Citation(**c))
        except TypeError:
            continue
    return out
