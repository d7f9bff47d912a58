"""Reading the user's input: a prompt_toolkit REPL on a terminal, one question per line otherwise.

Enter sends; Alt+Enter (Esc then Enter) starts a new line, and pasted text keeps its lines.
Ctrl-C clears the line at the prompt and cancels an answer while it streams; Ctrl-D leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rich.text import Text

from assistant.chat.commands import COMMANDS, is_command, run_command
from assistant.chat.render import literal
from assistant.chat.session import AnswerFailed, Cancelled, ChatSession
from assistant.wording import plural

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession

HISTORY_FILE = "chat-history"
PROMPT = "> "
CONTINUATION = "… "


def history_path(session: ChatSession) -> Path:
    return session.assistant.settings.home / HISTORY_FILE


def _prompt_session(session: ChatSession) -> PromptSession[str]:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter")
    def _send(event: Any) -> None:
        event.current_buffer.validate_and_handle()

    @bindings.add("escape", "enter")
    def _newline(event: Any) -> None:
        event.current_buffer.insert_text("\n")

    path = history_path(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    return PromptSession(
        history=FileHistory(str(path)),
        multiline=True,
        key_bindings=bindings,
        prompt_continuation=lambda width, line_number, wrap_count: CONTINUATION.rjust(width),
        auto_suggest=AutoSuggestFromHistory(),
        completer=WordCompleter([f"/{name}" for name in COMMANDS], sentence=True),
        complete_while_typing=False,
        enable_history_search=False,
    )


def _banner(session: ChatSession, resumed: bool) -> None:
    assistant = session.assistant
    assistant.ensure_index()  # the first run indexes the digest, with a progress bar, up front
    count = assistant.store.count_papers()
    out = session.out
    out.print(
        Text("Chatting about ", style="bold")
        + Text(plural(count, "paper"), style="bold")
        + Text(f" · {assistant.backend.name} · top {assistant.settings.top_k}", style="dim")
    )
    if resumed and session.questions:
        n = len(session.questions)
        out.print(
            literal(
                f"Continuing conversation {session.conversation_id} "
                f"({n} earlier question{'s' if n != 1 else ''}; last: {session.questions[-1]!r})",
                "dim",
            )
        )
    out.print(
        Text(
            "/help for commands · Enter sends, Alt+Enter for a new line · Ctrl-D leaves",
            style="dim",
        )
    )
    out.print()


Outcome = Literal["ok", "failed", "cancelled", "exit"]


def handle_line(session: ChatSession, line: str) -> Outcome:
    """Answer a question or run a command, reporting problems on ``session.info``."""
    text = line.strip()
    if not text:
        return "ok"
    if is_command(text):
        try:
            return "ok" if run_command(session, text) else "exit"
        except KeyboardInterrupt:
            session.info.print(Text("Cancelled.", style="dim"))
            return "cancelled"
        except Exception as exc:
            message = literal(f"{type(exc).__name__}: {exc}")
            session.info.print(Text("Error: ", style="red") + message, soft_wrap=True)
            return "failed"
    if text.startswith("//"):
        text = text[1:]  # "//etc" asks about "/etc"
    try:
        session.ask(text)
    except (Cancelled, KeyboardInterrupt):  # Ctrl-C while streaming, or while printing
        session.info.print(Text("Cancelled.", style="dim"))
        return "cancelled"
    except AnswerFailed as exc:
        session.info.print(Text("Error: ", style="red") + literal(str(exc)), soft_wrap=True)
        return "failed"
    return "ok"


def run_interactive(session: ChatSession, *, resumed: bool = False) -> int:
    """The REPL on a terminal. Returns the exit code."""
    _banner(session, resumed)
    prompt = _prompt_session(session)
    while True:
        try:
            line = prompt.prompt(PROMPT)
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line
        except EOFError:
            break
        if handle_line(session, line) == "exit":
            break
        session.out.print()
    return 0


def run_piped(session: ChatSession, lines: Iterable[str]) -> int:
    """Answer each line of input (commands work too); stop at the end, ``/exit`` or Ctrl-C.

    Exit code 1 if any question failed (130 if interrupted), so scripts notice.
    """
    failed = False
    first = True
    for line in lines:
        if not line.strip():
            continue
        if not first:
            session.out.print()
        first = False
        outcome = handle_line(session, line)
        if outcome == "cancelled":
            return 130
        if outcome == "exit":
            break
        failed = failed or outcome == "failed"
    return 1 if failed else 0
