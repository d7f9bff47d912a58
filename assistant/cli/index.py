"""``assistant ingest`` and ``assistant papers``: what is in the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import err, make_assistant, out, user_errors


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files of papers (the digest text format).", show_default=False),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Reader to use instead of guessing from the file name (e.g. digest).",
        ),
    ] = None,
) -> None:
    """Add papers from files. Re-running adds only what is new or changed; a bad file adds nothing."""
    with user_errors():
        assistant = make_assistant(ctx, auto_ingest=False)
        report = assistant.ingest(paths, fmt=fmt)
        names = ", ".join(str(p) for p in paths)
        out.print(
            f"{names}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged"
            + (f", {report.duplicates} duplicates skipped" if report.duplicates else "")
            + f" · {assistant.store.count_papers()} papers in {assistant.store.location}",
            markup=False,
            highlight=False,
        )


def papers(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array of the indexed papers.")
    ] = False,
    contains: Annotated[
        str | None, typer.Argument(help="Only titles containing this text.", show_default=False)
    ] = None,
) -> None:
    """List the indexed papers."""
    with user_errors():
        assistant = make_assistant(ctx)
        records = assistant.papers()
        if contains:
            records = [r for r in records if contains.casefold() in r.title.casefold()]
        if as_json:
            print(
                json.dumps(
                    [
                        {
                            "id": r.paper_id,
                            "title": r.title,
                            "source": r.source,
                            "date": r.date,
                            "added": r.added,
                            "url": r.url,
                        }
                        for r in records
                    ],
                    ensure_ascii=False,
                )
            )
            return
        for r in records:
            out.print(f"[dim]{r.paper_id}[/dim]  {r.title}", highlight=False)
        err.print(f"[dim]{len(records)} papers · {assistant.store.location}[/dim]")
