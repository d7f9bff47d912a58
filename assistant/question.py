"""Reading a question: its content terms, whether it wants one paper or many, numbers, follow-ups.

Heuristics over wording only; nothing here knows any particular paper or question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vectorstore.text import IRREGULAR, STOPWORDS, WORD_PATTERN, raw_tokens, stem

_WORD = WORD_PATTERN

# Words that say what kind of answer is wanted rather than what it is about.
_GENERIC = frozenset(
    stem(w)
    for w in """paper papers work works study studies article articles abstract abstracts collection
    propose proposes proposed present presents introduce introduces introduced describe describes
    claim claims report reports reported mention mentions use uses used using approach approaches
    method methods new novel one call called name named does do did way explicitly specifically
    primarily main mainly tell know show shows give gives find whose much many remember recall
    tackle tackles address addresses focus focuses deal deals handle handles discuss discusses
    explore explores investigate investigates consider considers look looks get gets""".split()
)
_PLURAL = re.compile(
    r"\b(which|what|list|name|all|any|other)\s+(?:[\w-]+\s+){0,2}?(papers|works|studies|articles|methods|"
    r"approaches|systems|benchmarks|datasets|corpora|frameworks|techniques|models)\b|\bpapers\b",
    re.IGNORECASE,
)
# A question about one paper ("a paper", "which paper", "its ...") wants one, whatever else is plural.
_SINGULAR = re.compile(r"\b(which|a|the|one|this|that)\s+paper\b|\b(it|its|it's)\b", re.IGNORECASE)
_SINGULAR_OF_SET = re.compile(
    r"\bwhich (one )?of (those|these|them)\b[^?]*\b(is|does|has|was|uses)\b", re.IGNORECASE
)
_NUMERIC = re.compile(
    r"\b(how (much|many|large|big|fast|long|well)|what (score|accuracy|speed-?up|resolution|rate|size|"
    r"percentage|fraction|number)|speed-?ups?|faster|gains?|improv\w*|reduc\w*|shrink\w*|cut\w*|save\w*|"
    r"score|accuracy|percent|size|rate)\b",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|those|these|this|that|the (paper|method|model|approach|system|"
    r"framework|benchmark|dataset|work)|same|former|latter)\b",
    re.IGNORECASE,
)
_LOOKUP = re.compile(r"^\s*(what|who)\s+(is|are|does|do)\s+(an?\s+|the\s+)?(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    text: str
    history: tuple[str, ...]
    query: str  # what retrieval searches for (the question, with context from history if needed)
    terms: tuple[str, ...]  # stemmed content terms of this turn
    history_terms: tuple[str, ...]  # content terms of earlier turns used for context
    wants_many: bool
    wants_numbers: bool
    lookup_name: str | None  # "MIO" in "What is MIO?"
    is_followup: bool


def compound_parts(term: str) -> tuple[list[str], str | None]:
    """For a raw compound ("pre-training"): its stemmed parts and its stemmed joined form, if any."""
    parts = [p for p in re.split(r"[.\-]", term) if p]
    if len(parts) < 2:
        return [], None
    joined = stem("".join(parts)) if all(p.isalpha() for p in parts) else None
    return [stem(p) for p in parts if len(p) > 1], joined


def term_key(term: str) -> str:
    """How a question term is spelled in the index (compounds are kept raw in questions)."""
    return stem(term) if ("-" in term or "." in term) else term


def content_terms(text: str) -> list[str]:
    """The question's content terms, stemmed; a compound ("edge-device") stays one raw term."""
    seen: list[str] = []
    for match in _WORD.finditer(text):
        tok = match.group(0).lower()
        if tok in STOPWORDS or (len(tok) < 2 and not tok.isdigit()):
            continue
        term = tok if ("-" in tok or "." in tok) else stem(IRREGULAR.get(tok, tok))
        if stem(tok) in _GENERIC or term in _GENERIC or term in seen:
            continue
        seen.append(term)
    return seen


def analyze(text: str, history: Sequence[str] = ()) -> Question:
    text = " ".join(text.split())
    history = tuple(h for h in (" ".join(h.split()) for h in history) if h)
    own = content_terms(text)
    followup = bool(history) and (bool(_ANAPHORA.search(text)) or len(own) <= 2)
    context = history[-1] if followup else ""
    hist_terms = [t for t in content_terms(context) if t not in own] if followup else []
    query = f"{context} {text}".strip() if followup else text
    many = not _SINGULAR_OF_SET.search(text) and (
        bool(re.search(r"\bpapers\b", text, re.IGNORECASE))
        or (bool(_PLURAL.search(text)) and not _SINGULAR.search(text))
    )
    lookup = _LOOKUP.match(text)
    name = None
    if lookup and len(raw_tokens(text)) <= 6:
        name = lookup.group(4).strip("?.,!\"'")
    return Question(
        text=text,
        history=history,
        query=query,
        terms=tuple(own),
        history_terms=tuple(hist_terms),
        wants_many=many,
        wants_numbers=bool(_NUMERIC.search(text)),
        lookup_name=name,
        is_followup=followup,
    )
