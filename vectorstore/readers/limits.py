"""What one record may cost: the bounds every reader applies to hostile or accidental input.

A record beyond a bound is skipped (or, for the abstract, truncated) with a report naming the
file and line, so one pathological record can neither stall an ingest nor exhaust memory.
"""

from __future__ import annotations

# One record as written in its file (a JSON line, a CSV row, a JSON array element, a BibTeX
# entry): real records are a few KiB; anything this large is not a paper's metadata.
MAX_RECORD_BYTES = 4 << 20
# A CSV row may span lines (quoted cells); an unclosed quote must not swallow the whole file.
MAX_RECORD_LINES = 500
# Kept per paper: the longest arXiv abstract is 1,920 characters; beyond this the abstract is
# cut at a word boundary (and the cut reported) so that chunking and embedding stay bounded.
MAX_ABSTRACT_CHARS = 10_000
# A longer "title" is almost always an abstract in the wrong column: the record is skipped.
MAX_TITLE_CHARS = 1_000
# Metadata text (authors, categories, url, ids, date): longer values are dropped with a warning.
MAX_FIELD_CHARS = 10_000
# JSON nesting deeper than this is not a paper record (and would exhaust the decoder's stack).
MAX_JSON_DEPTH = 64
# BibTeX @string macros: one definition, and all of them together, expand to at most this much
# text; the "doubling" attack (each macro twice the previous one) is refused at the bound.
MAX_MACRO_CHARS = 64 << 10
MAX_MACROS_TOTAL_CHARS = 1 << 20
