"""The grounding check: an LLM sentence whose numbers are not in the abstracts it cites is suspect.

Small models move numbers between papers ("reaches 22.58 BLEU [2]" when 22.58 is paper 1's).
Each sentence is checked against the abstracts of the papers it cites (or, uncited, the ones
the sentence before it cited); per the ``grounding`` setting a failing sentence is flagged,
dropped, or replaced by the cited paper's own sentence closest to what it tried to say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from assistant.answering.units import quotable
from assistant.citations import BRACKET, cited_ids
from vectorstore.papers import normalize_title
from vectorstore.retrieval import RetrievedPaper
from vectorstore.text import numbers, split_sentences, terms

GroundingMode = Literal["flag", "drop", "replace"]
_CITE_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[[^\[\]\n]{1,400}\])+)")
_BULLET = re.compile(r"^(\s*(?:[-*•]|\d+[.)])\s+)")


@dataclass
class Grounded:
    text: str
    flagged: list[str] = field(default_factory=list)  # the sentences that failed the check
    notices: list[str] = field(default_factory=list)


def _claimed_numbers(sentence: str, question: str) -> set[str]:
    """Numbers the sentence states itself (not citation keys, not numbers the user asked about)."""
    return numbers(BRACKET.sub(" ", sentence)) - numbers(question)


def closest_sentence(paper: RetrievedPaper, flagged: str) -> str | None:
    """The abstract's sentence sharing most words with what the flagged sentence tried to say."""
    said = set(terms(BRACKET.sub(" ", flagged)))
    best, best_shared = None, 0
    for sentence in split_sentences(paper.paper.abstract):
        shared = len(said & set(terms(sentence)))
        if shared > best_shared:
            best, best_shared = sentence, shared
    return quotable(best) if best else None


def check_grounding(
    text: str,
    papers: list[RetrievedPaper],
    keys: Mapping[str, str],
    question: str,
    mode: GroundingMode,
) -> Grounded:
    """Check each sentence of ``text`` (citations as ``[n]`` keys or exact titles)."""
    by_id = {p.paper_id: p for p in papers}
    by_title = {normalize_title(p.title): p.paper_id for p in papers}
    key_of = {pid: k for k, pid in keys.items()}
    known = {pid: numbers(f"{p.title} {p.paper.abstract}") for pid, p in by_id.items()}
    result = Grounded(text="")
    out_lines: list[str] = []
    used_replacements: set[str] = set()
    for line in _CITE_AFTER_STOP.sub(r"\2\1", text).splitlines():
        bullet = _BULLET.match(line)
        prefix = bullet.group(1) if bullet else ""
        sentences = split_sentences(line[len(prefix) :])
        kept: list[str] = []
        previous: list[str] = []
        for sentence in sentences:
            cited = cited_ids(sentence, by_title, keys) or previous
            previous = cited or previous
            claimed = _claimed_numbers(sentence, question)
            sources = cited or list(by_id)
            supported = set().union(*(known[pid] for pid in sources if pid in known))
            if not claimed or claimed <= supported:
                kept.append(sentence)
                continue
            result.flagged.append(sentence)
            if mode == "flag":
                kept.append(sentence)
            elif mode == "replace" and cited:
                pid = cited[0]
                swap = closest_sentence(by_id[pid], sentence) if pid in by_id else None
                if swap and swap not in used_replacements:
                    used_replacements.add(swap)
                    cite = f"[{key_of[pid]}]" if pid in key_of else f"[{by_id[pid].title}]"
                    kept.append(f"{swap.rstrip()} {cite}")
        if kept:
            out_lines.append(prefix + " ".join(kept))
        elif not sentences:
            out_lines.append(line)
    result.text = "\n".join(out_lines).strip()
    if result.flagged:
        verb = {"flag": "are unverified", "drop": "were removed", "replace": "were replaced"}[mode]
        count = len(result.flagged)
        result.notices.append(
            f"{count} sentence{'s' if count > 1 else ''} with numbers not found in the cited "
            f"abstracts {verb if count > 1 else verb.replace('are', 'is').replace('were', 'was')}"
            + (" by the abstract's own words." if mode == "replace" else ".")
        )
    return result
