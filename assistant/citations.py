"""Citations: how an answer cites (the grammar, in one place) and their verification.

An answer cites a paper with its exact title in square brackets, or (LLM prompts) with a short
key such as ``[1]``. Verification runs once on every answer, from any backend, before a user
sees it: a bracket survives only if it names (tolerantly matched) a paper retrieved for this
question, and is then rewritten to that paper's exact title. Every other bracket, a made-up
title, a fullwidth ``［…］``, one split across lines, becomes plain parentheses, so nothing in
the text looks like a citation that was not verified. Titles that contain brackets themselves
("[Re] BERT …") are recognised whole before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from vectorstore.papers import normalize_title

# Bracket pairs a model (or an injected abstract) may use to fake a citation.
_OPENERS = "[［【〔⟦〚"
_CLOSERS = "]］】〕⟧〛"
_TO_ASCII = str.maketrans(dict.fromkeys(_OPENERS, "[") | dict.fromkeys(_CLOSERS, "]"))
# One citation: a bracket with no bracket inside, at most a few lines long.
BRACKET = re.compile(r"\[([^\[\]]{1,400})\]")
# A short key: "1", "p2", "paper 3", "#4", "source 5".
KEY = re.compile(r"^\s*(?:paper\s*|p|source\s*|doc\s*|#)?(\d{1,3})\s*$", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*[;|]\s*|\s*,\s*(?=(?:paper\s*|p|#)?\d)", re.IGNORECASE)
_PLACEHOLDER = "\x00{}\x00"


@dataclass
class VerifiedText:
    text: str
    cited_ids: list[str] = field(default_factory=list)  # verified, in order of first mention
    rejected: list[str] = field(default_factory=list)  # citation-like brackets that did not verify


def citation_parts(content: str) -> list[str]:
    """The citations inside one bracket: "[1, 3]", "[Title A; Title B]" -> each part."""
    parts = [p.strip() for p in _SEPARATORS.split(content)]
    return [p for p in parts if p]


def resolve(
    part: str, by_title: Mapping[str, str], keys: Mapping[str, str] | None = None
) -> str | None:
    """The paper id a citation part names: an exact title (normalised) or a known key."""
    pid = by_title.get(normalize_title(part))
    if pid is not None:
        return pid
    m = KEY.match(part)
    if m and keys and m.group(1) in keys:
        return keys[m.group(1)]
    return None


def cited_ids(
    text: str, by_title: Mapping[str, str], keys: Mapping[str, str] | None = None
) -> list[str]:
    """Paper ids of the citations in ``text`` that resolve, in order of first mention."""
    ids: list[str] = []
    for _, content in brackets(text):
        parts = [content] if resolve(content, by_title, keys) else citation_parts(content)
        for part in parts:
            pid = resolve(part, by_title, keys)
            if pid and pid not in ids:
                ids.append(pid)
    return ids


def brackets(text: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each bracketed span of ``text`` (fullwidth and other brackets read as square ones)."""
    for m in BRACKET.finditer(text.translate(_TO_ASCII)):
        yield m, m.group(1)


def has_citation(text: str) -> bool:
    return BRACKET.search(text.translate(_TO_ASCII)) is not None


def _looks_like_citation(content: str, known: set[str], keyed: bool) -> bool:
    """Worth reporting as a rejected citation: a title-like phrase or a key.

    Short technical brackets ("[CLS]", "[0, 1]") are only turned into parentheses."""
    norm = normalize_title(content)
    if norm in known or any(norm and norm in k for k in known if len(norm) >= 6):
        return True
    if KEY.match(content):
        return keyed
    return len(norm.split()) >= 3 or ":" in content


def verify_citations(
    text: str,
    retrieved: Mapping[str, str],
    *,
    corpus_titles: Sequence[str] = (),
    keys: Mapping[str, str] | None = None,
) -> VerifiedText:
    """Keep citations of retrieved papers (as their exact titles), turn the rest into plain text.

    ``retrieved`` maps paper id -> exact title. ``keys`` (optional) maps short keys such as
    "1" to paper ids, for prompts that cite by number. ``corpus_titles`` only sharpens the
    report: a known-but-not-retrieved title is as rejected as a made-up one.
    """
    by_title = {normalize_title(title): pid for pid, title in retrieved.items()}
    known = {normalize_title(t) for t in corpus_titles} | set(by_title)
    result = VerifiedText(text="")
    text = text.translate(_TO_ASCII)

    # Titles that contain brackets are taken out first, so their brackets are not split.
    protected: list[str] = []
    for pid, title in sorted(retrieved.items(), key=lambda kv: -len(kv[1])):
        if "[" in title or "]" in title:
            marker = _PLACEHOLDER.format(len(protected))
            if f"[{title}]" in text:
                protected.append(pid)
                text = text.replace(f"[{title}]", marker)

    def keep(pid: str) -> None:
        if pid not in result.cited_ids:
            result.cited_ids.append(pid)

    def replace(match: re.Match[str]) -> str:
        content = match.group(1)
        whole = resolve(content, by_title, keys)
        parts = [content] if whole else citation_parts(content)
        kept: list[str] = []
        for part in parts:
            pid = resolve(part, by_title, keys)
            if pid is None:
                if (
                    _looks_like_citation(part, known, keys is not None)
                    and part not in result.rejected
                ):
                    result.rejected.append(" ".join(part.split()))
                continue
            keep(pid)
            if pid not in kept:
                kept.append(pid)
        if kept:
            return " " + "; ".join(_PLACEHOLDER.format(f"p{pid}") for pid in kept)
        if all(_looks_like_citation(p, known, keys is not None) for p in parts):
            return ""
        return "(" + content + ")"  # a bracket that is not a citation is not shown as one

    cleaned = BRACKET.sub(replace, text)
    # what is left of a bracket is plain text now
    cleaned = cleaned.replace("[", "(").replace("]", ")")

    def restore(match: re.Match[str]) -> str:
        token = match.group(1)
        if token.startswith("p"):
            return f"[{retrieved[token[1:]]}]"
        pid = protected[int(token)]
        keep(pid)
        return f"[{retrieved[pid]}]"

    cleaned = re.sub(r"\x00(p?[^\x00]+)\x00", restore, cleaned)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    cleaned = re.sub(r"\(\s*\)", "", cleaned)
    result.text = cleaned.strip()
    # citations in order of first appearance in the final text
    order = [pid for pid in _order_in(result.text, retrieved) if pid in result.cited_ids]
    result.cited_ids = order + [p for p in result.cited_ids if p not in order]
    return result


def _order_in(text: str, retrieved: Mapping[str, str]) -> list[str]:
    positions = []
    for pid, title in retrieved.items():
        at = text.find(f"[{title}]")
        if at >= 0:
            positions.append((at, pid))
    return [pid for _, pid in sorted(positions)]
