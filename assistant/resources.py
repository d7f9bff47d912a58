"""Files shipped with the project: the bundled digest and the prompt templates.

In a wheel they live in ``assistant/_resources``; in a source checkout, at the repo's top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "_resources"
_CHECKOUT = Path(__file__).resolve().parent.parent


def _find(*parts: str) -> Path:
    for base in (_PACKAGED, _CHECKOUT):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"packaged file {'/'.join(parts)} is missing; reinstall the project")


def bundled_digest() -> Path:
    """The daily trending-papers digest that ships with the project."""
    return _find("data", "trending-papers-digest.txt")


def prompt(name: str) -> str:
    """A prompt template from ``prompts/`` (e.g. ``prompt("answer")`` reads ``prompts/answer.txt``)."""
    return _find("prompts", f"{name}.txt").read_text(encoding="utf-8")
