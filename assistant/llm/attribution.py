"""Citations for sentences the model left uncited, by matching them to the evidence it was shown.

Small models often write a correct sentence and forget the ``[1]``. The model saw only the
evidence items, so an uncited sentence comes from one of them: the item whose title it names,
else the one sharing most of its content words. The grounding check and citation verification
still run afterwards, so a wrong match cannot smuggle in an unsupported number or paper.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.evidence import EvidenceItem
from assistant.citations import has_citation
from vectorstore.papers import normalize_title
from vectorstore.text import split_sentences, terms

_BULLET = re.compile(r"^(\s*(?:[-*•]|\d+[.)])\s+)")
MIN_SHARED = 2  # content words a sentence must share with an item to be attributed to it


def _best_item(sentence: str, items: Sequence[EvidenceItem]) -> str | None:
    norm = normalize_title(sentence)
    named = [i for i in items if normalize_title(i.paper.title) in norm]
    if named:
        return named[0].key
    said = set(terms(sentence))
    best_key, best_shared = None, 0
    for item in items:
        shared = len(said & set(terms(" ".join([item.paper.title, *item.sentences]))))
        if shared > best_shared:
            best_key, best_shared = item.key, shared
    return best_key if best_shared >= MIN_SHARED else None


def attribute_uncited(text: str, items: Sequence[EvidenceItem]) -> str:
    """``text`` with ``[key]`` added to each uncited sentence that clearly comes from one item."""
    lines = []
    for line in text.splitlines():
        bullet = _BULLET.match(line)
        prefix = bullet.group(1) if bullet else ""
        sentences = []
        for sentence in split_sentences(line[len(prefix) :]):
            key = None if has_citation(sentence) else _best_item(sentence, items)
            if key is not None:
                body = sentence.rstrip()
                end = body[-1] if body and body[-1] in ".!?" else ""
                sentence = f"{body[: len(body) - len(end)].rstrip()} [{key}]{end}"
            sentences.append(sentence)
        lines.append(prefix + " ".join(sentences) if sentences else line)
    return "\n".join(lines)
