"""Shared text handling: sentence splitting and the term analysis used by BM25 and sentence scoring.

One analyser for both keeps lexical retrieval and extractive scoring consistent.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Bump when ``terms`` changes what it produces: persisted BM25 indexes are keyed on it.
ANALYZER_VERSION = 2

STOPWORDS = frozenset(
    """a an the and or but if then else of in on at to for from by with without into onto over under
    about as is are was were be been being am do does did doing have has had having this that these
    those it its itself they them their theirs we our ours you your yours he she his her i me my
    not no nor so than too very can could would should will shall may might must also such both
    each which what who whom whose when where why how all any some most more other same own only
    just there here out up down off again further once while during before after above below
    between through until against via per s t""".split()
)

WORD_PATTERN = _TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

# Sentence ends: ., ! or ? followed by space and an upper-case letter, digit or quote.
# "e.g." / "i.e." / "et al." / "vs." and decimals are protected.
_ABBREV = re.compile(r"\b(e\.g|i\.e|et al|vs|cf|Fig|Eq|resp|approx|etc)\.", re.IGNORECASE)
_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Split an abstract into sentences, keeping numbers like 1.75x and abbreviations intact."""
    protected = _ABBREV.sub(lambda m: m.group(0).replace(".", "\x00"), normalize_ws(text))
    parts = _SENT_END.split(protected)
    return [p.replace("\x00", ".").strip() for p in parts if p.strip()]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


# Irregular plurals the stemmer does not fold onto their singular.
IRREGULAR = {
    "corpora": "corpus",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "indices": "index",
    "matrices": "matrix",
    "vertices": "vertex",
    "appendices": "appendix",
}


def raw_tokens(text: str) -> list[str]:
    """Lower-cased word tokens, keeping things like ``1.75x``, ``gpt-4`` and ``int4`` whole.

    A hyphenated word also yields its parts and its joined form, so "pre-training",
    "pretraining" and "pre training" meet.
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        tok = match.group(0).lower()
        tokens.append(IRREGULAR.get(tok, tok))
        if "-" in tok or "." in tok:
            parts = [t for t in re.split(r"[.\-]", tok) if t]
            tokens.extend(IRREGULAR.get(t, t) for t in parts)
            if "-" in tok and len(parts) == 2 and all(p.isalpha() for p in parts):
                tokens.append("".join(parts))
    return tokens


def terms(text: str) -> list[str]:
    """Content terms: tokens minus stopwords, stemmed. Used for BM25 and sentence overlap."""
    return [stem(t) for t in raw_tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def numbers(text: str) -> set[str]:
    """The numbers a text states, normalised (``5,400`` -> ``5400``)."""
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(text)}
