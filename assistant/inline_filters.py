"""Filters written inside a question, for front ends without flags (the Slack bot).

Two forms, both taken out of the question before it is answered:

* tokens: ``since:monday``, ``category:cs.CL``, ``author:Hinton`` or ``author:"Geoffrey Hinton"``
  (Slack's curly quotes too),
  ``source:papers.jsonl`` (repeat a token for "any of");
* the phrase ``since DAY`` when DAY is unmistakably a day: ``since Monday``, ``since yesterday``,
  ``since 2026-11-20``, ``since 7 days ago``. "Since the transformer" stays part of the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vectorstore.filters import Filters, parse_day

_DAY = (
    r"today|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{4}-\d{2}(?:-\d{2})?"
    r"|\d+\s*(?:d|days?|w|weeks?)(?:\s+ago)?"
)
_SINCE_PHRASE = re.compile(rf"\bsince\s+(?:last\s+)?({_DAY})\b[,;]?", re.IGNORECASE)
_TOKEN = re.compile(
    r"(?<!\S)(since|category|cat|author|source):(?:[\"“]([^\"”]+)[\"”]|(\S+?))(?=[?!.,;]*(?:\s|$))",
    re.IGNORECASE,
)
_FIELD = {"since": "since", "category": "category", "cat": "category", "author": "author"}


class InlineFilterError(ValueError):
    """A filter token whose value cannot be read (e.g. ``since:someday``)."""


@dataclass(frozen=True)
class FilteredQuestion:
    question: str  # the question without the filter tokens/phrases
    filters: Filters


def split_filters(text: str) -> FilteredQuestion:
    """The question and the filters written in it (see the module docstring)."""
    values: dict[str, list[str]] = {}

    def token(m: re.Match[str]) -> str:
        name = m.group(1).lower()
        values.setdefault(_FIELD.get(name, name), []).append(m.group(2) or m.group(3))
        return " "

    def phrase(m: re.Match[str]) -> str:
        values.setdefault("since", []).append(m.group(1))
        return " "

    rest = _TOKEN.sub(token, text)
    if "since" not in values:
        rest = _SINCE_PHRASE.sub(phrase, rest, count=1)
    since = values.pop("since", [])
    try:
        days = [parse_day(v) for v in since]
    except ValueError as exc:
        raise InlineFilterError(str(exc)) from None
    question = re.sub(r"\s+", " ", rest).strip()
    question = re.sub(r"\s+([?.!,;])", r"\1", question)
    filters = Filters.of(
        since=min(days) if days else None,  # "since X ... since:Y": the wider window
        category=values.get("category"),
        author=values.get("author"),
        source=values.get("source"),
    )
    return FilteredQuestion(question, filters)
