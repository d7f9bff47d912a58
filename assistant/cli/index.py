"""``assistant ingest``, ``assistant papers`` and ``assistant papers remove``: what is in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from assistant.chat.render import literal
from assistant.cli.common import UserError, err, make_assistant, out, user_errors
from assistant.display import json_dumps
from assistant.wording import plural

_SHOWN_PROBLEMS = 20  # bad records printed one per line; the rest are only counted


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files of papers: digest .txt, .jsonl/.json, .csv/.tsv, .bib, arXiv snapshot .json.",
            metavar="FILE",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="Reader to use instead of guessing from the file: digest, jsonl, json, csv, bibtex, arxiv.",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="A bad record is fatal: files are checked first and nothing is added.",
        ),
    ] = False,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="FIELD=KEY",
            help="Map a paper field to your column/key, e.g. --field title=name (repeatable; "
            "fields: title, abstract, url, authors, date, categories, id).",
        ),
    ] = None,
) -> None:
    """Add papers from files. Re-running adds only what is new or changed (safe after a crash).

    Bad records are reported with file and line, skipped and counted (--strict: fatal).
    """
    from vectorstore.readers import ReaderError, parse_field_map

    with user_errors():
        try:
            fields = parse_field_map(field or [])
        except ValueError as exc:
            raise UserError(str(exc)) from None
        shown = [0]

        def on_problem(problem: Exception) -> None:

            from vectorstore.readers import ReaderWarning

            shown[0] += 1
            if shown[0] <= _SHOWN_PROBLEMS:
                label = "warning" if isinstance(problem, ReaderWarning) else "skipped"
                err.print(Text(f"{label} ", style="yellow") + literal(str(problem)), soft_wrap=True)
            elif shown[0] == _SHOWN_PROBLEMS + 1:
                err.print(Text("… further skipped records are only counted", style="dim"))

        assistant = make_assistant(ctx, auto_ingest=False)
        try:
            report = assistant.ingest(
                paths, fmt=fmt, strict=strict, fields=fields, on_problem=on_problem
            )
        except ReaderError as exc:
            if strict:
                raise ReaderError(
                    exc.path, exc.line, f"{exc.reason} (--strict: nothing added)"
                ) from None
            raise
        names = ", ".join(str(p) for p in paths)
        out.print(
            literal(
                f"{names}: {report.added} added, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.skipped} skipped"
                + (
                    f", {plural(report.duplicates, 'duplicate')} skipped"
                    if report.duplicates
                    else ""
                )
                + f" · {plural(assistant.store.count_papers(), 'paper')} in {assistant.store.location}"
            ),
            soft_wrap=True,
        )


def papers(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array of the indexed papers.")
    ] = False,
    contains: Annotated[
        str | None,
        typer.Argument(
            help="Only titles containing this text.", metavar="TEXT", show_default=False
        ),
    ] = None,
) -> None:
    """List the indexed papers (id and title)."""
    with user_errors():
        assistant = make_assistant(ctx)
        records = assistant.papers()
        if contains:
            records = [r for r in records if contains.casefold() in r.title.casefold()]
        if as_json:
            print(
                json_dumps(
                    [
                        {
                            "id": r.paper_id,
                            "title": r.title,
                            "source": r.source,
                            "date": r.date,
                            "added": r.added,
                            "url": r.url,
                            "authors": list(r.authors),
                            "categories": list(r.categories),
                        }
                        for r in records
                    ]
                )
            )
            return
        for r in records:
            out.print(literal(r.paper_id, "dim") + Text("  ") + literal(r.title), soft_wrap=True)
        err.print(literal(f"{plural(len(records), 'paper')} · {assistant.store.location}", "dim"))


def papers_remove(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="Paper ids (see assistant papers).", metavar="ID", show_default=False),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", metavar="FILE", help="Remove every paper read from this file (repeatable)."
        ),
    ] = None,
) -> None:
    """Delete papers (and their chunks) by id, or every paper of a source file."""
    with user_errors():
        if not ids and not source:
            raise UserError("say what to remove: assistant papers remove ID... | --source FILE")
        assistant = make_assistant(ctx, auto_ingest=False)
        given = list(dict.fromkeys(ids or []))
        present = {r.paper_id for r in assistant.store.papers(given)}
        unknown = [i for i in given if i not in present]
        if unknown:
            err.print(literal(f"not in the store: {', '.join(unknown)}", "yellow"), soft_wrap=True)
        wanted = [i for i in given if i in present]
        for path in source or []:
            found = assistant.store.ids_from_source(path)
            if not found:
                err.print(literal(f"no papers from source {path}", "yellow"), soft_wrap=True)
            wanted.extend(found)
        removed = assistant.remove(list(dict.fromkeys(wanted))) if wanted else 0
        out.print(
            literal(
                f"{removed} removed · {plural(assistant.store.count_papers(), 'paper')} "
                f"in {assistant.store.location}"
            ),
            soft_wrap=True,
        )
        if unknown and not removed:
            raise typer.Exit(1)
