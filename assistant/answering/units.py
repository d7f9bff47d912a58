"""Texts as answering reads them: a title or one sentence, with its index terms (plus the
initialisms of its word runs, so "LLM" meets "large language models")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from vectorstore.text import compound_parts, is_term, raw_tokens, split_sentences, stem

ACRONYM_PREFIX = "~"  # marks an initialism of consecutive words in a text's term set
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
# A number not inside a name: not after a letter ("C4", "GPT-4", "H100"), not before a letter
# that is no unit ("3D", "4o"; but "9k", "2.4x", "7B", "1080p").
_AMOUNT = re.compile(r"(?<!\w)(?<![^\W\d_]-)\d+(?:[.,]\d+)*(?!(?![kKMBGTxXpbsmh])[^\W\d_])")


@dataclass(frozen=True)
class Unit:
    """A title or one sentence of an abstract, with its index terms."""

    text: str
    terms: frozenset[str]
    index: int  # -1 for the title, else the sentence's position in the abstract

    @property
    def is_title(self) -> bool:
        return self.index < 0


def text_terms(text: str) -> frozenset[str]:
    """Index terms of a text, plus the initialisms of its runs of 2-5 content words."""
    tokens = [t for t in raw_tokens(text) if is_term(t)]  # read once: terms() would again
    found = {stem(t) for t in tokens}
    initials = "".join(t[0] for t in tokens if not compound_parts(t))
    for n in range(2, 6):
        found.update(ACRONYM_PREFIX + initials[i : i + n] for i in range(len(initials) - n + 1))
    return frozenset(found)


def units_of(title: str, abstract: str) -> list[Unit]:
    units = [Unit(title, text_terms(title), -1)]
    units.extend(Unit(s, text_terms(s), i) for i, s in enumerate(split_sentences(abstract)))
    return units


def present(term: str, text: frozenset[str], acronym: bool = False) -> bool:
    """A term is in a text if its index term is, or (a compound) its joined form or all its
    parts, or (an acronym of the question) the initials of consecutive words."""
    if term in text:
        return True
    if acronym and ACRONYM_PREFIX + term in text:
        return True
    parts = compound_parts(term)
    if not parts:
        return False
    joined = stem("".join(parts)) if all(p.isalpha() for p in parts) else None
    return (joined is not None and joined in text) or all(stem(p) in text for p in parts)


@lru_cache(maxsize=65536)
def token_keys(token: str) -> frozenset[str]:
    """The keys a word key answers to: itself, and for a compound its parts and joined form."""
    parts = compound_parts(token)
    if not parts:
        return frozenset((token,))
    found = {token, *(stem(p) for p in parts)}
    if all(p.isalpha() for p in parts):
        found.add(stem("".join(parts)))
    return frozenset(found)


def written_in(name: str, text: str) -> re.Match[str] | None:
    """Where ``text`` writes ``name`` as a word of its own, in any case ("LoRA" is not in
    "LQ-LoRA", "AST" not in "CAST")."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE)


# The verbs that give a thing its name: "we propose X", "called X", "we release X".
NAMING_VERB = r"\b(?:propos|introduc|present|call|nam|dub|term|releas)\w*"


# Words after which a name is another's: "we propose X, which outperforms Y", "such as Z"
NOT_INTRODUCED = (
    r"(?<![\w-])(?:which|that|than|over|against|compared|such|e\.g|like|including|outperform\w*|unlike|"
    r"beyond|instead|rather|versus|vs|baselines?|previous|prior|existing|for|to)(?![\w-])"
)


def defines_name(text: str, name: str, own: bool = False) -> bool:
    """Whether the sentence introduces ``name``: "we propose NAME", "NAME is a …", "called NAME",
    "… (NAME)". ``own``: as the paper's own, so an abbreviation counts only after a naming verb
    ("we propose Continuous Adaptive Sparse Trainer (CAST)", not "low-rank adaptation (LoRA)
    is the most popular approach")."""
    n = re.escape(name)
    return bool(
        re.search(
            rf"{NAMING_VERB}\s+(?:\S+\s+){{0,4}}?{n}\b"
            + (
                # the name within what the naming verb introduces ("we introduce a new …
                # benchmark …, the AlgoPerf benchmark"), not past what it is compared with
                # ("the proposed framework … on training BERT" introduces no BERT)
                rf"|(?<!\bthe\s)(?<!\bour\s){NAMING_VERB}(?:(?!{NOT_INTRODUCED})[^.;])*?"
                rf"(?<![\w-]){n}(?![\w-])"
                if own
                else rf"|\(\s*{n}\s*\)"
            )
            + rf"|\b{n}\b\s*(?:\([^)]*\)\s*)?(?:(?:is|are|which is)\s+(?:a|an|the)\b|,\s*(?:a|an)\b)",
            text,
            re.IGNORECASE,
        )
    )


# A ratio or a share: "7.89x", "2.2 times", "35.1%", "5.7-fold", "twice".
_RELATIVE = re.compile(
    r"\d(?:[\d.,]*\d)?\s*(?:[x×](?![\w])|times\b|-?fold\b|%|\\%|percent\b)"
    r"|\b(?:twice|double[sd]?|halve[sd]?|\w+-fold)\b",
    re.IGNORECASE,
)


# A stretch of time: "14 minutes", "3-11 hours", "2.5 days", "80 min".
_DURATION = re.compile(
    r"\d(?:[\d.,]*\d)?\s*(?:-|to|–)?\s*(?:\d[\d.,]*\s*)?"
    r"(?:(?:GPU|TPU|A100|H100|V100)[- ]?)?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|"
    r"months?|years?)\b",
    re.IGNORECASE,
)


def durations(text: str) -> list[str]:
    """The stretches of time a sentence states ("from 80 minutes to 14 minutes")."""
    return [m.group(0) for m in _DURATION.finditer(URL.sub(" ", text))]


def relative_amounts(text: str) -> list[str]:
    """The ratios and shares a sentence states ("up to 7.89x", "by 35.1%")."""
    return [m.group(0) for m in _RELATIVE.finditer(URL.sub(" ", text))]


def quantities(text: str) -> list[str]:
    """The amounts a sentence states: its numbers, but not the digits of a name ("C4", "mmc4",
    "GPT-4") or a web address."""
    text = URL.sub(" ", text)
    return [
        m.group(0)
        for m in _AMOUNT.finditer(text)
        # "we 1) introduce …, 2) …": an enumeration, not an amount
        if not (
            len(m.group(0)) <= 2 and m.group(0).isdigit() and text[m.end() : m.end() + 1] == ")"
        )
    ]


# LaTeX left in abstracts: an escaped character ("35.1\\%"), an accent ("Nystr\\"om"), a
# web address ("\\url{…}"), a hyphenation point ("Q\\-Former").
_LATEX_ESCAPE = re.compile(r"\\([%&_#$])")
_LATEX_ACCENT = re.compile(r"\\([\"'`^~])\{?([A-Za-z])\}?")
_COMBINING = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303"}
_LATEX_URL = re.compile(r"\\url\{([^}]*)\}")
_HREF_LEFTOVER = re.compile(r"(https?://[^\s{}]+)\{\1\}")  # "\href{x}{x}" lost its command


def readable(text: str) -> str:
    """Abstract text as a reader should see it: the LaTeX some abstracts carry shown as the
    characters it stands for ("Nystr\\"om" as "Nyström", "35.1\\%" as "35.1%")."""
    text = _HREF_LEFTOVER.sub(r"\1", _LATEX_URL.sub(r"\1", text))
    text = _LATEX_ESCAPE.sub(r"\1", text).replace("\\-", "")
    return _LATEX_ACCENT.sub(
        lambda m: unicodedata.normalize("NFC", m.group(2) + _COMBINING[m.group(1)]), text
    )


def quotable(sentence: str) -> str:
    """An abstract's sentence as an answer quotes it: readable, and with its brackets made
    parentheses, so that none reads as a citation."""
    return readable(sentence).replace("[", "(").replace("]", ")")
