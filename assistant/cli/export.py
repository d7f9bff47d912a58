"""``assistant papers show`` and ``assistant papers export``: one paper in full, or papers as
BibTeX / JSON Lines; and ``write_cited``, which ``assistant ask --bib`` uses."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.api import Assistant

_PAPER_ID = re.compile(r"[0-9a-f]{16}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # ANSI escapes and the like, not newlines


def _refs(assistant: Assistant, value: str) -> list[str]:
    """``--ids ID,ID`` names several papers, unless the whole value is a title with a comma."""
    from assistant.catalog import find_papers

    pieces = [p.strip() for p in value.split(",") if p.strip()]
    several = len(pieces) > 1 and not all(_PAPER_ID.fullmatch(p) for p in pieces)
    return [value] if several and find_papers(assistant, [value])[0] else pieces


def _shown(text: str) -> str:
    return _CONTROL.sub("", text)


def papers_show(
    ctx: typer.Context,
    paper: Annotated[
        list[str],
        typer.Argument(
            help="A paper id (see assistant papers) or its exact title.", show_default=False
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the paper as one JSON object.")
    ] = False,
) -> None:
    """Show one paper: its metadata and full abstract."""
    from rich.text import Text

    from assistant.catalog import find_papers
    from assistant.export import paper_dict

    ref = " ".join(paper).strip()
    with user_errors():
        if not ref:
            raise UserError("say which paper: assistant papers show ID|TITLE")
        assistant = make_assistant(ctx)
        found, _ = find_papers(assistant, [ref])
        if not found:
            raise UserError(f"no paper with id or title {ref!r}; list them with: assistant papers")
        record = paper_dict(found[0])
        if as_json:
            print(json.dumps(record, ensure_ascii=False))
            return
        out.print(Text(_shown(record["title"]), style="bold"), soft_wrap=True)
        labels = [
            ("id", record["paper_id"]),
            ("authors", ", ".join(record["authors"])),
            ("date", record["date"]),
            ("url", record["url"]),
            ("doi", record["doi"]),
            ("arXiv", record["arxiv_id"]),
            ("categories", ", ".join(record["categories"])),
            ("source", record["source"]),
            ("added", record["added"]),
        ]
        for label, value in labels:
            if value:
                out.print(
                    Text(f"{label:<11}", style="dim") + Text(_shown(str(value))), soft_wrap=True
                )
        out.print()
        out.print(Text(_shown(record["abstract"])))


def papers_export(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None,
        typer.Option(
            "--ids",
            help="Export these papers (ids or exact titles; repeatable, or comma-separated).",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="bibtex or jsonl (default: from the -o suffix, else bibtex)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of the standard output."),
    ] = None,
    since: SinceOption = None,
    added_since: AddedSinceOption = None,
    source: SourceOption = None,
    category: CategoryOption = None,
    author: AuthorOption = None,
) -> None:
    """Export papers as BibTeX or JSON Lines: by id, by filters, or all of them.

    A paper added from a BibTeX file keeps its original entry; others get a generated entry
    (arXiv id, URL and date when known). JSON Lines re-ingest to the same papers.
    """
    from assistant.catalog import filtered_papers, find_papers
    from assistant.export import ExportError, format_for, render, write_export

    with user_errors():
        try:
            chosen = format_for(output, fmt)
        except ExportError as exc:
            raise UserError(str(exc)) from None
        assistant = make_assistant(ctx)
        apply_filters(assistant, since, added_since, source, category, author)
        if ids:
            refs = [r for value in ids for r in _refs(assistant, value)]
            records, missing = find_papers(assistant, refs)
            if missing:
                raise UserError(
                    f"not in the store: {', '.join(missing)} (nothing exported); "
                    "list ids with: assistant papers"
                )
            if assistant.filters:
                passing = {r.paper_id for r in filtered_papers(assistant)}
                records = [r for r in records if r.paper_id in passing]
        else:
            records = filtered_papers(assistant)
        if not records:
            raise UserError(f"no paper matches the filters ({assistant.filters.describe()})")
        if output is None:
            sys.stdout.write(render(records, chosen))
            return
        try:
            write_export(records, output, chosen)
        except ExportError as exc:
            raise UserError(str(exc)) from None
        noun = "paper" if len(records) == 1 else "papers"
        err.print(
            f"{len(records)} {noun} written to {output} ({chosen})", markup=False, highlight=False
        )


def write_cited(assistant: Assistant, answer: Answer, path: Path) -> None:
    """``ask --bib FILE``: the cited papers' BibTeX in FILE (emptied when nothing is cited, so it
    never holds an earlier answer's papers)."""
    from assistant.export import ExportError, write_export

    records = assistant.store.papers([c.paper_id for c in answer.citations])
    try:
        write_export(records, path, "bibtex")
    except ExportError as exc:
        raise UserError(str(exc)) from None
    from rich.text import Text

    noun = "paper" if len(records) == 1 else "papers"
    note = (
        f"{len(records)} cited {noun} written to {path}"
        if records
        else (f"The answer cites no papers: {path} is empty.")
    )
    err.print(Text(note, style="dim"))
