"""Incoming Slack message text to the plain question the assistant reads."""

from __future__ import annotations

import html
import re

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def plain_question(text: str, bot_user_id: str | None) -> str:
    """Strip the bot's own mention and turn Slack markup into what a person typed."""

    def user(m: re.Match[str]) -> str:
        if bot_user_id and m.group(1) == bot_user_id:
            return " "
        return f"@{m.group(2) or m.group(1)}"

    text = _USER.sub(user, text or "")
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}", text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = html.unescape(text)
    return re.sub(r"[ \t]+", " ", text).strip()
