"""Hostile text for display tests: markup, terminal escapes, bidi tricks, links and mentions.

``hostile_texts(seed, n)`` mixes the fragments below at random (fixed seed: the same strings
on every run), so every front end is tried with the same adversarial titles and answers.
"""

from __future__ import annotations

import random
import re

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
