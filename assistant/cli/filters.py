"""The metadata-filter flags ``ask`` and ``chat`` share: --since, --added-since, --source, --category, --author."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.common import UserError

if TYPE_CHECKING:
    from assistant.api import Assistant

SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        help="Only papers dated on/after this day (their date, else the day they were added): "
        "2026-11-20, today, yesterday, monday, 7d.",
    ),
]
AddedSinceOption = Annotated[
    str | None,
    typer.Option(
        "--added-since", metavar="DATE", help="Only papers added to the store on/after this day."
    ),
]
SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="FILE",
        help="Only papers read from this file (repeatable: any of them).",
    ),
]
CategoryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        metavar="CATEGORY",
        help="Only papers in this category, e.g. cs.CL or cs (repeatable).",
    ),
]
AuthorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--author",
        metavar="NAME",
        help="Only papers by this author: full name or surname (repeatable).",
    ),
]


def apply_filters(
    assistant: Assistant,
    since: str | None,
    added_since: str | None,
    source: list[str] | None,
    category: list[str] | None,
    author: list[str] | None,
) -> None:
    """Set the assistant's default filters from the flags; a bad date is a one-line error."""
    from vectorstore.filters import Filters

    try:
        assistant.filters = Filters.of(
            since=since, added_since=added_since, source=source, category=category, author=author
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
