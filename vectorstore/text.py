"""Shared text handling: sentence splitting and the term analysis used by BM25 and by answering.

One analyser for the index and for questions keeps lexical retrieval and extractive scoring
consistent. Tokens are Unicode words: accents are folded for matching ("Nyström" meets
"Nystrom", "cuántos" is one token), and identifiers stay whole ("LQ-LoRA", "GPT-4o",
"CIFAR-100", "2:4", "1.75x") while also yielding their parts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Bump when ``terms`` changes what it produces: persisted BM25 indexes are keyed on it.
ANALYZER_VERSION = 5

STOPWORDS = frozenset(
    """a an the and or but if then else of in on at to for from by with without into onto over under
    about as is are was were be been being am do does did doing have has had having this that these
    those it its itself they them their theirs we our ours you your yours he she his her i me my
    not no nor so than too very can could would should will shall may might must also such both
    each which what who whom whose when where why how all any some most more other same own only
    just there here out up down off again further once while during before after above below
    between through until against via per s t either neither something anything everything
    nothing someone anyone everyone somebody anybody like""".split()
)

# A word: letters and digits of any script, joined by inner "." "-" (and ":" between short
# parts, as in "2:4" or "N:M"), so "GPT-4o", "1.75x" and "2:4" stay one token.
# a thousands separator ("1,000x") keeps a number one word
WORD_PATTERN = re.compile(
    r"[^\W_]+(?:(?:[.\-]|(?<=\d),(?=\d{3}(?!\d))|(?<=\b[^\W_])(?<!\w\w):(?=[^\W_]{1,2}\b))"
    r"[^\W_]+)*"
)
_THOUSANDS = re.compile(r"(\d+)k")
UNIT_MAX = 4  # letters of a unit written after a number ("fps", "GB", "bit")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u00ad": ""})
# "LLMs", "GPUs", "CNNs": an acronym's plural folds onto the acronym
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Z0-9]*[A-Z0-9])s$")

# Sentence ends: ., ! or ? followed by space and an upper-case letter, digit or quote.
# "e.g." / "i.e." / "et al." / "vs." and decimals are protected.
# "etc." ends a sentence when a capital follows ("… cooking, travel, etc. A manual inspection").
_ABBREV = re.compile(
    r"\b(?:e\.g|i\.e|et al|vs|cf|Fig|Eq|resp|approx)\.|\betc\.(?![\"')\]]?\s+[A-Z])", re.IGNORECASE
)
_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?(?:[A-Z0-9]|[À-ÖØ-Þ]))")


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def normalize(text: str) -> str:
    """Compatibility forms folded (fullwidth letters, ligatures) and odd hyphens made plain."""
    return unicodedata.normalize("NFKC", text).translate(_DASHES)


def split_sentences(text: str) -> list[str]:
    """Split an abstract into sentences, keeping numbers like 1.75x and abbreviations intact."""
    protected = _ABBREV.sub(lambda m: m.group(0).replace(".", "\x00"), normalize_ws(text))
    parts = _SENT_END.split(protected)
    return [p.replace("\x00", ".").strip() for p in parts if p.strip()]


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without accents: the form words are matched in."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


# Irregular plurals the stemmer does not fold onto their singular.
IRREGULAR = {
    "corpora": "corpus",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "indices": "index",
    "matrices": "matrix",
    "vertices": "vertex",
    "appendices": "appendix",
}


def words(text: str) -> Iterator[re.Match[str]]:
    """The word tokens of ``text`` as matches (surface form and position), case kept."""
    return WORD_PATTERN.finditer(normalize(text))


@lru_cache(maxsize=65536)
def surface_key(surface: str) -> str:
    """The matching form of one surface word: folded, acronym plurals and irregular plurals
    made singular ("LLMs" -> "llm", "corpora" -> "corpus")."""
    plural = _ACRONYM_PLURAL.match(surface)
    tok = fold(plural.group(1) if plural else surface).replace(",", "")  # "1,000x" is "1000x"
    return IRREGULAR.get(tok, tok)


@lru_cache(maxsize=65536)
def compound_parts(tok: str) -> tuple[str, ...]:
    """The parts of a compound token ("lq-lora" -> ("lq", "lora")); () for a simple word."""
    if not any(sep in tok for sep in ".-:"):
        return ()
    return tuple(p for p in re.split(r"[.\-:]", tok) if p)


def raw_tokens(text: str) -> list[str]:
    """Folded word tokens, keeping things like ``1.75x``, ``gpt-4o`` and ``int4`` whole.

    A compound also yields its parts, and a two-part hyphenated word its joined form, so
    "pre-training", "pretraining" and "pre training" meet.
    """
    tokens: list[str] = []
    folded = [surface_key(m.group(0)) for m in words(text)]
    for i, tok in enumerate(folded):
        tokens.append(tok)
        parts = compound_parts(tok)
        if parts:
            tokens.extend(IRREGULAR.get(p, p) for p in parts)
            if (
                "-" in tok
                and len(parts) == 2
                and (all(p.isalpha() for p in parts) or (parts[0].isdigit() and parts[1].isalpha()))
            ):
                tokens.append("".join(parts))  # "pre-training" and "4-bit" typed "4bit"
        if tok[0].isdigit():
            tokens.extend(number_forms(tok, folded[i + 1] if i + 1 < len(folded) else ""))
    return tokens


def number_forms(tok: str, following: str = "") -> list[str]:
    """The other ways a number is written, so that any one finds the others: "12,000" and
    "12k"; "173 times" and "173x"; "30 fps" and "30fps" (a short unit after it)."""
    if tok.isdigit() and len(tok) >= 4 and tok.endswith("000"):
        return [f"{tok[:-3]}k"]
    thousands = _THOUSANDS.fullmatch(tok)
    if thousands:
        return [f"{thousands.group(1)}000"]
    if not tok.replace(".", "", 1).isdigit():
        return []
    if following in ("times", "time"):
        return [f"{tok}x"]
    if following.isalpha() and 2 <= len(following) <= UNIT_MAX and following not in STOPWORDS:
        return [f"{tok}{following}"]
    return []


def is_term(tok: str) -> bool:
    """Whether a folded token counts as a content term (not a stopword or a lone letter)."""
    return tok not in STOPWORDS and (len(tok) > 1 or tok.isdigit())


def term_key(tok: str) -> str:
    """The index term of one folded token."""
    return stem(tok)


def terms(text: str) -> list[str]:
    """Content terms: tokens minus stopwords, stemmed. Used for BM25 and sentence overlap."""
    return [stem(t) for t in raw_tokens(text) if is_term(t)]


def numbers(text: str) -> set[str]:
    """The numbers a text states, normalised (``5,400`` -> ``5400``)."""
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(text)}
