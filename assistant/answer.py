"""The typed result of a question: the answer text, verified citations, what was retrieved.

``Answer.to_dict()`` is the JSON contract (``assistant ask --json``); other tools rely on its names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """A paper the answer cites, verified to be among the papers retrieved for the question."""

    title: str
    paper_id: str
    snippet: str
    score: float
    url: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "paper_id": self.paper_id,
            "snippet": self.snippet,
            "score": self.score,
        }


@dataclass(frozen=True)
class RetrievedRef:
    """A retrieved paper, as reported with the answer."""

    title: str
    paper_id: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "paper_id": self.paper_id, "score": self.score}


@dataclass(frozen=True)
class AnswerPart:
    """One paper's entry in an answer: a line of a list, one side of a comparison."""

    paper_id: str
    title: str
    text: str  # what the answer says from this paper (without the citation)
    target: str | None = None  # comparison: the name the question used for this paper

    def to_dict(self) -> dict[str, Any]:
        return {
            "paper_id": self.paper_id,
            "title": self.title,
            "text": self.text,
            "target": self.target,
        }


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    backend: str
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[RetrievedRef] = field(default_factory=list)
    rejected_citations: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    model: str = "extractive"
    notices: list[str] = field(default_factory=list)
    standalone_question: str | None = None  # the question as answered (a follow-up: with its paper)
    intent: str = "fact"  # fact, definition, list, compare
    parts: list[AnswerPart] = field(default_factory=list)  # per cited paper, in answer order

    @property
    def answer(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "backend": self.backend,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [r.to_dict() for r in self.retrieved],
            "rejected_citations": list(self.rejected_citations),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "usage": self.usage.to_dict(),
            "model": self.model,
            "notices": list(self.notices),
            "intent": self.intent,
            "parts": [p.to_dict() for p in self.parts],
        }
