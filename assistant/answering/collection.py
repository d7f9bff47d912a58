"""What answering knows of the indexed collection: term statistics, titles, names, spelling.

Built from the keyword index of one store generation (``vectorstore.lexical.LexicalIndex``),
so every figure describes the collection at hand, whether it holds a hundred papers or
a hundred thousand.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from assistant.answering.units import Unit, present, quantities, token_keys, units_of
from assistant.answering.words import name_shaped, word_keys
from vectorstore.lexical import LexicalIndex
from vectorstore.retrieval import RetrievedPaper
from vectorstore.store import PaperRecord
from vectorstore.text import fold, split_sentences, term_key, terms, words


def allowed_edits(word: str) -> int:
    """Typo tolerance by length, as search engines' "AUTO" fuzziness: none up to 3
    characters, one edit up to 5, two beyond."""
    n = len(word)
    return 0 if n <= 3 else 1 if n <= 5 else 2


# Repairing a word by its start: the stem it meets has at least this many letters, and what
# is left of the word is no longer than an English ending ("-ization").
STEM_MIN = 5
ENDING_MAX = 5


# How many papers' sentences tell whether a word is one the collection states with a number.
AMOUNT_SAMPLE = 12
MAX_DEFINITIONS = 10  # papers read for where an acronym is spelled out
AMOUNT_BASE = 60  # papers read for how often the collection's sentences state an amount
# A name identifies a paper when a title gives it, or when at most this many papers contain it.
IDENTIFYING = 2
ABSTRACT_WORDS = 200  # a typical abstract's length in words: paper counts as word frequencies


_VERSION_GAP = re.compile(r"(?<=[a-z])[-_]?v?(?=\d)")


def version_skeleton(term: str) -> str:
    """A versioned name without how its version is joined on: "llama-v2", "llamav2" and
    "llama-2" are all "llama2"."""
    return _VERSION_GAP.sub("", term)


def _abbreviates(letters: str, words: Sequence[str]) -> bool:
    """Whether ``letters`` take a start of each word in turn: initials ("PEFT": parameter-
    efficient fine-tuning) or longer starts ("LoRA": low-rank adaptation)."""
    if not words:
        return not letters
    word = words[0].casefold()
    return any(
        letters[:n] == word[:n] and _abbreviates(letters[n:], words[1:])
        for n in range(min(len(word), len(letters) - len(words) + 1), 0, -1)
    )


def title_head(title: str) -> str | None:
    """The name a title gives its paper before a colon, when short ("MIO: A Foundation Model…"
    -> "MIO"); None for a title without one."""
    head, colon, _ = title.partition(":")
    return " ".join(head.split()) if colon and 1 <= len(head.split()) <= 4 else None


class Collection:
    def __init__(
        self,
        index: LexicalIndex,
        load_papers: Callable[[Sequence[str]], Sequence[PaperRecord]] | None = None,
    ) -> None:
        self.index = index
        self.max_idf = index.idf("\x00absent")
        self._load_papers = load_papers
        self._units: dict[tuple[str, str], list[Unit]] = {}
        self._sequences: dict[str, list[str]] = {}
        self._amounts: dict[str, bool] = {}
        self._expansions: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._definers: dict[str, frozenset[str]] = {}
        self._title_expansions: dict[str, list[str]] = {}
        self._written: dict[tuple[str, str], bool] = {}

    @property
    def key(self) -> str:
        return self.index.key

    @property
    def titles(self) -> dict[str, str]:
        return self.index.titles

    def idf(self, term: str) -> float:
        return self.index.idf(term)

    def has(self, term: str) -> bool:
        return term in self.index.vocabulary

    # -- papers -------------------------------------------------------------------------------
    @cached_property
    def _paper_of_row(self) -> Any:
        import numpy as np

        return np.asarray(self.index.paper_ids, dtype=object)

    @cached_property
    def paper_position(self) -> dict[str, int]:
        """Paper id -> its position in ``paper_index`` (and in ``contains``'s arrays)."""
        return {pid: i for i, pid in enumerate(dict.fromkeys(self.index.paper_ids))}

    @cached_property
    def paper_index(self) -> tuple[list[str], Any]:
        """(paper ids, the paper position of every chunk row): papers as array positions."""
        import numpy as np

        position = self.paper_position
        rows = np.fromiter((position[p] for p in self.index.paper_ids), np.int64)
        return list(position), rows

    def contains(self, term: str) -> Any:
        """One bool per paper (``paper_index`` order): does its text contain ``term``?"""
        import numpy as np

        ids, row_paper = self.paper_index
        found = np.zeros(len(ids), dtype=bool)
        rows, _ = self.index.postings(term)
        if len(rows):
            found[row_paper[rows]] = True
        return found

    def coverage_of_all(self, groups: list[list[dict[str, float]]]) -> Any:
        """Every paper's coverage of weighted AND-groups of OR-alternatives (one float per paper,
        ``paper_index`` order), from the keyword index alone: the background a question's
        candidates are measured against."""
        import numpy as np

        ids, _ = self.paper_index
        got = np.zeros(len(ids), dtype=np.float64)
        total = 0.0
        for group in groups:
            weight = max(sum(alt.values()) for alt in group)
            if weight <= 0:
                continue
            total += weight
            best = np.zeros(len(ids))
            for alt in group:
                alt_weight = sum(alt.values()) or 1.0
                share = sum(self.contains(t) * (w / alt_weight) for t, w in alt.items())
                best = np.maximum(best, share)
            got += best * weight
        return got / total if total > 0 else got

    def papers_with(self, term: str) -> dict[str, float]:
        """Every paper whose text contains ``term`` -> its best chunk's BM25 score for it."""
        rows, scores = self.index.postings(term)
        best: dict[str, float] = {}
        for pid, score in zip(self._paper_of_row[rows].tolist(), scores.tolist()):
            if score > best.get(pid, -1.0):
                best[pid] = float(score)
        return best

    def usage_zipf(self, word: str) -> float:
        """How often the collection's abstracts use ``word``, on the Zipf scale of general
        word frequencies (log10 of uses per billion words), counting one use per paper that
        has it: what a word of this domain's English is, whatever its general frequency."""
        papers = self.paper_frequency(term_key(fold(word)))
        if not papers:
            return 0.0
        return math.log10(papers / (self.paper_count * ABSTRACT_WORDS)) + 9

    @cached_property
    def paper_count(self) -> int:
        return len(self.titles) or len(set(self.index.paper_ids))

    def paper_frequency(self, term: str) -> int:
        """How many papers contain ``term`` (counted on the index, not paper by paper)."""
        import numpy as np

        rows, _ = self.index.postings(term)
        return len(np.unique(self.paper_index[1][rows])) if len(rows) else 0

    def units(self, paper: RetrievedPaper) -> list[Unit]:
        """A paper's title and sentences with their terms (cached per content)."""
        key = (paper.paper_id, paper.paper.content_hash or paper.paper.abstract[:64])
        found = self._units.get(key)
        if found is None:
            found = self._units[key] = units_of(paper.title, paper.paper.abstract)
        return found

    def papers_sentences(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        """Each paper's title and abstract sentences, read from the store in one call; papers
        the store no longer holds are left out."""
        records = self._load_papers(list(paper_ids)) if self._load_papers and paper_ids else []
        return {r.paper_id: [r.title, *split_sentences(r.abstract)] for r in records}

    def paper_sentences(self, paper_id: str) -> list[str]:
        """A paper's title and abstract sentences (read from the store)."""
        return self.papers_sentences([paper_id]).get(paper_id, [])

    def papers_word_keys(self, paper_ids: Sequence[str]) -> dict[str, list[str]]:
        """Each paper's title and abstract as a sequence of word keys (for phrase matching);
        the ones not yet known are read from the store in one call."""
        missing = [p for p in paper_ids if p not in self._sequences]
        if missing:
            records = self._load_papers(missing) if self._load_papers else []
            read = {r.paper_id: f"{r.title}\n{r.abstract}" for r in records}
            for pid in missing:
                self._sequences[pid] = word_keys(read.get(pid, ""))
        return {p: self._sequences[p] for p in paper_ids}

    def writes(self, word: str, key: str) -> bool:
        """Whether a paper with the index term ``key`` writes ``word`` (folded; its singular),
        or the word it misspells by one letter ("distilation"), not only another word of its
        stem ("recommend" for "recommender"). A term more than MAX_DEFINITIONS papers have is
        taken as written: reading them all costs too much. Remembered: a question is planned
        several times."""
        from rapidfuzz.distance import OSA

        found = self._written.get((word, key))
        if found is None:
            holders = self.papers_with(key)
            if len(holders) > MAX_DEFINITIONS:
                found = True
            else:
                typed = re.escape(word[:-1] if word.endswith("s") else word)
                texts = [
                    fold(sentence)
                    for sentences in self.papers_sentences(list(holders)).values()
                    for sentence in sentences
                ]
                found = any(re.search(rf"(?<![\w-]){typed}", text) for text in texts) or any(
                    OSA.distance(word, written, score_cutoff=1) <= 1
                    for text in texts
                    for written in re.findall(r"[^\W\d_]+", text)
                )
            self._written[(word, key)] = found
        return found

    def states_amounts(self, term: str) -> bool:
        """Whether the collection states ``term`` with a number ("speedup", "throughput",
        "GPUs"): the sentences that use it (in up to AMOUNT_SAMPLE papers) give an amount at
        least twice as often as the collection's sentences do. "What's the speedup of X?" then
        asks for one, as "how much faster" does."""
        found = self._amounts.get(term)
        if found is None:
            papers = sorted(self.papers_with(term).items(), key=lambda kv: -kv[1])
            using = [
                sentence
                for sentences in self._abstract_sentences([p for p, _ in papers[:AMOUNT_SAMPLE]])
                for sentence in sentences
                if term[:4] in sentence.casefold() and present(term, frozenset(terms(sentence)))
            ]
            stating = sum(bool(quantities(s)) for s in using)
            found = bool(using) and stating >= 2 * self._amount_rate * len(using)
            self._amounts[term] = found
        return found

    @cached_property
    def _amount_rate(self) -> float:
        """The share of the collection's sentences that state an amount (on a sample)."""
        sample = self.paper_index[0][:AMOUNT_BASE]
        sentences = [s for found in self._abstract_sentences(sample) for s in found]
        return sum(bool(quantities(s)) for s in sentences) / max(1, len(sentences))

    def _abstract_sentences(self, paper_ids: list[str]) -> list[list[str]]:
        """The abstracts' sentences (without the titles) of these papers."""
        return [found[1:] for found in self.papers_sentences(paper_ids).values()]

    def expansions(self, acronym: str) -> tuple[tuple[str, ...], ...]:
        """What an acronym stands for, as the collection's papers spell it out ("Reinforcement
        Learning (RL)", "Parameter-Efficient Fine-Tuning (PEFT)"): the word keys of each
        meaning found (an acronym may have several: IFT). Read from up to MAX_DEFINITIONS
        papers that use it."""
        found = self._expansions.get(acronym)
        if found is None:
            letters = acronym[:-1] if acronym.endswith("s") and acronym[:-1].isupper() else acronym
            defined = re.compile(
                rf"((?:[^\W\d_][\w-]*\s+){{1,{len(letters) + 2}}})\(\s*(?i:{re.escape(acronym)})\s*\)"
            )
            papers = sorted(
                self.papers_with(term_key(fold(letters))).items(), key=lambda kv: -kv[1]
            )
            meanings: list[tuple[str, ...]] = []
            definers: set[str] = set()
            read = self.papers_sentences([p for p, _ in papers[:MAX_DEFINITIONS]])
            for pid, sentences in read.items():
                for m in (m for sentence in sentences[1:] for m in defined.finditer(sentence)):
                    parts = [p for w in m.group(1).split() for p in w.split("-") if p]
                    for start in range(len(parts)):
                        if _abbreviates(letters.casefold(), parts[start:]):
                            keys = tuple(word_keys(" ".join(parts[start:])))
                            if keys and keys not in meanings:
                                meanings.append(keys)
                            definers.add(pid)
                            break
            found = self._expansions[acronym] = tuple(meanings)
            self._definers[acronym] = frozenset(definers)
        return found

    def definers(self, acronym: str) -> frozenset[str]:
        """The papers that spell out what an acronym stands for ("low-rank adaptation (LoRA)"):
        where "what is LoRA?" is answered when no paper is about LoRA itself."""
        self.expansions(acronym)
        return self._definers[acronym]

    # -- names and titles ---------------------------------------------------------------------
    @cached_property
    def title_names(self) -> dict[str, set[str]]:
        """Folded names a title gives its paper ("lq-lora", "crosssplit", "gptvq") -> paper ids.

        A name is the part of a title before its colon when short ("MIO: A Foundation Model…"),
        or a name-shaped word that only this paper's title has ("SNIPER", "GPTVQ") and few
        abstracts use: "GPUs" in one title is still everyone's word, not that paper's name.
        """
        names: dict[str, set[str]] = defaultdict(set)
        shaped: dict[str, set[str]] = defaultdict(set)
        keys: dict[str, list[str]] = {}
        for pid, title in self.titles.items():
            head = title_head(title)
            if head is not None:
                names[fold(head)].add(pid)
            for match in words(title):
                if name_shaped(match.group(0)):
                    shaped[fold(match.group(0))].add(pid)
                    keys[fold(match.group(0))] = word_keys(match.group(0))
        for name, pids in shaped.items():
            rare = keys[name] and all(self.paper_frequency(k) <= IDENTIFYING for k in keys[name])
            if len(pids) == 1 and rare:
                names[name] |= pids
        return dict(names)

    @cached_property
    def _heads_by_first_word(self) -> dict[str, list[str]]:
        heads: dict[str, list[str]] = defaultdict(list)
        for name in self.title_names:
            if " " in name:
                heads[name.split()[0]].append(name)
        return dict(heads)

    def heads_in(self, text: str) -> list[str]:
        """The title names of several words a text has, typed in any case ("no train no
        gain" for "No Train No Gain: …"), longest first."""
        folded = fold(text)
        found = {
            head
            for word in set(re.findall(r"[\w.-]+", folded))
            for head in self._heads_by_first_word.get(word, ())
            if re.search(rf"(?<![\w-]){re.escape(head)}(?![\w-])", folded)
        }
        return sorted(found, key=lambda h: (-len(h), h))

    @cached_property
    def _sorted_title_names(self) -> list[str]:
        return sorted(self.title_names)

    def titled_as(self, name: str) -> set[str]:
        """The papers a title names ``name`` (folded): exactly, or, for a hyphenated name, one
        title's longer form of it ("slowfast-llava" -> "SlowFast-LLaVA-1.5", "llava-next" ->
        "LLaVA-NeXT-Interleave")."""
        import bisect

        exact = self.title_names.get(name)
        if exact or "-" not in name.strip("-"):
            return set(exact or ())
        names = self._sorted_title_names
        longer: set[str] = set()
        for other in names[bisect.bisect_left(names, name + "-") :]:
            if not other.startswith(name + "-"):
                break
            longer |= self.title_names[other]
        return longer if len(longer) == 1 else set()

    @cached_property
    def _title_index(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = defaultdict(set)
        for pid, keys in self.title_word_keys.items():
            for key in keys:
                for k in token_keys(key):
                    index[k].add(pid)
        return dict(index)

    def titles_with(self, key: str) -> set[str]:
        """The papers whose title has the word key (or a compound containing it)."""
        return self._title_index.get(key, set())

    def title_expansions(self, acronym: str) -> list[str]:
        """The runs of title words an acronym abbreviates ("mt": "Machine Translation", "3dgs":
        "3D Gaussian Splatting"), as the titles write them: "the simultaneous mt paper"."""
        found = self._title_expansions.get(acronym)
        if found is None:
            letters = acronym.casefold()
            runs: dict[str, None] = {}
            for title in self.titles.values():
                parts = re.findall(r"[^\W_]+", title)
                for i, first in enumerate(parts):
                    if not first.casefold().startswith(letters[0]):
                        continue
                    for n in range(2, min(len(letters), len(parts) - i) + 1):
                        run = parts[i : i + n]
                        # acronyms skip function words ("Models to" is no "MT")
                        if _abbreviates(letters, run) and all(terms(p) for p in run):
                            runs[" ".join(run)] = None
            found = self._title_expansions[acronym] = list(runs)
        return found

    @cached_property
    def title_word_keys(self) -> dict[str, list[str]]:
        """Paper id -> its title as word keys (for matching title fragments)."""
        return {pid: word_keys(title) for pid, title in self.titles.items()}

    @cached_property
    def _sorted_terms(self) -> list[str]:
        return sorted(self.index.vocabulary)

    def _starting_with(self, key: str) -> list[str]:
        """The collection's terms that begin with ``key`` (``key`` itself included)."""
        import bisect

        terms = self._sorted_terms
        found = []
        for term in terms[bisect.bisect_left(terms, key) :]:
            if not term.startswith(key):
                break
            found.append(term)
        return found

    @cached_property
    def _versioned(self) -> tuple[list[str], list[str]]:
        """The terms with a version number, by their spelling-free form (sorted), and the terms."""
        pairs = sorted(
            (version_skeleton(t), t)
            for t in self.index.vocabulary
            if any(c.isdigit() for c in t) and any(c.isalpha() for c in t)
        )
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def versions(self, key: str) -> list[str]:
        """The collection's spellings of a versioned name and its sizes and variants:
        "llama-2" -> "llama2", "llama-v2", "llama2-7b", "llamav2-70b" (not "llama-3")."""
        import bisect

        skeletons, found = self._versioned
        skeleton = version_skeleton(key)
        out = []
        for i in range(bisect.bisect_left(skeletons, skeleton), len(skeletons)):
            rest = skeletons[i][len(skeleton) :]
            if not skeletons[i].startswith(skeleton):
                break
            if not rest or rest[0] in "-.":
                out.append(found[i])
        return out

    def family(self, key: str) -> list[str]:
        """Terms that are versions of a name ("qwen" -> "qwen2", "qwen2-vl"; "llama" ->
        "llama-2"): the name followed by a digit, a hyphen or a dot."""
        return [
            term
            for term in self._starting_with(key)
            if term[len(key) :][:1].isdigit() or term[len(key) :][:1] in ("-", ".")
        ]

    def complete(self, key: str) -> str | None:
        """The term a clipped word stands for ("params" -> "parameters", "quant" ->
        "quantization"): the collection's terms that begin with ``key`` (at least STEM_MIN
        letters), when one of them is in most of the documents any of them is in."""
        if len(key) < STEM_MIN or not key.isalpha():
            return None
        longer = [
            (self.index.document_frequency(term), term)
            for term in self._starting_with(key)
            if term != key and term.isalpha()
        ]
        if not longer:
            return None
        best_df, best = max(longer)
        return best if best_df * 2 > sum(df for df, _ in longer) else None

    # -- spelling -----------------------------------------------------------------------------
    @cached_property
    def _terms_by_length(self) -> dict[int, list[str]]:
        buckets: dict[int, list[str]] = defaultdict(list)
        for term in self.index.vocabulary:
            if term.isalpha() and len(term) >= 3:
                buckets[len(term)].append(term)
        return dict(buckets)

    def correct(self, token: str) -> str | None:
        """The collection's term closest in spelling to ``token`` (folded), within the typo
        tolerance for its length; the most frequent wins a tie. None when nothing is close."""
        key = term_key(token)
        edits = allowed_edits(key)
        if not edits or not key.isalpha():
            return None
        found = self._closest(key, edits)
        if found is None and token.isalpha():
            # a typo in the ending hides the stem ("quantizaton" stems to itself, not to
            # "quantiz"): the word's start, one edit from a long stem, with a short ending left
            for cut in range(len(token) - 1, max(STEM_MIN - 1, len(token) - ENDING_MAX - 1), -1):
                found = self._closest(token[:cut], 1, min_length=STEM_MIN)
                if found is not None:
                    break
        return found

    def _closest(self, key: str, edits: int, min_length: int = 3) -> str | None:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        best: tuple[int, int, str] | None = None
        for length in range(max(min_length, len(key) - edits), len(key) + edits + 1):
            choices = self._terms_by_length.get(length)
            if not choices:
                continue
            for term, dist, _ in process.extract(
                key, choices, scorer=OSA.distance, score_cutoff=edits, limit=5
            ):
                rank = (int(dist), -self.index.document_frequency(term), term)
                if best is None or rank < best:
                    best = rank
        return best[2] if best else None


__all__ = ["Collection", "allowed_edits", "title_head"]
