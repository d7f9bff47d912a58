"""What an answer backend receives and returns: the contract between the answering stages and
the backends that write answers (extractive, or an LLM). Backends never verify citations: the
caller does, once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from assistant.answer import Usage
from assistant.answering.compose import Part
from assistant.answering.evidence import Evidence
from assistant.settings import Settings
from vectorstore.retrieval import RetrievedPaper


@dataclass(frozen=True)
class AnswerRequest:
    """The question and the evidence the answering stages chose for it (same for every backend)."""

    question: str
    evidence: Evidence
    papers: list[RetrievedPaper]  # everything retrieved (citations must be among these)
    settings: Settings
    collection_size: int = 0


@dataclass
class Draft:
    """A backend's answer before verification."""

    text: str
    abstained: bool
    model: str
    usage: Usage = field(default_factory=Usage)
    notices: list[str] = field(default_factory=list)
    keys: dict[str, str] | None = None  # short citation keys -> paper ids, if the prompt used keys
    parts: list[Part] = field(default_factory=list)  # per-paper entries (lists, comparisons)


class Backend(Protocol):
    name: str

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        """Yield text as it is produced, then exactly one final Draft."""
        ...


class BackendError(RuntimeError):
    """The backend could not produce an answer (after its retries)."""


class BackendUnavailable(ValueError):
    """The chosen backend cannot run as configured (missing key, extra not installed): a user error."""
