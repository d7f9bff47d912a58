"""Earlier turns of a conversation, as the answering stages need them: what was asked, and which
papers the answer cited (so "it" can mean the paper the previous answer was about)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Turn:
    question: str
    cited_ids: tuple[str, ...] | None = None  # None: not known (a bare question string)


HistoryItem = Any  # str | Answer | a saved Exchange | a mapping like Answer.to_dict()


def turns_of(history: Iterable[HistoryItem] | None) -> list[Turn]:
    """Earlier turns from questions (strings), earlier ``Answer`` objects, or their ``to_dict()``.

    A bare string is a mistake (it would be read as a list of characters): TypeError.
    """
    if history is None:
        return []
    if isinstance(history, (str, bytes)):
        raise TypeError(
            "history must be a list of earlier questions or Answers, not a single string; "
            "pass [question] for one earlier turn"
        )
    turns = []
    for item in history:
        turn = _turn(item)
        if turn is not None:
            turns.append(turn)
    return turns


def _turn(item: HistoryItem) -> Turn | None:
    if isinstance(item, str):
        text = " ".join(item.split())
        return Turn(text) if text else None
    question, citations = getattr(item, "question", None), getattr(item, "citations", None)
    if isinstance(question, str) and isinstance(citations, list):
        # an earlier Answer, or a saved exchange of the conversation log
        return Turn(" ".join(question.split()), tuple(str(c.paper_id) for c in citations))
    if isinstance(item, Mapping) and isinstance(item.get("question"), str):
        cited = item.get("citations")
        ids = (
            tuple(str(c["paper_id"]) for c in cited if isinstance(c, Mapping) and "paper_id" in c)
            if isinstance(cited, Sequence)
            else None
        )
        return Turn(" ".join(item["question"].split()), ids)
    raise TypeError(
        f"a history item must be a question (str) or an earlier Answer, not {type(item).__name__}"
    )
