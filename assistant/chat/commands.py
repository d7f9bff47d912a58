"""The chat's slash commands. Each takes the session and the text after the command name.

A handler returns ``False`` to leave the chat; anything else keeps it going. Unknown commands
get the closest known name as a hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text

from assistant.chat.render import literal, print_sources_detail
from assistant.chat.session import ChatSession
from assistant.wording import plural

Handler = Callable[[ChatSession, str], "bool | None"]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    run: Handler


def _help(session: ChatSession, arg: str) -> None:
    out = session.out
    out.print(
        Text("Ask a question about the indexed papers; follow-ups may refer to earlier ones.")
    )
    out.print(
        Text(
            "Enter sends · Alt+Enter (or Esc then Enter) starts a new line · "
            "Ctrl-C cancels an answer · Ctrl-D leaves",
            style="dim",
        )
    )
    out.print()
    width = max(len(c.usage) for c in COMMANDS.values())
    for command in COMMANDS.values():
        out.print(Text(f"  {command.usage:<{width}}  ", style="bold") + Text(command.help))


def _sources(session: ChatSession, arg: str) -> None:
    answer = session.last_answer
    if answer is None:
        session.out.print("No answer yet in this conversation.")
    elif not answer.citations:
        session.out.print("The last answer cites no papers.")
    else:
        print_sources_detail(session.out, answer.citations)


def _papers(session: ChatSession, arg: str) -> None:
    records = session.assistant.papers()
    needle = arg.strip().casefold()
    if needle:
        records = [r for r in records if needle in r.title.casefold()]
    for record in records:
        line = literal(f"{record.paper_id}  ", "dim") + literal(record.title)
        session.out.print(line, soft_wrap=True)
    shown = plural(len(records), "paper") + (f" matching {arg.strip()!r}" if needle else "")
    session.info.print(literal(shown, "dim"))


def _new(session: ChatSession, arg: str) -> None:
    session.new_conversation()
    session.out.print(Text("New conversation: earlier questions are forgotten.", style="dim"))


def _llm(session: ChatSession, arg: str) -> None:
    from pydantic import ValidationError

    from assistant.answering.request import BackendError, BackendUnavailable

    name = arg.strip()
    if not name:
        current = session.assistant.settings.llm
        session.out.print(
            literal(f"Backend: {current} (switch with /llm extractive|openai|local|auto)")
        )
        return
    try:
        session.reconfigure(llm=name)
    except ValidationError:
        session.info.print(
            literal(f"Unknown backend {name!r}; choose auto, extractive, openai or local.", "red")
        )
        return
    except (BackendUnavailable, BackendError) as exc:
        session.info.print(literal(f"Cannot use {name}: {exc}", "red"))
        return
    session.out.print(literal(f"Backend: {session.assistant.backend.name}", "dim"))


def _k(session: ChatSession, arg: str) -> None:
    from pydantic import ValidationError

    value = arg.strip()
    if not value:
        session.out.print(f"Papers retrieved per question: {session.assistant.settings.top_k}")
        return
    try:
        session.reconfigure(top_k=int(value))
    except (ValueError, ValidationError):
        session.info.print(literal(f"/k needs a whole number from 1 to 100, not {value!r}.", "red"))
        return
    session.out.print(Text(f"Papers retrieved per question: {int(value)}", style="dim"))


def _since(session: ChatSession, arg: str) -> None:
    """Only papers dated (or added) on/after a day, for the following questions."""
    from dataclasses import replace

    from vectorstore.filters import parse_day

    value = arg.strip()
    current = session.assistant.filters
    if not value:
        shown = current.since.isoformat() if current.since else "off"
        session.out.print(
            f"Since: {shown} (set with /since 2026-11-20|monday|7d, clear: /since off)"
        )
        return
    if value.lower() in ("off", "none", "all", "clear"):
        session.assistant.filters = replace(current, since=None)
        session.out.print(Text("Since: off (all papers)", style="dim"))
        return
    try:
        day = parse_day(value)
    except ValueError as exc:
        session.info.print(literal(f"/since: {exc}", "red"))
        return
    session.assistant.filters = replace(current, since=day)
    session.out.print(Text(f"Only papers since {day.isoformat()}", style="dim"))


def _export(session: ChatSession, arg: str) -> None:
    """The papers cited in this conversation, as BibTeX (or JSON Lines for a .jsonl file)."""
    from pathlib import Path

    from assistant.export import ExportError, write_export

    name = arg.strip()
    if not name:
        session.info.print(Text("/export needs a file name, e.g. /export refs.bib", "red"))
        return
    if not session.cited:
        session.out.print("No paper cited yet in this conversation: nothing to export.")
        return
    records = session.assistant.store.papers(list(session.cited))
    try:
        fmt = write_export(records, Path(name).expanduser(), None)
    except ExportError as exc:
        session.info.print(Text(f"/export: {exc}", "red"))
        return
    noun = "paper" if len(records) == 1 else "papers"
    session.out.print(Text(f"{len(records)} cited {noun} written to {name} ({fmt})", style="dim"))


def _exit(session: ChatSession, arg: str) -> bool:
    return False


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("help", "/help", "show this help", _help),
        Command("sources", "/sources", "the last answer's sources with their evidence", _sources),
        Command(
            "papers",
            "/papers [filter]",
            "list the indexed papers (titles containing filter)",
            _papers,
        ),
        Command("new", "/new", "start a new conversation", _new),
        Command("llm", "/llm NAME", "switch backend: auto, extractive, openai, local", _llm),
        Command("k", "/k N", "retrieve N papers per question", _k),
        Command(
            "since", "/since DATE", "only papers since DATE (monday, 2026-11-20, 7d, off)", _since
        ),
        Command(
            "export",
            "/export FILE",
            "save the papers cited so far as BibTeX (FILE.jsonl: JSON Lines)",
            _export,
        ),
        Command("exit", "/exit", "leave (or Ctrl-D)", _exit),
    )
}
ALIASES = {"quit": "exit", "q": "exit", "?": "help", "clear": "new", "model": "llm"}


def is_command(line: str) -> bool:
    return line.startswith("/") and not line.startswith("//")


def run_command(session: ChatSession, line: str) -> bool:
    """Run a ``/command``; False means leave the chat."""
    name, _, arg = line[1:].strip().partition(" ")
    name = ALIASES.get(name.lower(), name.lower())
    command = COMMANDS.get(name)
    if command is None:
        session.info.print(literal(unknown_hint(name), "yellow"))
        return True
    return command.run(session, arg) is not False


def unknown_hint(name: str) -> str:
    known = list(COMMANDS) + list(ALIASES)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"Unknown command /{name}."
    if close:
        hint += f" Did you mean /{ALIASES.get(close[0], close[0])}?"
    return hint + " Type /help for the list."
