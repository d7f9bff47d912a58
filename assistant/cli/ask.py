"""``assistant ask``: one question, one cited answer (streamed on a terminal, saved in the log)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from assistant.chat.render import literal
from assistant.cli.common import UserError, err, is_tty, user_errors
from assistant.cli.filters import (
    AddedSinceOption,
    AuthorOption,
    CategoryOption,
    SinceOption,
    SourceOption,
)
from assistant.cli.settings_options import setting_options
from assistant.display import json_dumps


def render_sources(answer: object) -> str:
    """The numbered Sources list, exact titles (and url/date when known), as plain text."""
    from assistant.answer import Answer
    from assistant.chat.render import sources_plain

    assert isinstance(answer, Answer)
    return sources_plain(answer.citations)


@setting_options("top_k", "llm")
def ask(
    ctx: typer.Context,
    settings: dict[str, Any],
    question: Annotated[
        list[str],
        typer.Argument(
            help="The question (quotes optional).", metavar="QUESTION", show_default=False
        ),
    ],
    history: Annotated[
        list[str] | None,
        typer.Option(
            "--history",
            "-H",
            metavar="QUESTION",
            help="An earlier question of this conversation (repeatable, oldest first).",
        ),
    ] = None,
    continue_: Annotated[
        bool,
        typer.Option(
            "--continue", "-c", help="Continue the last saved conversation (chat or ask)."
        ),
    ] = False,
    since: SinceOption = None,
    added_since: AddedSinceOption = None,
    source: SourceOption = None,
    category: CategoryOption = None,
    author: AuthorOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer as one JSON object.")
    ] = False,
    no_log: Annotated[
        bool, typer.Option("--no-log", help="Do not save this exchange (see assistant logs).")
    ] = False,
    bib: Annotated[
        Path | None,
        typer.Option("--bib", metavar="FILE", help="Write the cited papers' BibTeX to FILE."),
    ] = None,
) -> None:
    """Answer a question about the indexed papers, citing their exact titles.

    The first run indexes the bundled trending-papers digest (a few seconds: its embeddings
    ship with the package).
    """
    from assistant.chat.session import AnswerFailed, Cancelled, NoMatchingPapers
    from assistant.cli.chat import start_session

    text = " ".join(question).strip()
    with user_errors():
        if not text:
            raise UserError(
                'the question is empty; try: assistant ask "What is 3D Gaussian splatting?"'
            )
        session = start_session(
            ctx,
            settings,
            (since, added_since, source, category, author),
            info=err,
            save=not no_log,
        )
        if continue_ and not session.resume():
            err.print(Text("No saved conversation yet: starting a new one.", style="dim"))
        session.turns.extend(history or [])
        try:
            answer = session.ask(text, show=not as_json)
        except Cancelled:
            raise KeyboardInterrupt from None
        except NoMatchingPapers as exc:
            raise UserError(str(exc)) from None
        except AnswerFailed as exc:
            err.print(Text("Error: ", style="red") + literal(str(exc)), soft_wrap=True)
            raise typer.Exit(1) from None
        if as_json:
            print(json_dumps(answer.to_dict(), indent=2 if is_tty() else None))
        if bib is not None:
            from assistant.cli.export import write_cited

            write_cited(session.assistant, answer, bib)
