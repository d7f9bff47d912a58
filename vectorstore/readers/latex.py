"""LaTeX in BibTeX values reduced to plain text, in one linear pass that never fails.

pylatexenc's full LaTeX walker is exact but costs ~8 ms per abstract and raises on deep nesting
or malformed macros, so only its table of symbol macros (``\\alpha`` -> α, ``\\ss`` -> ß and ~800
more) is used; accents, formatting commands, citations and grouping are handled here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_LETTER = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
_TOKEN = re.compile(
    # \'e  \'{e}  \"{\i}   (symbol accents)
    rf"""\\(?P<acc>["'`^~=.])\s*(?:\{{\s*(?P<a1>{_LETTER})\s*\}}|(?P<a2>{_LETTER}))"""
    # \c{c}  \v s  (letter accents: a brace or a space must follow, else it is \cite, \url...)
    rf"|\\(?P<lacc>[cvuHkrdb])(?:\s*\{{\s*(?P<b1>{_LETTER})\s*\}}|\s+(?P<b2>[A-Za-z]))"
    r"|\\(?P<word>[A-Za-z]+)\*?(?P<space>[ \t]*)"  # a control word (its argument's text is kept)
    r"|\\(?P<sym>[^A-Za-z])"  # a control symbol: \& \% \_ \\ \, ...
    r"|(?P<dash>---?)|(?P<quote>``|'')|[{}~$]",
    re.DOTALL,
)
# Commands whose argument is not text a reader wants: citation keys, labels, link targets.
_DROP_ARGUMENT = re.compile(
    r"\\(?:(?:no)?cite[a-zA-Z]*|(?:eq|page|auto|c|C)?ref|label|href)\*?\s*(?:\[[^\]{}]*\]\s*)*\{[^{}]*\}"
)
_NAMES = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX"}
_SYMBOL_TEXT = {"\\": " ", " ": " ", ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": ""}


@lru_cache(maxsize=1)
def _symbols() -> dict[str, str]:
    """Argument-less macros with a fixed text, from pylatexenc's maintained table."""
    from pylatexenc import latex2text, latexwalker

    walker = latexwalker.get_default_latex_context_db()
    table: dict[str, str] = {}
    for spec in latex2text.get_default_latex_context_db().iter_macro_specs():
        repl = spec.simplify_repl
        if not isinstance(repl, str) or "%" in repl or spec.macroname == "today":
            continue
        args = getattr(walker.get_macro_spec(spec.macroname), "args_parser", None)
        if getattr(args, "argspec", "") in ("", None):
            table[spec.macroname] = repl
    return table


def _letter(text: str) -> str:
    return {"\\i": "i", "\\j": "j"}.get(text, text)


def _replace(m: re.Match[str]) -> str:
    kind = m.lastgroup
    if m.group("acc") or m.group("lacc"):
        accent = _ACCENTS[m.group("acc") or m.group("lacc")]
        base = _letter(m.group("a1") or m.group("a2") or m.group("b1") or m.group("b2"))
        return unicodedata.normalize("NFC", base + accent)
    if kind in ("word", "space"):
        name = m.group("word")
        text = _NAMES.get(name) or _symbols().get(name, "")
        # TeX ends a control word at the space after it: "Stra\\ss e" is "Straße"; symbols keep
        # the space a reader sees ("\\alpha + \\beta" is "α + β")
        if text and unicodedata.name(text[-1], "").startswith("LATIN"):
            return text
        return text + m.group("space") if text else ""
    if kind == "sym":
        ch = m.group("sym")
        return _SYMBOL_TEXT.get(ch, ch)
    if kind == "dash":
        return "—" if len(m.group(0)) == 3 else "–"
    if kind == "quote":
        return "“" if m.group(0) == "``" else "”"
    return " " if m.group(0) == "~" else ""


def latex_to_text(value: str) -> str:
    """Plain text from a BibTeX value: accents composed, symbols spelled, commands and grouping
    braces dropped (``{\\"o}`` -> ö, ``\\emph{x}`` -> x, ``\\cite{k}`` -> nothing). Whitespace is
    left for the caller's clean-up."""
    if "\\" in value:
        value = _DROP_ARGUMENT.sub("", value)
    return _TOKEN.sub(_replace, value)
