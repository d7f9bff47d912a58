"""``assistant chat``: a conversation in the terminal (or one answer per line of piped input)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.common import UserError, err, make_assistant, out, user_errors
from assistant.cli.filters import (
    AddedSinceOption,
    AuthorOption,
    CategoryOption,
    SinceOption,
    SourceOption,
    apply_filters,
)
from assistant.cli.settings_options import setting_options

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.api import Assistant
    from assistant.chat.session import ChatSession


def start_session(
    ctx: typer.Context,
    settings: dict[str, Any],
    filter_flags: tuple[
        str | None, str | None, list[str] | None, list[str] | None, list[str] | None
    ],
    *,
    info: Console,
    save: bool,
) -> ChatSession:
    """The Assistant the flags describe (filters set, backend checked) in a logged session."""
    from assistant.chat.session import ChatSession
    from assistant.conversations import ConversationLog

    assistant = make_assistant(ctx, **settings)
    apply_filters(assistant, *filter_flags)
    require_backend(assistant)
    return ChatSession(
        assistant, ConversationLog.for_settings(assistant.settings), out=out, info=info, save=save
    )


def require_backend(assistant: Assistant) -> None:
    """Resolve the backend now: a misconfigured one is a one-line error (exit 2), not a crash."""
    from assistant.answering.request import BackendError, BackendUnavailable

    try:
        assistant.backend  # noqa: B018
    except (BackendUnavailable, BackendError) as exc:
        raise UserError(str(exc)) from None


@setting_options("top_k", "llm")
def chat(
    ctx: typer.Context,
    settings: dict[str, Any],
    continue_: Annotated[
        bool,
        typer.Option("--continue", "-c", help="Continue the last saved conversation."),
    ] = False,
    conversation: Annotated[
        str | None,
        typer.Option(
            "--cid",
            metavar="ID",
            help="Continue the conversation with this id (see assistant logs).",
        ),
    ] = None,
    since: SinceOption = None,
    added_since: AddedSinceOption = None,
    source: SourceOption = None,
    category: CategoryOption = None,
    author: AuthorOption = None,
    no_log: Annotated[
        bool, typer.Option("--no-log", help="Do not save this conversation.")
    ] = False,
) -> None:
    """Chat about the indexed papers: streamed answers, sources, follow-ups, /help for commands.

    With piped input (echo "question" | assistant chat) each line is answered, then it exits.
    Conversations are saved in the data directory; see them with: assistant logs
    """
    from assistant.chat.repl import run_interactive, run_piped

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    with user_errors():
        session = start_session(
            ctx,
            settings,
            (since, added_since, source, category, author),
            info=out if interactive else err,
            save=not no_log,
        )
        resumed = False
        if conversation:
            if not session.resume(conversation):
                raise UserError(f"no saved conversation {conversation!r}; see: assistant logs")
            resumed = True
        elif continue_:
            resumed = session.resume()
            if not resumed:
                err.print("No saved conversation yet: starting a new one.", style="dim")
        if interactive:
            code = run_interactive(session, resumed=resumed)
        else:
            code = run_piped(session, sys.stdin)
    raise typer.Exit(code)
