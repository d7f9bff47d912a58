"""``assistant logs``: past exchanges, newest first (as simonw/llm's ``llm logs``)."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.common import UserError, err, global_overrides, invalid_settings, user_errors
from assistant.conversations import Exchange
from assistant.display import json_dumps, visible
from assistant.settings import Settings
from assistant.wording import duration


def logs(
    ctx: typer.Context,
    count: Annotated[
        int,
        typer.Option(
            "--count", "-n", metavar="N", help="How many exchanges to show (0 for all).", min=0
        ),
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    conversation: Annotated[
        str | None, typer.Option("--cid", metavar="ID", help="Only this conversation.")
    ] = None,
    path: Annotated[
        bool, typer.Option("--path", help="Print the location of the log database and exit.")
    ] = False,
) -> None:
    """Show saved questions and answers (from assistant chat and assistant ask), newest first."""
    from assistant.conversations import ConversationLog

    with user_errors():
        log = ConversationLog.for_settings(_settings(ctx))
        if path:
            print(log.path)
            return
        exchanges = log.recent(count or None, conversation_id=conversation)
        if conversation and not exchanges:
            raise UserError(f"no saved conversation {conversation!r}")
        if as_json:
            print(json_dumps([e.to_dict() for e in exchanges], indent=2))
            return
        if not exchanges:
            err.print("Nothing logged yet: ask something with assistant chat or ask.", style="dim")
            return
        print(visible("\n\n".join(as_markdown(e) for e in exchanges), multiline=True))


def _settings(ctx: typer.Context) -> Settings:
    """Only the settings: reading the log needs neither the store nor a backend (fast start)."""
    from pydantic import ValidationError

    given = global_overrides(ctx)
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise invalid_settings(ctx, exc, given=set(given)) from None


def as_markdown(e: Exchange) -> str:
    """One exchange as Markdown, readable as is and when piped into a renderer."""
    from assistant.chat.render import sources_plain

    meta = f"{e.backend}" + (f" · {e.model}" if e.model and e.model != e.backend else "")
    meta += f" · {duration(e.timings_ms.get('total', 0.0))}"
    if e.prompt_tokens or e.completion_tokens:
        meta += f" · {e.prompt_tokens} → {e.completion_tokens} tokens"
    parts = [
        f"# {e.datetime_utc.replace('T', ' ')}    conversation: {e.conversation_id}",
        meta,
        f"## Question\n\n{e.question}",
        f"## Answer\n\n{e.answer}",
    ]
    if e.citations:
        parts.append(f"## Sources\n\n{sources_plain(e.citations)}")
    return "\n\n".join(parts)
