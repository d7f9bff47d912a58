"""Derived data kept on disk per store generation (the BM25 index, the filter table).

Both are rebuilt from the store after a change and are only a cache: a damaged file is rebuilt,
and a read-only data directory still works, it just rebuilds in every process.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def load_or_build(
    target: Path,
    *,
    complete: Path,
    load: Callable[[Path], T],
    build: Callable[[], T],
    save: Callable[[T, Path], None],
    stale: str,
) -> T:
    """Load ``target`` if ``complete`` (the file written last) exists, else build and save it,
    then delete the other generations (``stale``, a glob in the same folder)."""
    if complete.exists():
        try:
            return load(target)
        except (OSError, ValueError, KeyError):
            pass  # damaged or from an older layout: rebuild
    value = build()
    try:
        save(value, target)
        for old in target.parent.glob(stale):
            if old != target:
                if old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)
    except OSError:
        pass
    return value
