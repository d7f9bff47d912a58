"""Which stored paper an incoming one is: found by arXiv id, DOI or title key in the catalog.

A paper keeps the id it was first stored under, so the same paper from a second source (a
``.bib`` entry of a paper already stored from the arXiv snapshot) updates that record instead
of becoming a second one, and re-ingesting a file into a store written before identities
(ids from the old title fold) finds its papers again. Other stored records that turn out to
be the same paper (duplicates such a store may hold) are merged into the one kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vectorstore.identity import Identity
from vectorstore.papers import Paper
from vectorstore.store import reads
from vectorstore.store.layout import (
    ID_ARXIV,
    ID_DOI,
    ID_TITLE,
    clean,
    identity_keys,
    stored_identity,
)
from vectorstore.store.state import StoreState

IDENTITY_VERSION = 1  # the catalog's "identity" metadata: every record carries the id_* keys
_UPDATE_PAGE = 1000


def migrate_identities(catalog: Any, state: StoreState) -> int:
    """Give every record of a store written before identities its keys; once per store.

    Returns how many records were updated. The caller holds the write lock.
    """
    if state.read().get("identity") == IDENTITY_VERSION:
        return 0
    todo = [
        (pid, clean(identity_keys(stored_identity(meta))))
        for pid, meta in reads.catalog_metadata(catalog)
        if ID_TITLE not in (meta or {})
    ]
    for start in range(0, len(todo), _UPDATE_PAGE):
        page = todo[start : start + _UPDATE_PAGE]
        catalog.update(ids=[pid for pid, _ in page], metadatas=[meta for _, meta in page])
    state.set(identity=IDENTITY_VERSION)
    return len(todo)


@dataclass
class Resolution:
    """Where an incoming paper goes."""

    paper_id: str
    known: dict[str, Any] | None  # the stored record of that id (None: a new paper)
    absorbed: list[str] = field(default_factory=list)  # stored duplicates to merge away
    duplicate: bool = False  # the same paper came earlier in this run


class Resolver:
    """Resolves the papers of one ingest run, batch by batch (the caller holds the write lock)."""

    def __init__(self, catalog: Any) -> None:
        self.catalog = catalog
        # identity key -> (paper id, identity) of every paper this run has placed
        self._placed: dict[str, tuple[str, Identity]] = {}
        self._targets: set[str] = set()  # ids this run writes
        self._absorbed: set[str] = set()  # ids this run merges away

    def resolve(self, batch: Sequence[Paper]) -> list[Resolution]:
        stored = self._lookup([p.identity for p in batch])
        out = []
        for paper in batch:
            out.append(self._place(paper, stored))
        return out

    def _place(
        self, paper: Paper, stored: dict[str, tuple[dict[str, Any], Identity]]
    ) -> Resolution:
        ident = paper.identity
        for key in _keys(ident):
            earlier = self._placed.get(key)
            if earlier and ident.same_paper(earlier[1]):
                return Resolution(earlier[0], None, duplicate=True)
        matches = sorted(
            (-ident.strength(other), pid != paper.paper_id, pid)
            for pid, (_, other) in stored.items()
            if ident.same_paper(other) and pid not in self._absorbed
        )
        target = matches[0][2] if matches else paper.paper_id
        if target in self._targets:  # an earlier paper of this run went there (by other keys)
            return Resolution(target, None, duplicate=True)
        absorbed = [m[2] for m in matches[1:] if m[2] not in self._targets]
        resolution = Resolution(target, stored[target][0] if matches else None, absorbed)
        self._targets.add(target)
        self._absorbed.update(absorbed)
        for key in _keys(ident):
            self._placed.setdefault(key, (target, ident))
        return resolution

    def _lookup(self, idents: list[Identity]) -> dict[str, tuple[dict[str, Any], Identity]]:
        """Stored records sharing any key with ``idents``: {paper id: (metadata, identity)}."""
        wanted = {
            ID_ARXIV: sorted({i.arxiv for i in idents if i.arxiv}),
            ID_DOI: sorted({i.doi for i in idents if i.doi}),
            ID_TITLE: sorted({i.title for i in idents}),
        }
        clauses: list[dict[str, Any]] = [{k: {"$in": v}} for k, v in wanted.items() if v]
        where = clauses[0] if len(clauses) == 1 else {"$or": clauses}
        res = self.catalog.get(where=where, include=["metadatas"])
        return {
            pid: (meta or {}, stored_identity(meta or {}))
            for pid, meta in zip(res["ids"], res["metadatas"] or [])
        }


def _keys(ident: Identity) -> list[str]:
    keys = [f"title:{ident.title}"]
    if ident.arxiv:
        keys.append(f"arxiv:{ident.arxiv}")
    if ident.doi:
        keys.append(f"doi:{ident.doi}")
    return keys
