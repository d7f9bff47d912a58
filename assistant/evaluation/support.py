"""An NLI-free support check: are an answer's sentences backed by the abstracts they cite?

A cheap, deterministic proxy of ALCE citation precision, no model involved. A sentence is
attributed to the citations that follow it (``... sentence. [Title A]; [Title B]``); it counts
as supported when every number it states appears in those papers' title or abstract and
at least ``min_term_share`` of its content words (stemmed, stopwords dropped) do too.
Verbatim extracts pass; a paraphrase with an invented number or claim does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from vectorstore.papers import normalize_title
from vectorstore.text import numbers, split_sentences, terms

DEFAULT_MIN_TERM_SHARE = 0.7
_CITATION_RUN = re.compile(r"(?:\s*[;,]?\s*\[[^\[\]\n]{1,400}\])+")
_ONE_CITATION = re.compile(r"\[([^\[\]\n]{1,400})\]")


@dataclass(frozen=True)
class Statement:
    """A sentence of the answer and the titles cited for it (empty if none)."""

    sentence: str
    cited: tuple[str, ...]


@dataclass(frozen=True)
class SentenceSupport:
    sentence: str
    cited: tuple[str, ...]
    term_share: float
    missing_numbers: tuple[str, ...]
    supported: bool


@dataclass
class SupportResult:
    sentences: list[SentenceSupport] = field(default_factory=list)

    @property
    def supported(self) -> int:
        return sum(1 for s in self.sentences if s.supported)

    @property
    def score(self) -> float | None:
        """Share of the answer's sentences that are supported; None if it has none."""
        return self.supported / len(self.sentences) if self.sentences else None


def statements(text: str) -> list[Statement]:
    """Split an answer into sentences, each carrying the citation run that closes its segment."""
    out: list[Statement] = []
    pos = 0
    for run in _CITATION_RUN.finditer(text):
        segment = text[pos : run.start()]
        cited = tuple(m.group(1).strip() for m in _ONE_CITATION.finditer(run.group(0)))
        out.extend(Statement(s, cited) for s in _sentences(segment))
        pos = run.end()
    out.extend(Statement(s, ()) for s in _sentences(text[pos:]))
    return out


def _sentences(segment: str) -> list[str]:
    found: list[str] = []
    for line in segment.splitlines():
        line = line.strip().lstrip("-*• ").strip()
        found.extend(s for s in split_sentences(line) if terms(s) or numbers(s))
    return found


def check_support(
    answer_text: str,
    evidence: Mapping[str, str],
    *,
    min_term_share: float = DEFAULT_MIN_TERM_SHARE,
) -> SupportResult:
    """Judge each sentence against the cited papers' text; ``evidence`` maps title -> abstract.

    Titles are matched tolerantly; a sentence with no citation, or citing a title missing
    from ``evidence``, is unsupported.
    """
    by_key = {normalize_title(t): f"{t}\n{a}" for t, a in evidence.items()}
    result = SupportResult()
    for st in statements(answer_text):
        texts = [by_key[k] for k in (normalize_title(c) for c in st.cited) if k in by_key]
        source = "\n".join(texts)
        source_terms = set(terms(source))
        own_terms = set(terms(st.sentence))
        share = len(own_terms & source_terms) / len(own_terms) if own_terms else 1.0
        missing = tuple(sorted(numbers(st.sentence) - numbers(source)))
        supported = bool(texts) and not missing and share >= min_term_share
        result.sentences.append(
            SentenceSupport(st.sentence, st.cited, round(share, 4), missing, supported)
        )
    return result
