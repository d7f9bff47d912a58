"""What a word says in general language, from ``wordfreq`` (frequency lists shipped in its wheel).

A question mixes words about its topic ("INT4", "splatting") with words any speaker uses
("please", "briefly", "faster", "thesis"). How common a word is in everyday language is a
property of the language, not of this collection, so it is read from general frequency lists:
a word's *informativeness* falls linearly with its Zipf frequency, from 1 for words rarer than
once per million (Zipf 3, where wordfreq's small lists stop) to 0 for the commonest (Zipf 7:
"the", "of"). Other languages' lists are consulted only for words that are neither in the
collection nor common in English, so an English question never loads them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZIPF_RARE = 3.0  # once per million words: as rare as the small lists go; fully informative
ZIPF_COMMONEST = 7.0  # "the", "of", "and": no information
# Languages whose everyday words a question may be written in (wordfreq "small" lists: ~10 ms each).
OTHER_LANGUAGES = ("es", "fr", "de", "it", "pt", "nl")
_ALPHA = re.compile(r"^[^\W\d_]+$")


@lru_cache(maxsize=32768)
def zipf(word: str, lang: str = "en") -> float:
    """The word's Zipf frequency in ``lang`` (0 for words rarer than once per million)."""
    import wordfreq

    if not _ALPHA.match(word):
        return 0.0  # identifiers ("gpt-4o", "a100") are never everyday words
    return float(wordfreq.zipf_frequency(word.casefold(), lang, wordlist="small"))


@lru_cache(maxsize=32768)
def zipf_english_large(word: str) -> float:
    """The word's Zipf frequency in English's large list, which has what the small one leaves
    out: rarer words and spellings ("optimisation", "generalisation")."""
    import wordfreq

    if not _ALPHA.match(word):
        return 0.0
    return float(wordfreq.zipf_frequency(word.casefold(), "en", wordlist="large"))


def american_spelling(word: str) -> str:
    """The American spelling of a British one ("optimisation" -> "optimization"), which is how
    most abstracts write it; any other word as it is."""
    from breame.spelling import get_american_spelling

    return str(get_american_spelling(word))


_INFLECTION = re.compile(r"(?:ies|es|s|ed|d|ing)$")


def lemma_zipf(word: str) -> float:
    """The Zipf frequency of a word or of the word it inflects ("evaluates" is as common as
    "evaluate"): the small lists omit many inflected forms of everyday words."""
    z = zipf(word)
    if z >= ZIPF_RARE or len(word) < 5:
        return z
    bases = {_INFLECTION.sub(e, word.casefold()) for e in ("", "e", "y")}
    return max([z, *(zipf(b) for b in bases if len(b) >= 3 and b != word.casefold())])


def informativeness(word: str) -> float:
    """1 for a word rare in English, falling to 0 for the commonest words."""
    z = lemma_zipf(word)
    return min(1.0, max(0.0, (ZIPF_COMMONEST - z) / (ZIPF_COMMONEST - ZIPF_RARE)))


def is_latin(word: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in word)


@lru_cache(maxsize=8192)
def everyday_language(word: str) -> str | None:
    """The language in which ``word`` is an everyday word (Zipf >= 3), English first; None if
    it is rare everywhere (a name, a technical term, a typo). Words in other scripts count as
    everyday words of an unnamed language ("other"); a compound ("pouvez-vous", "a-t-il") is
    an everyday word of a language all its parts belong to."""
    parts = [p for p in re.split(r"[-.'’:]", word) if p]
    if len(parts) > 1:
        langs = {everyday_language(p) for p in parts}
        return langs.pop() if len(langs) == 1 else None
    if zipf(word) >= ZIPF_RARE:
        return "en"
    if not _ALPHA.match(word):
        return None
    if not is_latin(word):
        return "other"
    for lang in OTHER_LANGUAGES:
        if zipf(word, lang) >= ZIPF_RARE:
            return lang
    return None


def everyday_english(word: str) -> bool:
    """An everyday English word, or the plural of one ("baselines")."""
    folded = word.casefold()
    forms = [folded] + [folded[: -len(end)] for end in ("s", "es") if folded.endswith(end)]
    return any(everyday_language(f) == "en" for f in forms if f)


def manner_adverb(word: str) -> bool:
    """An adverb made from an everyday adjective ("explicitly", "specifically", "efficiently"):
    it says how something is done, rarely what it is about. An adverb of a technical word
    ("asynchronously", "adversarially") is not one."""
    folded = word.casefold()
    if not folded.endswith("ly") or not _ALPHA.match(folded):
        return False
    bases = [folded[:-2]] + ([folded[:-4]] if folded.endswith("ally") else [])
    return any(len(b) >= 4 and zipf(b) >= ZIPF_RARE for b in bases)


ZIPF_EXISTS = 2.0  # rarer than once in ten million words: not an established English word


@lru_cache(maxsize=8192)
def could_be_typo(word: str) -> bool:
    """Not an established word of English (wordfreq's large list) nor an everyday word of
    another language: a spelling worth correcting against the collection's vocabulary."""
    import wordfreq

    if everyday_language(word) is not None or not _ALPHA.match(word):
        return False
    return float(wordfreq.zipf_frequency(word.casefold(), "en", wordlist="large")) < ZIPF_EXISTS
