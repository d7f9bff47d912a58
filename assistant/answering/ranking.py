"""Superlatives across the collection ("which paper uses the most GPUs?"): the papers that
state a figure for the measure asked, ranked by it.

A paper's figure is an amount written next to the measure's word ("more than 12,000 GPUs",
"three billion images", "2048K context length"), read with its scale. Abstracts measure
different things, so each ranked paper is shown with the sentence its figure comes from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from assistant.answering.collection import Collection
from assistant.answering.plan import QueryPlan, Term
from vectorstore.text import terms

MAX_SCANNED = 200  # papers containing the measure's word read for figures, at most
# An amount is the measure's when it comes just before its word ("12,000 GPUs", "10
# billion-level images": at most this many words apart) or just after it ("a speedup of 1.8x").
BEFORE, AFTER = 2, 2
RANKED = 3  # papers shown, unless the question asks for a count

_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "m": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}
_WORD_VALUES = {
    # not "one": mostly an article ("one model", "in one pass")
    w: float(i)
    for i, w in enumerate("zero one two three four five six seven eight nine ten".split())
    if i > 1
} | {"dozen": 12.0, "hundred": 100.0, "hundreds": 100.0}
# An amount, not a part of a name ("A100-40G", "I3D") or of another measure ("27GB",
# "2.75-bit"), nor an enumeration mark ("(1)"): see ``_whole``.
_FIGURE = re.compile(
    r"(?<![\w.(:-])(?P<n>\d[\d,]*(?:\.\d+)?|"
    + "|".join(sorted(_WORD_VALUES, key=len, reverse=True))
    + r")(?:\s*(?P<s>thousands?|millions?|billions?|trillion|[kKmMbBtT](?![A-Za-z])))?"
    r"(?P<x>\s*(?:x|×|times)(?![A-Za-z]))?",
    re.IGNORECASE,
)
# words that may stand between a measure and its amount after it ("a speedup of 1.8x",
# "speedup approx 180times"); not a verb's ("models by 1.05x", "models to 1.12%")
_LEADS_TO = frozenset("of about around approx approximately roughly nearly ~ = :".split())
# "thousands of GPUs": a scale alone is its own figure
_SCALE_ALONE = re.compile(r"(?<![\w.])(?P<s>thousands|millions|billions)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    paper_id: str
    value: float
    sentence: str


def measure(plan: QueryPlan) -> Term | None:
    """The term a superlative ranks by ("most GPUs": GPUs, "the biggest speedup": speedup):
    the first word of the collection after the superlative word; after "most", "least" or
    "fewest" only a plural ("the most efficient" ranks no amount)."""
    if plan.extreme is None:
        return None
    position, _, counting = plan.extreme
    after = sorted((t for t in plan.terms if t.position > position), key=lambda t: t.position)
    term = next((t for t in after if t.in_collection), None)
    if term is None or (counting and not term.surface.casefold().endswith("s")):
        return None
    return term


def rank(plan: QueryPlan, collection: Collection, term: Term) -> list[Figure]:
    """Every paper stating a figure for ``term``, best first (the largest for "most", the
    smallest for "fewest"); each paper by its own largest (or smallest) figure."""
    assert plan.extreme is not None
    largest = plan.extreme[1] > 0
    having = collection.contains(term.key).nonzero()[0][:MAX_SCANNED]
    ids = [collection.paper_index[0][i] for i in having]
    found = [
        (pid, value, scaled, sentence)
        for pid, sentences in collection.papers_sentences(ids).items()
        for sentence in sentences[1:]  # the abstract's sentences, not the title
        for value, scaled in figures(sentence, term.key)
    ]
    # like with like: where papers give the measure with a scale ("7B", "585M images"), a
    # bare number near it ("Gemma 2", "four backbones") is not one of its figures
    if len({pid for pid, _, scaled, _ in found if scaled}) >= 2:
        found = [f for f in found if f[2]]
    best: dict[str, Figure] = {}
    for pid, value, _, sentence in found:
        kept = best.get(pid)
        if kept is None or (value > kept.value if largest else value < kept.value):
            best[pid] = Figure(pid, value, sentence)
    return sorted(best.values(), key=lambda f: -f.value if largest else f.value)


def figures(sentence: str, key: str) -> list[tuple[float, bool]]:
    """The amounts a sentence writes next to the word whose index term is ``key``, each with
    whether it has a scale ("7B", "three billion")."""
    spans = list(re.finditer(r"\S+", sentence))
    words = [w.group(0) for w in spans]
    at = [i for i, w in enumerate(words) if key in terms(w)]
    if not at:
        return []
    starts = [w.start() for w in spans]
    out = []
    for m in [*_FIGURE.finditer(sentence), *_SCALE_ALONE.finditer(sentence)]:
        if not _whole(m, sentence):
            continue
        j = max(0, bisect_right(starts, m.start()) - 1)  # the word the amount is in
        before = any(0 < i - j <= BEFORE for i in at)
        after = any(
            0 < j - i <= AFTER
            and not words[i].endswith((",", ";", ".", ":"))  # "163 languages, 315M documents"
            and all(w.strip("(").casefold() in _LEADS_TO for w in words[i + 1 : j])
            for i in at
        )
        if before or after:
            # a scale written with a number ("7B"), not a scale alone ("thousands of")
            out.append((_value(m), m.re is _FIGURE and bool(m.group("s"))))
    return out


def _whole(m: re.Match[str], sentence: str) -> bool:
    """Whether a match is an amount of its own: no letter right after it, and (without a
    scale or "x") no ")", "-" or ":" either ("(1)", "2.75-bit", "2:4")."""
    following = sentence[m.end() : m.end() + 1]
    if following.isalpha():
        return False
    groups = m.groupdict()
    return bool(groups.get("s") or groups.get("x")) or following not in (")", "-", ":")


def _value(m: re.Match[str]) -> float:
    groups = m.groupdict()
    number = groups.get("n")
    if number is None:
        base = 1.0
    else:
        word = number.casefold()
        base = _WORD_VALUES[word] if word in _WORD_VALUES else float(number.replace(",", ""))
    scale = groups.get("s")
    return base * (_SCALES.get(scale.casefold(), 1.0) if scale else 1.0)
