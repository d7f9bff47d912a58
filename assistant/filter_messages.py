"""Saying why filters leave no paper, in each front end's own spelling of a filter.

``Assistant.filter_coverage`` decides it before answering; these words explain it:
"no paper matches --category cs.CL (119 papers have no category)".
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.wording import plural
from vectorstore.filters import FilterCount, FilterCoverage

Spelling = Callable[[str, str], str]  # (field, value) -> how the user writes that filter

_FLAGS = {"added_since": "--added-since"}
_INLINE = {"added_since": "added-since"}


def flag_spelling(field: str, value: str) -> str:
    """As a command-line flag: ``--category cs.CL``."""
    return f"{_FLAGS.get(field, '--' + field)} {value}"


def inline_spelling(field: str, value: str) -> str:
    """As written in a Slack message: ``category:cs.CL``."""
    return f"{_INLINE.get(field, field)}:{value}"


def _why(count: FilterCount) -> str:
    if count.newest is not None:
        verb = "is from" if count.field == "since" else "was added on"
        return f"the newest paper {verb} {count.newest.isoformat()}"
    if count.missing:
        have = "has" if count.missing == 1 else "have"
        return f"{plural(count.missing, 'paper')} {have} no {count.field}"
    return ""


def no_match_message(coverage: FilterCoverage, spell: Spelling = flag_spelling) -> str:
    """Why no paper passes: the filters that match nothing on their own, with the reason."""

    def spelled(count: FilterCount) -> str:
        return " ".join(spell(count.field, v) for v in count.values)

    if coverage.papers == 0:
        return "no paper is indexed yet"
    empty = [c for c in coverage.counts if c.matching == 0]
    if not empty:
        together = " and ".join(spelled(c) for c in coverage.counts)
        return f"no paper matches {together} together"
    parts = []
    for count in empty:
        reason = _why(count)
        parts.append(spelled(count) + (f" ({reason})" if reason else ""))
    return "no paper matches " + " nor ".join(parts)
