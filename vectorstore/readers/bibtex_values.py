"""BibTeX values: ``#`` concatenation of braced, quoted, numeric and ``@string`` macro parts.

bibtexparser 2.1 resolves only whole-value macro references (concatenation is an open pull
request), so values are evaluated here, with every expansion bounded: ``MAX_MACRO_CHARS`` per
definition, ``MAX_MACROS_TOTAL_CHARS`` for all of a file's macros, and a limit per value. The
``@string`` doubling attack (each macro twice the previous one) is refused at the bound.
"""

from __future__ import annotations

import re

from vectorstore.readers.limits import MAX_MACRO_CHARS, MAX_MACROS_TOTAL_CHARS
from vectorstore.readers.records import BadValue

_VALUE_MARKS = re.compile(r'(?<!\\)[{}"]')
_WORD = re.compile(r'[^\s#"{}]+')


def _close(text: str, start: int, quote: bool) -> int:
    """Index of the brace (or quote) closing the value opened at ``start``."""
    depth = 0
    for m in _VALUE_MARKS.finditer(text, start + 1):
        ch = m.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                if quote:
                    raise BadValue("unbalanced '}' in a quoted value")
                return m.start()
            depth -= 1
        elif quote and depth == 0:
            return m.start()
    raise BadValue("unclosed quote" if quote else "unbalanced braces")


class Refused(BadValue):
    """A value that uses a macro whose definition was refused (reported where it was)."""

    def __init__(self, name: str, line: int) -> None:
        super().__init__(f"uses @string {name[:40]!r} (refused: see line {line})")
        self.line = line


def evaluate_value(
    raw: str, macros: dict[str, str], limit: int, refused: dict[str, int] | None = None
) -> str:
    """A field or @string value: parts joined by ``#``, macros expanded, at most ``limit`` chars."""
    parts: list[str] = []
    size, i, n = 0, 0, len(raw)
    while True:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            if parts:
                raise BadValue("a value is missing after '#'")
            return ""
        ch = raw[i]
        if ch in '{"':
            j = _close(raw, i, quote=ch == '"')
            part, i = raw[i + 1 : j], j + 1
        else:
            m = _WORD.match(raw, i)
            if not m:
                raise BadValue(f"unexpected {ch!r} in a value")
            word, i = m.group(), m.end()
            if refused and word.lower() in refused:
                raise Refused(word, refused[word.lower()])
            part = word if word.isdigit() else macros.get(word.lower(), word)
        size += len(part)
        if size > limit:
            raise BadValue(f"expands to more than {limit:,} characters")
        parts.append(part)
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            return "".join(parts)
        if raw[i] != "#":
            raise BadValue(f"unexpected {raw[i : i + 20]!r} after a value")
        i += 1


class Macros:
    """The @string definitions seen so far in one file, bounded in size one by one and in all.

    A refused definition is remembered, so that what uses it fails too (naming the line where
    it was refused) instead of reading its name as text or repeating the report."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.refused: dict[str, int] = {}
        self.total = 0

    def evaluate(self, raw: str, limit: int) -> str:
        return evaluate_value(raw, self.values, limit, self.refused)

    def define(self, name: str, raw: str, line: int) -> None:
        """Define the macro, or raise BadValue (reported) / Refused (already reported)."""
        key = name.lower()
        try:
            value = self.evaluate(raw, MAX_MACRO_CHARS)
            previous = len(self.values.get(key, ""))
            if self.total - previous + len(value) > MAX_MACROS_TOTAL_CHARS:
                raise BadValue(
                    f"would make the file's @string macros hold more than {MAX_MACROS_TOTAL_CHARS:,} characters"
                )
        except Refused as exc:
            self.refused[key] = exc.line
            self.values.pop(key, None)
            raise
        except BadValue:
            self.refused[key] = line
            self.values.pop(key, None)
            raise
        self.refused.pop(key, None)
        self.values[key] = value
        self.total += len(value) - previous
