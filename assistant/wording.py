"""Counts and durations as people write them: "1 paper", "2 papers", "340 ms", "1.2 s"."""

from __future__ import annotations


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 paper``, ``0 papers``, ``2 papers`` (``plural_form`` for irregular nouns)."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


def duration(ms: float) -> str:
    """Under a second in milliseconds (``340 ms``, ``<1 ms``), else seconds (``1.2 s``)."""
    if ms < 0.5:
        return "<1 ms"
    if ms < 999.5:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.1f} s"
