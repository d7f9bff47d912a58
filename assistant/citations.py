"""Citation verification: every answer, from any backend, goes through here before a user sees it.

A bracketed citation survives only if it names (tolerantly matched) a paper retrieved for
this question. Anything else that looks like a citation is cut from the text and reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vectorstore.papers import normalize_title

_BRACKET = re.compile(r"\s?\[([^\[\]\n]{1,400})\]")
_KEY = re.compile(r"^(?:paper\s*|p|source\s*|doc\s*|#)?(\d{1,3})$", re.IGNORECASE)


@dataclass
class VerifiedText:
    text: str
    cited_ids: list[str] = field(default_factory=list)  # verified, in order of first mention
    rejected: list[str] = field(default_factory=list)


def _looks_like_citation(content: str, known: Mapping[str, str], keyed: bool) -> bool:
    """Short technical brackets ("[CLS]", "[0, 1]") are text, not citations.

    When the prompt cited by number (``keyed``), "[1, 3]" is a citation list.
    """
    norm = normalize_title(content)
    if norm in known:
        return True
    if _KEY.match(content.strip()):
        return True
    if keyed and all(_KEY.match(p.strip()) for p in re.split(r"[,;]", content)):
        return True
    return len(norm.split()) >= 3 or ":" in content


def verify_citations(
    text: str,
    retrieved: Mapping[str, str],
    *,
    corpus_titles: Sequence[str] = (),
    keys: Mapping[str, str] | None = None,
) -> VerifiedText:
    """Keep citations of retrieved papers, drop the rest.

    ``retrieved`` maps paper id -> exact title. ``keys`` (optional) maps short keys such as
    "1" to paper ids, for prompts that cite by number; a kept key is rewritten to the exact
    title, so what the user reads always names the paper. ``corpus_titles`` only sharpens
    the report: a known-but-not-retrieved title is as rejected as a made-up one.
    """
    by_norm = {normalize_title(title): pid for pid, title in retrieved.items()}
    known = {**{normalize_title(t): "" for t in corpus_titles}, **by_norm}
    result = VerifiedText(text="")

    def resolve(part: str) -> str | None:
        norm = normalize_title(part)
        if norm in by_norm:
            return by_norm[norm]
        m = _KEY.match(part.strip())
        if m and keys and m.group(1) in keys and keys[m.group(1)] in retrieved:
            return keys[m.group(1)]
        return None

    def replace(match: re.Match[str]) -> str:
        content = match.group(1)
        if not _looks_like_citation(content, known, keys is not None):
            return match.group(0)
        parts = (
            [content]
            if resolve(content)
            else [p for p in re.split(r"\s*[;|]\s*|\s*,\s*(?=\d)", content) if p]
        )
        kept: list[str] = []
        for part in parts:
            pid = resolve(part)
            if pid is None:
                if part.strip() and part.strip() not in result.rejected:
                    result.rejected.append(part.strip())
                continue
            if pid not in result.cited_ids:
                result.cited_ids.append(pid)
            if retrieved[pid] not in kept:
                kept.append(retrieved[pid])
        if not kept:
            return ""
        return " " + "; ".join(f"[{title}]" for title in kept)

    cleaned = _BRACKET.sub(replace, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    result.text = cleaned.strip()
    return result
