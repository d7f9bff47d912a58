"""What an answer backend receives and returns. Backends never verify citations: the caller does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from assistant.answer import Usage
from assistant.question import Question
from assistant.settings import Settings
from vectorstore.retrieval import RetrievedPaper


@dataclass(frozen=True)
class AnswerRequest:
    question: Question
    papers: list[RetrievedPaper]
    idf: Callable[[str], float]
    settings: Settings
    max_idf: float = 0.0  # the IDF of a term no chunk contains


@dataclass
class Draft:
    """A backend's answer before verification."""

    text: str
    abstained: bool
    model: str
    usage: Usage = field(default_factory=Usage)
    notices: list[str] = field(default_factory=list)
    keys: dict[str, str] | None = None  # short citation keys -> paper ids, if the prompt used keys


class Backend(Protocol):
    name: str

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        """Yield text as it is produced, then exactly one final Draft."""
        ...


class BackendError(RuntimeError):
    """The backend could not produce an answer (after its retries)."""


class BackendUnavailable(ValueError):
    """The chosen backend cannot run as configured (missing key, extra not installed): a user error."""
