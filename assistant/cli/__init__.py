"""The ``assistant`` command line. ``assistant "question"`` is short for ``assistant ask "question"``.

Commands are plain functions registered below; options that mirror ``Settings`` are generated
from it (``settings_options``); the groups' parsing rules live in ``group``.
"""

from __future__ import annotations

import inspect
import sys
from typing import Annotated, Any, ClassVar

import typer

from assistant.cli import ask as ask_cmd
from assistant.cli import chat as chat_cmd
from assistant.cli import eval as eval_cmd
from assistant.cli import export as export_cmd
from assistant.cli import index as index_cmd
from assistant.cli import logs as logs_cmd
from assistant.cli import mcp as mcp_cmd
from assistant.cli import slack as slack_cmd
from assistant.cli.group import AssistantGroup
from assistant.cli.settings_options import flag_names, setting_options

# Settings that choose the data (the store), accepted before or after the command name.
GLOBAL_SETTINGS = ("home", "chroma_url", "collection")
GLOBAL_OPTIONS = tuple(name for s in GLOBAL_SETTINGS for name in flag_names(s))
_TYPER = {
    "pretty_exceptions_enable": False,
    "add_completion": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}


class RootGroup(AssistantGroup):
    default_command: ClassVar[str | None] = "ask"
    typos_need_paths: ClassVar[bool] = True


class PapersGroup(AssistantGroup):
    default_command: ClassVar[str | None] = "list"
    default_when_empty: ClassVar[bool] = True


app = typer.Typer(
    name="assistant",
    cls=RootGroup,
    help="Answers questions about research papers, offline, citing the exact titles it used.\n\n"
    'Quick use: assistant "What is 3D Gaussian splatting?" (short for assistant ask; ask\'s '
    'options work too: assistant -k 3 --json "…").\n\n'
    "Every setting also reads an env var ASSISTANT_<NAME> (e.g. ASSISTANT_HOME, ASSISTANT_LLM).",
    no_args_is_help=True,
    **_TYPER,  # type: ignore[arg-type]
)


def _help(doc: str | None) -> str | None:
    """A command's docstring as help text: each paragraph one line, so the terminal wraps it
    (rich keeps the docstring's own line breaks, which leave ragged lines in a narrow window)."""
    if not doc:
        return None
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def _register(group: typer.Typer, name: str, command: Any) -> None:
    group.command(name, help=_help(command.__doc__))(command)


_register(app, "ask", ask_cmd.ask)
_register(app, "chat", chat_cmd.chat)
_register(app, "logs", logs_cmd.logs)
_register(app, "ingest", index_cmd.ingest)

papers_app = typer.Typer(
    cls=PapersGroup,
    help="List, show, export or remove the indexed papers. assistant papers [TEXT] is short "
    "for assistant papers list [TEXT].",
    **_TYPER,  # type: ignore[arg-type]
)
_register(papers_app, "list", index_cmd.papers)
_register(papers_app, "show", export_cmd.papers_show)
_register(papers_app, "export", export_cmd.papers_export)
_register(papers_app, "remove", index_cmd.papers_remove)
app.add_typer(papers_app, name="papers")

_register(app, "eval", eval_cmd.eval_command)
_register(app, "slack", slack_cmd.slack)
_register(app, "mcp", mcp_cmd.mcp)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paper-qa-assistant")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _show_version(value: bool) -> None:
    if value:
        print(f"assistant (paper-qa-assistant) {_version()}")
        raise typer.Exit()


@app.callback()
@setting_options(*GLOBAL_SETTINGS)
def root(
    ctx: typer.Context,
    settings: dict[str, Any],
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    ctx.obj = settings


def normalize_argv(argv: list[str]) -> list[str]:
    """Move the global options written after the command name to the front."""
    hoisted: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg.split("=", 1)[0] in GLOBAL_OPTIONS:
            take = 1 if "=" in arg else 2
            hoisted.extend(argv[i : i + take])
            i += take
            continue
        rest.append(arg)
        i += 1
    return hoisted + rest


def main() -> None:
    app(args=normalize_argv(sys.argv[1:]), prog_name="assistant")
