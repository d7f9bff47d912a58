"""Ingesting files: readers streamed into the store, with the all-or-nothing rules for bad input.

* A digest file (small, hand-made) is read whole first: a malformed one adds nothing.
* Streaming formats (JSON Lines, CSV, BibTeX, arXiv) are never held in memory. By default a bad
  record is reported and skipped; with ``strict`` every file is first checked in a parse-only
  pass (no embedding, constant memory), so the first bad record stops the ingest before
  anything is added.
* An error that stops an ingest after papers were stored says how many: they stay stored and
  searchable, and running the same command again adds the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from vectorstore.errors import IngestInterrupted
from vectorstore.papers import Paper
from vectorstore.readers import ReaderError, ReadOptions, estimate_count, iter_papers, reader_for
from vectorstore.readers.stream import open_binary
from vectorstore.store import IngestReport, PaperStore


def ingest_files(
    store: PaperStore,
    paths: Sequence[str | Path],
    fmt: str | None,
    options: ReadOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> IngestReport:
    files = [Path(p).expanduser().resolve() for p in paths]
    specs = [reader_for(f, fmt) for f in files]
    for f in files:
        open_binary(f).close()  # a missing or unreadable file fails before anything is indexed
    whole: dict[Path, list[Paper]] = {
        f: list(spec.read(f, options)) for f, spec in zip(files, specs) if not spec.streaming
    }
    if options.strict:
        for f, spec in zip(files, specs):
            if spec.streaming:
                for _ in iter_papers(f, spec.name, ReadOptions(strict=True, fields=options.fields)):
                    pass

    estimates = [
        len(whole[f]) if f in whole else estimate_count(f, spec.name)
        for f, spec in zip(files, specs)
    ]
    total = sum(e for e in estimates if e) if all(e is not None for e in estimates) else None

    def papers() -> Iterator[Paper]:
        for f, spec in zip(files, specs):
            yield from whole[f] if f in whole else spec.read(f, options)

    try:
        report = store.ingest(papers(), progress=progress, on_wait=on_wait, total=total)
    except IngestInterrupted as exc:
        if isinstance(exc.cause, ReaderError):  # keep the reader's file:line form
            cause = exc.cause
            raise ReaderError(cause.path, cause.line, f"{cause.reason} ({exc.note})") from exc
        raise
    report.skipped = options.skipped
    return report
