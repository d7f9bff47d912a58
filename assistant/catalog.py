"""Finding papers in the store by id, exact title or metadata filters (not by meaning: that is
retrieval). Shared by ``assistant papers show/export``, the chat's ``/export`` and the MCP tools.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from vectorstore.filters import Filters
from vectorstore.papers import normalize_title
from vectorstore.store import PaperRecord

if TYPE_CHECKING:
    from assistant.api import Assistant


def find_papers(assistant: Assistant, refs: Sequence[str]) -> tuple[list[PaperRecord], list[str]]:
    """The papers named by ``refs`` (paper ids or exact titles, in that order), and the refs
    that name none. A title matches whatever its case, accents, punctuation and spacing."""
    assistant.ensure_index()
    wanted = [r.strip() for r in refs if r and r.strip()]
    by_id = {r.paper_id: r for r in assistant.store.papers(list(dict.fromkeys(wanted)))}
    titles: dict[str, PaperRecord] | None = None
    found: dict[str, PaperRecord] = {}
    missing: list[str] = []
    for ref in wanted:
        record = by_id.get(ref)
        if record is None:
            if titles is None:  # read the catalog only when a ref is not an id
                titles = {}
                for r in assistant.store.papers():
                    titles.setdefault(normalize_title(r.title), r)
            record = titles.get(normalize_title(ref))
        if record is None:
            missing.append(ref)
        else:
            found.setdefault(record.paper_id, record)
    return list(found.values()), missing


def filtered_papers(
    assistant: Assistant, filters: Filters | None = None, contains: str | None = None
) -> list[PaperRecord]:
    """Every paper passing the filters (the same rules retrieval applies), in the order added,
    optionally only those whose title contains ``contains`` (case-insensitive)."""
    chosen = assistant.filters.merged(filters)
    assistant.ensure_index()
    if chosen:
        index = assistant.retriever.filter_index()
        mask = index.paper_mask(chosen)
        records = assistant.store.papers([pid for pid, row in index.row.items() if mask[row]])
    else:
        records = assistant.store.papers()
    if contains and contains.strip():
        needle = contains.strip().casefold()
        records = [r for r in records if needle in r.title.casefold()]
    return records
