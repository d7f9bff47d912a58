"""``assistant ask``: one question, one cited answer."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.cli.common import UserError, err, is_tty, make_assistant, out, user_errors


def render_sources(answer: object) -> str:
    """The numbered Sources list, exact titles (and url/date when known)."""
    from assistant.answer import Answer

    assert isinstance(answer, Answer)
    lines = []
    for i, c in enumerate(answer.citations, start=1):
        extra = " — ".join(x for x in (c.date, c.url) if x)
        lines.append(f"{i}. {c.title}" + (f" ({extra})" if extra else ""))
    return "\n".join(lines)


def ask(
    ctx: typer.Context,
    question: Annotated[
        list[str], typer.Argument(help="The question (quotes optional).", show_default=False)
    ],
    history: Annotated[
        list[str] | None,
        typer.Option(
            "--history",
            "-H",
            help="An earlier question of this conversation (repeatable, oldest first).",
        ),
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option(
            "--top-k", "-k", help="Papers to retrieve.  \\[env: ASSISTANT_TOP_K; default: 6]"
        ),
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option(
            "--llm",
            help="Answer backend: auto, extractive, openai, local.  \\[env: ASSISTANT_LLM; default: auto]",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer as one JSON object.")
    ] = False,
) -> None:
    """Answer a question about the indexed papers, citing their exact titles.

    The first run indexes the bundled trending-papers digest (about 10 s).
    """
    text = " ".join(question).strip()
    with user_errors():
        if not text:
            raise UserError(
                'the question is empty; try: assistant ask "What is 3D Gaussian splatting?"'
            )
        assistant = make_assistant(ctx, top_k=top_k, llm=llm)
        if as_json:
            answer = assistant.ask(text, history=history or [])
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2 if is_tty() else None))
            return
        final = assistant.ask(text, history=history or [])
        out.print(final.text, markup=False, highlight=False, soft_wrap=True)
        if final.citations:
            out.print()
            out.print("[bold]Sources[/bold]")
            out.print(render_sources(final), markup=False, highlight=False, soft_wrap=True)
        for notice in final.notices:
            err.print(f"[yellow]Note:[/yellow] {notice}")
        err.print(f"[dim]{final.backend} · {final.timings_ms.get('total', 0) / 1000:.1f} s[/dim]")
