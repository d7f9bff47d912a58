"""The Slack bot: ``build_app(assistant, client)`` builds it, ``assistant slack`` runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.slack.app import build_app

__all__ = ["build_app"]


def __getattr__(name: str) -> Any:
    if name == "build_app":  # slack_bolt is imported only when the bot is used
        from assistant.slack.app import build_app

        return build_app
    raise AttributeError(name)
