"""The ``assistant`` command line. ``assistant "question"`` is short for ``assistant ask "question"``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import ask as ask_cmd
from assistant.cli import chat as chat_cmd
from assistant.cli import eval as eval_cmd
from assistant.cli import export as export_cmd
from assistant.cli import index as index_cmd
from assistant.cli import logs as logs_cmd
from assistant.cli import mcp as mcp_cmd
from assistant.cli import slack as slack_cmd

app = typer.Typer(
    name="assistant",
    help="Answers questions about research papers, offline, citing the exact titles it used.\n\n"
    'Quick use: assistant "What is 3D Gaussian splatting?" (short for assistant ask).\n\n'
    "Every option also reads an env var ASSISTANT_<NAME> (e.g. ASSISTANT_HOME, ASSISTANT_LLM).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("ask")(ask_cmd.ask)
app.command("chat")(chat_cmd.chat)
app.command("logs")(logs_cmd.logs)
app.command("ingest")(index_cmd.ingest)
app.command("papers")(index_cmd.papers)
app.command("papers-remove", hidden=True)(index_cmd.papers_remove)  # `papers remove` (see below)
app.command("papers-show", hidden=True)(export_cmd.papers_show)  # `papers show`
app.command("papers-export", hidden=True)(export_cmd.papers_export)  # `papers export`
app.command("eval")(eval_cmd.eval_command)
app.command("slack")(slack_cmd.slack)
app.command("mcp")(mcp_cmd.mcp)

# `assistant papers remove|show|export ...` run the hidden commands `papers-remove` etc.
PAPERS_SUBCOMMANDS = ("remove", "show", "export")

# Options that belong to the whole program, accepted before or after the command name.
GLOBAL_OPTIONS = ("--home", "--chroma-url", "--collection")


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home", help="Data directory (store, caches, logs).  \\[env: ASSISTANT_HOME]"
        ),
    ] = None,
    chroma_url: Annotated[
        str | None,
        typer.Option(
            "--chroma-url",
            help="Use a Chroma server, e.g. http://127.0.0.1:8000.  \\[env: ASSISTANT_CHROMA_URL]",
        ),
    ] = None,
    collection: Annotated[
        str | None,
        typer.Option(
            "--collection", help="Name of the paper collection.  \\[env: ASSISTANT_COLLECTION]"
        ),
    ] = None,
) -> None:
    ctx.obj = {
        k: v
        for k, v in {"home": home, "chroma_url": chroma_url, "collection": collection}.items()
        if v is not None
    }


def _commands() -> set[str]:
    import typer.main

    group = typer.main.get_command(app)
    return set(getattr(group, "commands", {}))


def normalize_argv(argv: list[str]) -> list[str]:
    """Hoist global options written after the command, and make ``assistant "q"`` mean ``ask``."""
    hoisted: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg:
                hoisted.append(arg)
            else:
                hoisted.extend(argv[i : i + 2])
                i += 1
        else:
            rest.append(arg)
        i += 1
    first = next((a for a in rest if not a.startswith("-")), None)
    if first == "papers":
        at = rest.index("papers")
        if rest[at + 1 : at + 2] and rest[at + 1] in PAPERS_SUBCOMMANDS:
            rest[at : at + 2] = [f"papers-{rest[at + 1]}"]
    if first is not None and first not in _commands() and rest and not rest[0].startswith("-"):
        rest.insert(0, "ask")
    return hoisted + rest


def main() -> None:
    app(args=normalize_argv(sys.argv[1:]), prog_name="assistant")
