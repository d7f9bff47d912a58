"""tiktoken, always loaded from the offline cache (see vectorstore.offline)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from vectorstore.offline import seed_tiktoken

if TYPE_CHECKING:
    import tiktoken

DEFAULT_ENCODING = "cl100k_base"
_cache_dir: Path | None = None


def configure(cache_dir: Path) -> None:
    """Choose where the seeded encodings live (the data directory's cache)."""
    global _cache_dir
    _cache_dir = cache_dir


@lru_cache(maxsize=4)
def encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    import tiktoken

    if _cache_dir is None:
        from platformdirs import user_cache_dir

        seed_tiktoken(Path(user_cache_dir("paper-qa-assistant")) / "tiktoken")
    else:
        seed_tiktoken(_cache_dir)
    return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = DEFAULT_ENCODING) -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
