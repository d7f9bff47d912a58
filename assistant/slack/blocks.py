"""Answers as Slack messages: Markdown to mrkdwn, Block Kit within Slack's limits, text fallback.

Slack rejects a section over 3000 characters and a message over 50 blocks, so long answers
are split at line and sentence boundaries (code fences closed and reopened) and, past the
block budget, shortened with a visible note rather than failing to post.

Answer text is written by an LLM that may have obeyed an injected abstract, so nothing in it
becomes live: ``<``, ``>`` and ``&`` are escaped (no ``<!channel>``, ``<@U…>`` or ``<url|…>``),
Markdown links and bare URLs are shown as code (``here (`https://…`)``), and every text object
is ``verbatim`` (Slack does not auto-link URLs, channel names or mentions in it). The only
links are the ones added here: each source's own paper URL in the Sources list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.answer import Answer
from assistant.display import visible
from assistant.wording import duration

SECTION_LIMIT = 3000  # characters of text in one section or context element
MAX_BLOCKS = 50
CONTEXT_ELEMENTS = 10  # elements in one context block
TEXT_LIMIT = 39_000  # Slack truncates the ``text`` field at 40,000 characters
SHORTENED = "_… answer shortened to fit one Slack message._"

Block = dict[str, Any]


@dataclass
class SlackMessage:
    """The two things chat.postMessage / chat.update take: blocks and their text fallback."""

    text: str
    blocks: list[Block] = field(default_factory=list)


# -- Markdown -> mrkdwn ----------------------------------------------------------------------
_CODE = re.compile(r"(```.*?(?:```|\Z)|`[^`\n]+`)", re.DOTALL)
_FENCE_LANG = re.compile(r"^```[\w+#.-]*\n")
# A Markdown link or image (its target may hold one level of parentheses), or a bare URL (a
# scheme, even glued to a word; ``www.``; an e-mail address). Every part that may repeat is
# anchored or bounded, so a long run of letters costs linear time.
_SCHEMES = r"(?:https?|s?ftp|file|wss?|git|ssh|ircs?|telnet|gopher|feed)://"
_SCHEMES += r"|(?:mailto|javascript|vbscript|data|slack|tel|sms|magnet):"
_URL = rf"(?:{_SCHEMES}|\bwww\.|\b[\w.+-]{{1,64}}@(?=\w))[^\s`<>]*"
_TRAILING = ".,;:!?'\")]"  # after a bare URL: punctuation of the sentence, not of the URL
_TARGET = r"((?:[^\s()]|\([^\s()]*\))*)"
_LINK_OR_URL = re.compile(
    rf"!?\[([^\[\]\n]*)\]\(\s*{_TARGET}(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)|({_URL})",
    re.IGNORECASE,
)
_BARE_URL = re.compile(_URL, re.IGNORECASE)
_SLOT = re.compile("\x01(\\d+)\x01")  # where an inert link waits while the prose is formatted
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_RULE = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$", re.MULTILINE)
_QUOTE = re.compile(r"^&gt;[ \t]?", re.MULTILINE)
_BOLD_MARK = "\x00"


def escape(text: str) -> str:
    """Slack's three control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inert_url(url: str) -> str:
    """A URL shown as inline code: readable, never a link (Slack does not link inside code)."""
    return f"`{escape(url).replace('`', '%60')}`"


def _inert_bare_url(url: str) -> str:
    core = url.rstrip(_TRAILING) or url
    return _inert_url(core) + escape(url[len(core) :])


def _inert_link(m: re.Match[str]) -> str:
    """A Markdown link as ``label (`url`)``, a bare URL as `` `url` `` (escaped mrkdwn)."""
    if m.group(3) is not None:
        return _inert_bare_url(m.group(3))
    label = _BARE_URL.sub(lambda u: _inert_bare_url(u.group()), escape(m.group(1).strip()))
    url = m.group(2)
    if not url:
        return label
    return f"{label} ({_inert_url(url)})" if label else _inert_url(url)


def _park_links(text: str, links: list[str]) -> str:
    """``text`` with each link or URL replaced by a numbered slot; ``links`` gets them inert.

    ``text`` must have no raw control characters (see ``visible``), so no slot is forged.
    """

    def park(m: re.Match[str]) -> str:
        links.append(_inert_link(m))
        return f"\x01{len(links) - 1}\x01"

    return _LINK_OR_URL.sub(park, text)


def _unpark_links(text: str, links: list[str]) -> str:
    return _SLOT.sub(lambda m: links[int(m.group(1))], text)


def inert(text: str) -> str:
    """Untrusted one-line text as mrkdwn: escaped, its links and URLs inert."""
    links: list[str] = []
    text = escape(_park_links(visible(text), links)).replace("`", "ˋ")
    return _unpark_links(text, links)


def _prose_to_mrkdwn(text: str) -> str:
    links: list[str] = []
    text = escape(_park_links(visible(text, multiline=True), links))  # formatting skips URLs
    text = text.replace("`", "ˋ")  # a stray backtick must not pair with an inert URL's
    text = _RULE.sub("──────────", text)
    text = _QUOTE.sub("> ", text)
    text = _HEADING.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1) or m.group(2)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _STRIKE.sub(r"~\1~", text)
    return _unpark_links(text, links).replace(_BOLD_MARK, "*")


def to_mrkdwn(markdown: str) -> str:
    """Common Markdown (bold, italic, headings, lists, code, quotes) as Slack mrkdwn; links
    and URLs as inert code (see the module docstring)."""
    parts = _CODE.split(markdown.replace(_BOLD_MARK, ""))
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(_prose_to_mrkdwn(part))
        else:  # code: no formatting inside, only escaping; Slack shows a language tag as text
            out.append(escape(visible(_FENCE_LANG.sub("```\n", part), multiline=True)))
    return "".join(out)


_CITATION = re.compile(r"\s?\[[^\[\]\n]*\](?!\()|\s?\[[^\[\]\n]*\Z")


def hide_citations(partial: str) -> str:
    """A streaming preview without bracketed citations: only verified ones are ever shown."""
    return _CITATION.sub("", partial)


# -- splitting under the section limit --------------------------------------------------------
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def _hard_pieces(line: str, limit: int) -> list[str]:
    """A line longer than ``limit``: split at sentence ends, then spaces, then anywhere."""
    pieces: list[str] = []
    rest = line
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit), default=0)
        if cut < limit // 3:
            space = window.rfind(" ")
            cut = space + 1 if space > limit // 3 else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def split_sections(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, split between lines where possible.

    A code fence open at a split is closed at the end of one piece and reopened in the next.
    """
    budget = limit - 8  # room for a closing and a reopening fence
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(_hard_pieces(line, budget) if len(line) > budget else [line])
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    in_code = False
    for line in lines:
        extra = len(line) + (1 if current else 0)
        if current and size + extra > budget:
            chunk = "\n".join(current)
            if in_code:
                chunk += "\n```"
            chunks.append(chunk)
            current, size = (["```"], 3) if in_code else ([], 0)
            extra = len(line) + (1 if current else 0)
        current.append(line)
        size += extra
        in_code ^= line.count("```") % 2 == 1
    chunk = "\n".join(current)
    if chunk.strip():
        chunks.append(chunk)
    return [c for c in chunks if c.strip()]


# -- blocks -----------------------------------------------------------------------------------
def mrkdwn(text: str) -> Block:
    """A text object Slack shows as written: no auto-linked URLs, channels or mentions."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context_blocks(lines: list[str]) -> list[Block]:
    """Context block(s) for ``lines``: elements under the text limit, ten elements a block."""
    elements: list[Block] = []
    for piece in split_sections("\n".join(lines)):
        elements.append(mrkdwn(piece))
    return [
        {"type": "context", "elements": elements[i : i + CONTEXT_ELEMENTS]}
        for i in range(0, len(elements), CONTEXT_ELEMENTS)
    ]


def _body_blocks(mrkdwn: str, budget: int) -> list[Block]:
    pieces = split_sections(mrkdwn)
    if len(pieces) > budget:
        pieces = pieces[: max(budget, 1)]
        last = split_sections(pieces[-1], SECTION_LIMIT - len(SHORTENED) - 2)[0]
        pieces[-1] = f"{last}\n{SHORTENED}"
    return [section(p) for p in pieces]


_LIVE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", re.IGNORECASE)
_URL_QUOTED = str.maketrans({"|": "%7C", "<": "%3C", ">": "%3E", "&": "&amp;"})


def _paper_url(url: str | None) -> str | None:
    """The paper's own http(s) URL, quoted for use inside ``<…>``; None if it is not one."""
    if url and _LIVE_URL.fullmatch(url) and visible(url) == url:
        return url.translate(_URL_QUOTED)
    return None


def _source_label(index: int, title: str, url: str | None) -> str:
    """``1. Title``, linked to the paper's own URL: the only live links in an answer."""
    live = _paper_url(url)
    if live:
        return f"{index}. <{live}|{escape(visible(title)).replace('|', '¦')}>"
    return f"{index}. {inert(title)}"


def _plain_source(index: int, title: str, url: str | None) -> str:
    """The text-fallback form: ``1. Title (https://…)``."""
    live = _paper_url(url)
    shown = f" (<{live}>)" if live else (f" ({inert(url)})" if url else "")
    return f"{index}. {inert(title)}{shown}"


def _footer(answer: Answer) -> str:
    who = (
        answer.backend
        if answer.model in ("", answer.backend)
        else f"{answer.backend} · {answer.model}"
    )
    seconds = answer.timings_ms.get("total")
    took = f" · {duration(seconds)}" if seconds is not None else ""
    return f"Answered by *{inert(who)}*{took}"


ABSTAINED = "*I couldn't find an answer to this in the indexed papers.*"


def answer_message(answer: Answer) -> SlackMessage:
    """The final reply: answer sections, Sources (numbered exact titles), notes, backend."""
    trailer: list[Block] = []
    plain_sources: list[str] = []
    if answer.citations:
        lines = ["*Sources*"]
        for i, c in enumerate(answer.citations, start=1):
            lines.append(_source_label(i, c.title, c.url))
            plain_sources.append(_plain_source(i, c.title, c.url))
        trailer.extend(context_blocks(lines))
    if answer.notices:
        trailer.extend(context_blocks([f"Note: {inert(n)}" for n in answer.notices]))
    trailer.extend(context_blocks([_footer(answer)]))

    body = to_mrkdwn(answer.text.strip())
    if answer.abstained:
        body = f"{ABSTAINED}\n{body}" if body else ABSTAINED
    blocks = _body_blocks(body, MAX_BLOCKS - len(trailer)) + trailer

    plain = body
    if plain_sources:
        plain += "\n\nSources:\n" + "\n".join(plain_sources)
    return SlackMessage(text=_fallback(plain), blocks=blocks[:MAX_BLOCKS])


def preview_message(partial: str) -> SlackMessage:
    """What a streaming answer looks like before it is verified: no citations, a 'writing' note."""
    body = to_mrkdwn(hide_citations(partial).strip()) or "…"
    trailer = context_blocks(["_writing… sources follow when the answer is checked_"])
    return SlackMessage(
        text=_fallback(body), blocks=_body_blocks(body, MAX_BLOCKS - len(trailer)) + trailer
    )


def notice_message(text: str) -> SlackMessage:
    """A one-section message (help, apology)."""
    return SlackMessage(text=_fallback(text), blocks=[section(text)])


def _fallback(text: str) -> str:
    text = text.strip() or "…"
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
