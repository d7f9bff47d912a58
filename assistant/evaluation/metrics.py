"""Pure scoring functions: one question's answer against its gold titles and key facts.

Titles are compared the way citation verification compares them (case, accents, punctuation
and spacing folded), and a title listed twice counts once. A metric that does not apply to an
item (recall with no gold titles, precision with no citations) is ``None``, never 0, so it
does not drag an average it has no part in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from assistant.citations import brackets
from vectorstore.papers import normalize_title


def distinct_titles(titles: Iterable[str]) -> list[str]:
    """Titles in first-seen order, duplicates (up to case/punctuation) removed."""
    seen: set[str] = set()
    out: list[str] = []
    for title in titles:
        key = normalize_title(title)
        if key and key not in seen:
            seen.add(key)
            out.append(title)
    return out


def _keys(titles: Iterable[str]) -> set[str]:
    return {k for k in (normalize_title(t) for t in titles) if k}


def recall_at_k(ranked: Sequence[str], gold: Sequence[str], k: int) -> float | None:
    """Share of gold titles among the first ``k`` distinct ranked titles; None without gold."""
    gold_keys = _keys(gold)
    if not gold_keys:
        return None
    if k <= 0:
        return 0.0
    top = _keys(distinct_titles(ranked)[:k])
    return len(gold_keys & top) / len(gold_keys)


def hit_at_k(ranked: Sequence[str], gold: Sequence[str], k: int) -> bool | None:
    """Whether any gold title is among the first ``k`` ranked titles; None without gold."""
    gold_keys = _keys(gold)
    if not gold_keys:
        return None
    return bool(gold_keys & _keys(distinct_titles(ranked)[: max(k, 0)]))


def citation_recall(cited: Sequence[str], gold: Sequence[str]) -> float | None:
    """Share of gold titles the answer cites; None without gold."""
    gold_keys = _keys(gold)
    if not gold_keys:
        return None
    return len(gold_keys & _keys(cited)) / len(gold_keys)


def citation_precision(cited: Sequence[str], gold: Sequence[str]) -> float | None:
    """Share of distinct cited titles that are gold; None when nothing is cited or there is no gold.

    Items without gold (unanswerable) are judged by abstention instead.
    """
    cited_keys = _keys(cited)
    gold_keys = _keys(gold)
    if not cited_keys or not gold_keys:
        return None
    return len(cited_keys & gold_keys) / len(cited_keys)


def duplicate_citations(cited: Sequence[str]) -> int:
    """How many citation entries repeat an earlier one (the API promises there are none)."""
    return len([t for t in cited if normalize_title(t)]) - len(distinct_titles(cited))


def bracketed(text: str) -> list[str]:
    """Bracketed spans of an answer that read like titles (three words or more)."""
    return [c.strip() for _, c in brackets(text) if len(c.split()) >= 3]


def non_corpus_citations(cited: Sequence[str], corpus_titles: Iterable[str]) -> list[str]:
    """Cited titles (distinct) that name no paper in the store."""
    corpus = _keys(corpus_titles)
    return [t for t in distinct_titles(cited) if normalize_title(t) not in corpus]


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def missing_facts(answer_text: str, key_facts: Sequence[str]) -> list[str]:
    """Key facts not found in the answer (case-insensitive substring, whitespace folded)."""
    haystack = _fold(answer_text)
    return [f for f in key_facts if _fold(f) and _fold(f) not in haystack]


def key_fact_coverage(answer_text: str, key_facts: Sequence[str]) -> float | None:
    """Share of key facts the answer contains; None when the item lists none."""
    facts = [f for f in key_facts if _fold(f)]
    if not facts:
        return None
    return 1.0 - len(missing_facts(answer_text, facts)) / len(facts)


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that apply (None skipped); None if none apply."""
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default; None if empty."""
    data = sorted(values)
    if not data:
        return None
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)
