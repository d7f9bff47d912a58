"""Hostile text for display tests: markup, terminal escapes, bidi tricks, links and mentions.

``hostile_texts(seed, n)`` mixes the fragments below at random (fixed seed: the same strings
on every run), so every front end is tried with the same adversarial titles and answers.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from typing import Any

EVIL_URL = "https://evil.example/phish"

MARKUP = [
    "[/dim]",
    "[/]",
    "[bold red]",
    "[link=https://evil.example]x[/link]",
    "\\[x]",
    ":smile:",
    "[@click=app.quit]",
    "key[/x]",
]
TERMINAL = [
    "\x1b[2J",
    "\x1b[H",
    "\x1b]0;pwned\x07",
    f"\x1b]8;;{EVIL_URL}\x1b\\click\x1b]8;;\x1b\\",
    "\x9b31m",
    "\x9d0;pwned\x9c",
    "\x07",
    "\r",
    "\x08\x08",
    "\x00",
    "\x7f",
    "\x85",
    "\x0b",
]
UNICODE = ["\u202e", "\u2066", "\u200f", "\u2028", "\u2029", "\u061c", "é", "😀", "—", "日本"]
LINKS = [
    f"[here]({EVIL_URL})",
    EVIL_URL,
    "www.evil.example",
    f"<{EVIL_URL}|docs>",
    f"<{EVIL_URL}>",
    "![img](https://evil.example/i.png)",
    "[x](javascript:alert(1))",
    f'[t]({EVIL_URL} "tip")',  # a link title is dropped, as Markdown does
    "mailto:a@evil.example",
]
MENTIONS = [
    "<@U123ABC>",
    "<@W9|boss>",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<#C123|general>",
    "<!subteam^S1|team>",
    "&lt;!here&gt;",
    "@here",
    "@channel",
]
MARKDOWN = ["**", "*", "_", "~~", "`", "```", "# ", "> ", "- ", "\n", "\n\n", "|", "&", "<", ">"]
WORDS = ["Gaussian", "splatting", "LoRA", "attention", "tag", "closing", "the", "of", "paper"]
FRAGMENTS = [MARKUP, TERMINAL, UNICODE, LINKS, MENTIONS, MARKDOWN, WORDS, WORDS]


def hostile_texts(seed: int, n: int, *, max_parts: int = 8) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = [rng.choice(rng.choice(FRAGMENTS)) for _ in range(rng.randint(1, max_parts))]
        texts.append(" ".join(parts) if rng.random() < 0.6 else "".join(parts))
    return texts


# What must never reach a terminal raw: C0 (but \t, \n), DEL, C1, bidi and separators, surrogates.
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colours and styles


def terminal_leaks(output: str) -> list[str]:
    """Control characters in ``output`` other than the SGR styling rich itself emits."""
    return RAW_CONTROL.findall(SGR.sub("", output))


_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
_URLISH = re.compile(
    r"(https?|ftp|mailto|javascript|data|file):|\bwww\.|[\w.+-]@\w+\.", re.IGNORECASE
)


def slack_live_problems(
    text: str, blocks: list[dict[str, Any]], allowed_urls: Iterable[str] = ()
) -> list[str]:
    """What in a chat.postMessage / chat.update payload Slack would make live.

    Allowed: ``<url|…>`` links to ``allowed_urls`` (a source's own paper URL). Anything else
    in ``<…>`` is a live link or mention; a URL outside code is auto-linked unless its text
    object is ``verbatim``; a raw control character is never acceptable.
    """
    links = [re.compile(rf"<{re.escape(u)}(\|[^<>]*)?>") for u in allowed_urls]
    texts: list[tuple[str, dict[str, Any] | None]] = [(text, None)]
    for block in blocks:
        objects = [block["text"]] if block["type"] == "section" else block["elements"]
        texts.extend((o["text"], o) for o in objects)
    problems = []
    for shown, obj in texts:
        if obj is not None and obj.get("verbatim") is not True:
            problems.append(f"not verbatim: {shown!r}")
        if RAW_CONTROL.search(shown):
            problems.append(f"raw control character: {shown!r}")
        for link in links:
            shown = link.sub("", shown)
        if "<" in shown:
            problems.append(f"live markup: {shown!r}")
        if _URLISH.search(_CODE.sub("", shown)):
            problems.append(f"URL outside code: {shown!r}")
    return problems
