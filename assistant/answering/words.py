"""Words of a question or a text as answering reads them: surface form, matching form, index
term, and whether the word is written like a name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.answering import language
from vectorstore.text import STOPWORDS, surface_key, term_key, words


@lru_cache(maxsize=65536)
def name_shaped(surface: str) -> bool:
    """Written like a name or identifier, whatever its case elsewhere: a capital inside a word
    ("LoRA", "GPTVQ", "CrossSplit", "mOSCAR", "LQ-LoRA"), letters with digits ("A100",
    "GPT-4o"), or digits joined by a colon or hyphen ("2:4"). Title case ("Zero-Shot") is not,
    nor a number with its unit ("4-bit")."""
    if len(surface) < 2:
        return False
    has_digit = any(c.isdigit() for c in surface)
    has_alpha = any(c.isalpha() for c in surface)
    parts = [p for p in re.split(r"[-.:'’]", surface) if p]
    if (
        len(parts) > 1
        and all(p.isdigit() for p in parts[:-1])
        and parts[-1].isalpha()
        and parts[-1].islower()
        and language.everyday_language(parts[-1]) == "en"
    ):
        return False  # a measure: "4-bit", "1.58-bit", "10-shot", "2-stage"
    if re.fullmatch(r"\d+(?:\.\d+)?[kmbt]", surface, re.IGNORECASE):
        return False  # a size: "2B" parameters, "256K" tokens
    return (
        any(any(c.isupper() for c in p[1:]) for p in parts)
        or (has_digit and has_alpha)
        or (has_digit and any(c in ":-" for c in surface))
    )


@dataclass(frozen=True)
class Word:
    surface: str  # as typed
    folded: str  # matching form ("llms" -> "llm", accents folded)
    key: str  # index term (stem)
    start: int
    end: int
    name_shaped: bool  # "LQ-LoRA", "A100", "GPTVQ": a name whatever the context says
    stop: bool  # a function word

    @property
    def content(self) -> bool:
        return not self.stop and (len(self.folded) > 1 or self.folded.isdigit())


def read_words(text: str) -> list[Word]:
    out = []
    for m in words(text):
        surface = m.group(0)
        folded = surface_key(surface)
        out.append(
            Word(
                surface=surface,
                folded=folded,
                key=term_key(folded),
                start=m.start(),
                end=m.end(),
                name_shaped=name_shaped(surface),
                stop=folded in STOPWORDS,
            )
        )
    return out


def word_keys(text: str) -> list[str]:
    """A text as a sequence of word keys: stems, function words as they are (for phrases)."""
    return [w.folded if w.stop else w.key for w in read_words(text)]
