"""The query plan: one typed reading of a question, from which every later stage works.

For each content word: the index term it matches (after typo correction against the
collection's own vocabulary), how informative it is (rarity in the collection times rarity in
general language), whether it names something. For the question: what kind of answer it wants,
which papers it names (by title, nickname or name), whether it leans on the conversation, and
which of its salient words the collection lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from assistant.answering import language
from assistant.answering.collection import Collection
from assistant.answering.reading import (
    Intent,
    alternatives,
    asked_for,
    asks_authors,
    asks_claim,
    asks_code,
    asks_date,
    asks_duration,
    asks_entity,
    asks_findings,
    asks_for_others,
    asks_for_paper,
    asks_gist,
    asks_many,
    asks_method,
    asks_motivation,
    asks_name,
    asks_of_each,
    asks_relative,
    asks_similar,
    asks_superlative,
    asks_whether,
    capitalized_names,
    chooses_among,
    clause_spans,
    compare_targets,
    compares_amounts,
    definite_words,
    extreme_word,
    grammar_spans,
    is_bare_topic,
    is_comparison,
    is_definition,
    quoted_phrases,
    refers_back,
    refers_to_all,
    repair_grammar_words,
    requested_count,
    similar_to,
    small_talk,
    title_references,
    wants_list,
    wants_quantity,
)
from assistant.answering.words import Word, read_words
from vectorstore.text import compound_parts, fold, is_term, stem, term_key

Embed = Callable[[list[str]], Any]
# A word missing from the collection sinks the question when it matters at least half as much
# to the question's meaning as its most meaningful word (leave-one-out embedding salience).
MISSING_SALIENCE = 0.5
MISSING_PROBE = 16  # ... of at most this many absent words
# An acronym typed in lower case ("rl", "moe") has this many letters and is rarer than this
# (Zipf) as an English word ("use" is a word)
MIN_ACRONYM, MAX_ACRONYM = 2, 6
ACRONYM_ZIPF = 4.0
ASIDE = 0.5  # words that qualify the question (in parentheses, "explicitly") count half
_PARENS = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Term:
    surface: str  # as typed
    key: str  # the index term it matches (corrected when it was a typo)
    idf: float
    informativeness: float  # 1 rare in general language ... 0 the commonest words
    in_collection: bool
    name: bool  # name-shaped ("LQ-LoRA") or one of the collection's title names
    language: str | None  # the language it is an everyday word of ("en", "es", …), if any
    corrected_from: str | None = None
    respelled: bool = False  # corrected_from was a typo for key (not a clipped word)
    variants: tuple[str, ...] = ()  # index terms that are versions of it ("qwen2", "qwen2-vl")
    position: int = 0  # where in the question (word index)
    # a compound typed apart ("video llms" for "VideoLLM"): the terms of its words, which
    # match it together as well
    parts: tuple[str, ...] = ()
    # a list question's later part asks it of each paper listed ("what speedups do they
    # claim?"): it does not decide which papers are listed, only what is quoted from each
    of_each: bool = False
    # an acronym: typed in capitals ("VQ"), or in lower case where a paper here defines it
    # ("rl" for "Reinforcement Learning (RL)")
    acronym: bool = False

    @property
    def weight(self) -> float:
        """What the term contributes to matching a paper: specific here and in general."""
        if self.of_each or not self.in_collection:
            return 0.0
        return self.idf * self.informativeness


@dataclass(frozen=True)
class Clause:
    """One part of a question ("…, and what score do they get?")."""

    keys: frozenset[str]  # its index terms
    quantity: bool  # it asks for a number
    name: bool = False  # it asks what something is called
    entity: bool = False  # it asks which things ("what model", "which datasets")
    method: bool = False  # it asks how the paper does something ("how do they lay out …")


@dataclass(frozen=True)
class Reference:
    """A paper the question names: by a title fragment, nickname, or quoted phrase."""

    text: str
    # "the X paper", a quoted phrase: if nothing answers to it, the paper is not here. A
    # capitalised run ("Dream Engine") only helps find a paper when it does resolve.
    strict: bool = True
    quoted: bool = False  # a phrase in quotes: any abstract using it answers to it


@dataclass(frozen=True)
class QueryPlan:
    question: str
    intent: Intent
    terms: tuple[Term, ...]
    wants_quantity: bool
    language: str  # "en", or the language the question is written in
    references: tuple[Reference, ...] = ()
    refers_back: bool = False  # uses pronouns or vague words that need an earlier turn
    context_ids: tuple[str, ...] = ()  # papers the previous answer cited
    followup: bool = False  # resolved to the previous answer's papers
    # disjunctions ("carbon footprint / CO2 emissions"): groups of alternative term-key tuples
    alternatives: tuple[tuple[tuple[str, ...], ...], ...] = ()
    targets: tuple[str, ...] = ()  # what a comparison names, as written
    clauses: tuple[Clause, ...] = ()  # the question's parts
    metadata: tuple[str, ...] = ()  # what it asks of the record itself: "authors", "date"
    motivation: bool = False  # asks what problem the paper takes on
    findings: bool = False  # asks what its experiments showed ("what do they find?")
    claim: bool = False  # asks which paper states something ("which paper argues X?")
    gist: bool = False  # asks for a paper's main idea or contribution
    focus: tuple[str, ...] = ()  # the words naming what it asks for ("licence"), as typed
    count: int | None = None  # how many papers a list asks for ("top 3 papers on X")
    # asks about several things or the best of them ("which models use RLHF?"): a list
    # unless it names a paper
    many: bool = False
    # refers back to every paper of the previous answer ("how big is each?", "compare them")
    each: bool = False
    # a list of papers besides those just discussed ("what other VQ papers are there?")
    others: bool = False
    # the index terms of what the question takes as known ("the agent"): of the paper just
    # discussed, if it has them
    definite: tuple[str, ...] = ()
    whether: bool = False  # a yes/no question ("is the code released?")
    relative: bool = False  # asks how much more or less ("how much faster?"): a ratio answers
    duration: bool = False  # asks how long something takes: a stretch of time answers
    # asks if or where the code is available ("open source", "repo"): an address answers
    code: str | None = None
    which_paper: bool = False  # asks which paper does something ("which paper uses X?")
    among: bool = False  # chooses among papers listed before ("which one …", "which is the best")
    similar: bool = False  # asks for the papers nearest one paper ("related work for X")
    # a superlative of an amount ("the most GPUs"): the word's position, +1 most / -1 fewest,
    # and whether what follows must be a plural ("most" GPUs, not "most" efficient)
    extreme: tuple[int, int, bool] | None = None
    small_talk: bool = False  # greets or thanks, asks nothing
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.name)

    def weights(self) -> dict[str, float]:
        """Index term -> weight, for keyword retrieval and coverage."""
        out: dict[str, float] = {}
        for t in self.terms:
            if t.in_collection and t.weight > 0:
                out[t.key] = max(out.get(t.key, 0.0), t.weight)
        return out

    def groups(self) -> list[list[dict[str, float]]]:
        """The question's weighted terms as AND-groups of OR-alternatives: each alternative maps
        its terms to their weights; a term outside every disjunction is a group of its own."""
        weights = self.weights()
        grouped: set[str] = set()
        out: list[list[dict[str, float]]] = []
        for t in self.terms:
            if t.variants and t.key in weights:
                out.append([{k: weights[t.key]} for k in (t.key, *t.variants)])
                grouped.add(t.key)
        for t in self.terms:
            parts = {k: weights[k] for k in t.parts if k in weights}
            if parts and t.key in weights:
                out.append([{t.key: weights[t.key]}, parts])
                grouped.update((t.key, *parts))
        for group in self.alternatives:
            alts = [{k: weights[k] for k in alt if k in weights} for alt in group]
            alts = [a for a in alts if a]
            if alts:
                out.append(alts)
                grouped.update(k for a in alts for k in a)
        out.extend([{k: w}] for k, w in weights.items() if k not in grouped)
        return out

    def dense_query(self) -> str:
        """The question as the embedder should read it: typos replaced by what they meant."""
        text = self.question
        for t in self.terms:
            if t.corrected_from:
                text = text.replace(t.corrected_from, t.key)
        return text

    def with_context(self, context_ids: Sequence[str], followup: bool) -> QueryPlan:
        return replace(self, context_ids=tuple(context_ids), followup=followup)


def _everyday_in(word: str, lang: str) -> bool:
    """Whether every part of ``word`` ("est-ce") is an everyday word of ``lang``."""
    parts = [p for p in re.split(r"[-.'’:]", word) if p]
    if lang == "other":
        return any(not language.is_latin(p) for p in parts)
    return bool(parts) and all(language.zipf(p, lang) >= language.ZIPF_RARE for p in parts)


# A word belongs to another language when it is this much more frequent there (Zipf: ten times).
FOREIGN_MARGIN = 1.0
FOREIGN_CAP = 3.0  # one word's say, at most (a word absent from a list has Zipf 0)


def _written_somewhere(word: Word, key: str, collection: Collection) -> bool:
    """Whether a rare word the collection has by its stem is one a paper writes: "recommender"
    and "recommend" share a stem, and the one paper that "recommends" an optimizer is not
    about recommender systems. Everyday words and names are taken as found."""
    return (
        word.name_shaped
        # a compound ("video llms", "text-to-speech") is matched by its words
        or not word.surface.isalpha()
        or language.everyday_language(word.folded) is not None
        or collection.writes(word.folded, key)
    )


def _term(word: Word, collection: Collection, aside: bool = False) -> Term:
    key, idf, corrected, respelled = word.key, 0.0, None, False
    variants: tuple[str, ...] = ()
    parts = [p for p in compound_parts(word.folded) if is_term(p)]
    specific = [p for p in parts if language.everyday_language(p) is None]
    info = (
        max(language.informativeness(p) for p in parts)
        if parts
        else language.informativeness(word.folded)
    )
    present = collection.has(key) and _written_somewhere(word, key, collection)
    declined = word.folded.endswith("s") and stem(word.folded) == word.folded
    single = stem(word.folded[:-1]) if declined else key
    if single != key and collection.idf(single) < (collection.idf(key) if present else 1e9):
        # an acronym's plural typed in lower case ("llms", "gpus"): the stemmer keeps its
        # "s", and the papers mostly write the singular ("LLMs" is indexed as "llm")
        key, present = single, True
    if not present and language.everyday_language(word.folded) == "en":
        # "fastest", "biggest", "larger": the collection has the plain adjective (a
        # "recommender" is no comparative of "recommend")
        base = next((b for b in _adjective_bases(word.folded) if collection.has(stem(b))), None)
        if base is not None:
            key, present = stem(base), True
    if not present and parts:
        # "Qwen-family", "LoRA-style": the collection knows the name, not the compound
        keys = [stem(p) for p in (specific or parts)]
        if all(collection.has(k) for k in keys):
            present = True
            if specific:
                key = max(keys, key=collection.idf)
            idf = max(collection.idf(k) for k in keys)
    if not present:
        # a name the collection only has in versions of it ("Qwen" -> "Qwen2-VL", "Qwen2.5")
        name = stem(max(specific, key=len)) if specific else "" if parts else key
        if len(name) >= 3 and language.everyday_language(name) is None:
            variants = tuple(collection.family(name))
            if variants:
                key, present = name, True
                idf = max(collection.idf(v) for v in variants)
    if any(ch.isdigit() for ch in key) and any(ch.isalpha() for ch in key):
        # a versioned name is written many ways: "llama-2", "LLaMA2", "Llama-v2", "LLaMA2-7B"
        spelled = tuple(v for v in collection.versions(key) if v != key and v not in variants)
        if spelled:
            variants += spelled
            if not present:
                present, idf = True, max(collection.idf(v) for v in spelled)
    if not present and word.folded.isalpha():
        # "optimisation" typed, "optimization" written
        american = stem(language.american_spelling(word.folded))
        if american != key and collection.has(american):
            corrected, key, present, respelled = word.surface, american, True, True
    if not present and language.could_be_typo(word.folded):
        fix = collection.correct(word.folded)
        # (its own stem is no correction: "recommender" is not the "recommend" papers write)
        if fix is not None and fix != word.key:
            corrected, key, present, respelled = word.surface, fix, True, True
            info = language.informativeness(fix)
    if not present and not parts:
        # a clipped word ("params", "quant"): the collection's word it begins
        whole = collection.complete(key)
        if whole is not None:
            corrected, key, present = word.surface, whole, True
    return Term(
        surface=word.surface,
        key=key,
        idf=(idf or collection.idf(key)) if present else collection.max_idf,
        # words in parentheses, and adverbs of manner, qualify the question: they count half
        informativeness=info * (ASIDE if aside or language.manner_adverb(word.folded) else 1.0),
        in_collection=present,
        name=word.name_shaped or bool(collection.titled_as(word.folded)),
        language=language.everyday_language(word.folded),
        corrected_from=corrected,
        respelled=respelled,
        variants=variants,
    )


def _adjective_bases(word: str) -> list[str]:
    """What a comparative or superlative is made from: "fastest" -> "fast", "biggest" -> "big",
    "largest" -> "large", "easier" -> "easy"."""
    for ending in ("est", "er"):
        stem_ = word[: -len(ending)]
        if word.endswith(ending) and len(stem_) >= 3 and stem_.isalpha():
            bases = [stem_, stem_ + "e"]
            if stem_[-1] == stem_[-2]:
                bases.append(stem_[:-1])
            if stem_.endswith("i"):
                bases.append(stem_[:-1] + "y")
            return bases
    return []


def _parts_of(compound: Term, word_of: dict[str, Word]) -> tuple[str, ...]:
    """The terms of the words a compound typed apart is made of."""
    whole = word_of[compound.key]
    return tuple(
        key
        for key, w in word_of.items()
        if w is not whole and whole.start <= w.start and w.end <= whole.end
    )


# "once for all" typed for "Once-for-All", "chain of thought" for "chain-of-thought".
COMPOUND_WORDS = 5


def _with_spaced_compounds(text: str, words: list[Word], collection: Collection) -> list[Word]:
    """The question's words plus, before its first word, any run of them the collection only
    knows hyphenated ("once for all" -> "once-for-all"). The run's function words would
    otherwise drop out and take the name with them."""
    out: list[Word] = []
    i = 0
    while i < len(words):
        for n in range(min(COMPOUND_WORDS, len(words) - i), 1, -1):
            run = words[i : i + n]
            gaps = (text[a.end : b.start] for a, b in pairwise(run))
            if any(g not in (" ", "-") for g in gaps):
                continue
            # "once for all" -> "once-for-all" (its function words would drop out); two words
            # the collection writes as one: "flash attention" -> "FlashAttention"
            forms = ["-".join(w.folded for w in run)] if any(w.stop for w in run) else []
            if n == 2 and not any(w.stop for w in run):
                forms.append("".join(w.folded for w in run))
            found = next((f for f in forms if collection.has(term_key(f))), None)
            if found is not None:
                start, end = run[0].start, run[-1].end
                out.append(
                    replace(
                        run[0],
                        surface=text[start:end],
                        folded=found,
                        key=term_key(found),
                        end=end,
                        stop=False,
                    )
                )
                break
        out.append(words[i])
        i += 1
    return out


def question_language(
    words: Sequence[Word], english_use: Callable[[str], float] = lambda w: 0.0
) -> str:
    """English unless the question's words are, taken together, likelier in one other
    language: the sum of their log-frequency differences (Zipf, each capped) favours it, and at
    least one word is far more frequent there ("was ist LoRA", "qu'est-ce que ZipAR"; not "moe
    papers"). English word lists hold many foreign function words, so "English first" per word
    would read "ist" and "que" as English. ``english_use`` is how often (Zipf) the collection's
    English abstracts use a word: "lora papers" is English here, though "lora" is Spanish."""
    alpha = [
        part
        for w in words
        if not w.name_shaped
        for part in re.split(r"[-.'’:]", w.surface.casefold())  # as typed: "papers", "qué"
        if part.isalpha() and len(part) > 1  # a letter ("n:m") is no word of any language
    ]
    if not alpha:
        return "en"
    if sum(not language.is_latin(w) for w in alpha) * 2 >= len(alpha):
        return "other"

    # (English by its large list: "optimisation" is rarer than the small list goes, and is
    # English all the same)
    english = {w: language.zipf_english_large(w) for w in alpha}

    def leaning(lang: str) -> tuple[float, int]:
        gaps = []
        for w in alpha:
            gap = language.zipf(w, lang) - english[w]
            if gap > 0:  # likelier there: unless these abstracts use it ("lora")
                english[w] = max(english[w], english_use(w))
                gap = language.zipf(w, lang) - english[w]
            gaps.append(gap)
        capped = sum(max(-FOREIGN_CAP, min(FOREIGN_CAP, g)) for g in gaps)
        return capped, sum(g >= FOREIGN_MARGIN for g in gaps)

    scores = {lang: leaning(lang) for lang in language.OTHER_LANGUAGES}
    lang = max(scores, key=lambda lang: scores[lang])
    total, far = scores[lang]
    return lang if total > 0 and far else "en"


def make_plan(question: str, collection: Collection, *, listing: bool = False) -> QueryPlan:
    """Read ``question`` against the collection; ``listing``: as a question for a list of
    papers, whatever its wording."""
    text = repair_grammar_words(" ".join(question.split()))
    words = _with_spaced_compounds(text, read_words(text), collection)
    lang = question_language(words, collection.usage_zipf)
    grammar = grammar_spans(text)
    asides = [m.span() for m in _PARENS.finditer(text)]
    spans = clause_spans(text)
    clause_keys: list[set[str]] = [set() for _ in spans]
    terms: list[Term] = []
    word_of: dict[str, Word] = {}
    seen: set[str] = set()
    for position, w in enumerate(words):  # (words.index(w) made a long question quadratic)
        if not w.content or any(a <= w.start and w.end <= b for a, b in grammar):
            continue
        term = replace(
            _term(w, collection, aside=any(a <= w.start and w.end <= b for a, b in asides)),
            position=position,
        )
        if lang != "en" and not term.name and _everyday_in(w.folded, lang):
            continue  # an everyday word of the question's own language ("ist"): not a topic
        for i, (a, b) in enumerate(spans):
            if a <= w.start < b:
                clause_keys[i].add(term.key)
        if term.key in seen:
            continue
        seen.add(term.key)
        terms.append(term)
        word_of[term.key] = w
    terms = [replace(t, parts=_parts_of(t, word_of)) if " " in t.surface else t for t in terms]
    # "best fit packing" is the collection's "Best-fit Packing": its "fit" typed in lower case
    # is a word of it, not the title name FIT
    compounded = {w.casefold() for t in terms if " " in t.surface for w in t.surface.split()}
    terms = [
        replace(t, name=False)
        if t.name and t.surface.casefold() in compounded and not word_of[t.key].name_shaped
        else t
        for t in terms
    ]
    if lang == "en":
        intent = (
            Intent.COMPARE
            if is_comparison(text)
            else Intent.LIST
            if listing or wants_list(text)
            else Intent.DEFINITION
            if is_definition(text)
            else Intent.FACT
        )
    else:
        # "¿cuántos documentos tiene mOSCAR?" asks a number; anything else, what the paper is
        intent = Intent.FACT if wants_quantity(text) else Intent.DEFINITION
    # an acronym typed in lower case is looked up (in a few abstracts) where it decides the
    # answer: which papers a list holds, which paper says what a thing is
    spelled = intent in (Intent.LIST, Intent.DEFINITION)
    terms = [replace(t, acronym=True) if _is_acronym(t, collection, spelled) else t for t in terms]
    if intent is Intent.LIST and len(spans) > 1:
        deciding = set().union(
            *(
                k
                for i, (k, (a, b)) in enumerate(zip(clause_keys, spans))
                if i == 0 or not asks_of_each(text[a:b])
            )
        )
        terms = [replace(t, of_each=t.key not in deciding) for t in terms]
    key_of = {t.surface: t.key for t in terms}
    groups = tuple(
        tuple(
            tuple(key_of[w.surface] for w in read_words(alt) if w.surface in key_of)
            for alt in group
        )
        for group in alternatives(text)
    )
    # "what's the speedup of X?": the thing asked for is one the collection states in numbers
    focus = tuple(asked_for(text)) if lang == "en" else ()
    bare = is_bare_topic(text)  # a phrase with no question in it: a search
    if lang == "en" and bare and not wants_list(text) and any(t.name for t in terms):
        # "efficienttrain speedup", "mint-1t size": typed as a search, the words beside the
        # name are what is asked for
        focus += tuple(t.surface for t in terms if not t.name and t.surface not in focus)
    by_surface = {t.surface: t for t in terms}

    def amount(clause: str) -> bool:
        if wants_quantity(clause):
            return True
        asked = [by_surface.get(f) for f in focus if f in clause]
        return any(
            t is not None
            and not t.name  # a measure, not a name ("what is LQ-LoRA")
            and t.in_collection
            and collection.states_amounts(t.key)
            for t in asked
        )

    parts = [text[a:b] for a, b in spans]
    amounts = [amount(part) for part in parts]
    plan = QueryPlan(
        question=text,
        alternatives=groups,
        targets=tuple(compare_targets(text)) if intent is Intent.COMPARE else (),
        metadata=tuple(
            name for name, asks in (("authors", asks_authors), ("date", asks_date)) if asks(text)
        ),
        clauses=tuple(
            Clause(
                frozenset(k),
                quantity,
                asks_name(part),
                asks_entity(part) and not quantity,
                asks_method(part),
            )
            for k, part, quantity in zip(clause_keys, parts, amounts)
            if k or quantity or asks_name(part)
        ),
        intent=intent,
        terms=tuple(terms),
        wants_quantity=amount(text)
        or compares_amounts(text)
        or (chooses_among(text) and asks_superlative(text)),
        language=lang,
        references=_references(text, collection),
        refers_back=refers_back(text),
        each=refers_to_all(text),
        others=intent is Intent.LIST and asks_for_others(text),
        whether=lang == "en" and asks_whether(text),
        relative=lang == "en" and asks_relative(text),
        duration=lang == "en" and asks_duration(text),
        code=asks_code(text),
        among=chooses_among(text),
        similar=asks_similar(text),
        extreme=next(
            ((i, *e) for i, w in enumerate(words) if (e := extreme_word(w.folded))[0]), None
        ),
        which_paper=asks_for_paper(text),
        definite=tuple(
            t.key
            for w in definite_words(text)
            for t in terms
            if t.surface == w and t.in_collection and t.weight > 0
        ),
        motivation=lang == "en" and asks_motivation(text),
        findings=lang == "en" and asks_findings(text),
        claim=lang == "en" and asks_claim(text),
        gist=lang == "en" and asks_gist(text),
        focus=focus,
        count=requested_count(text) if intent is Intent.LIST else None,
        many=(
            lang == "en"
            and intent in (Intent.FACT, Intent.DEFINITION)
            and (asks_many(text) or bare)
            and not refers_back(text)
            and not chooses_among(text)
        ),
        small_talk=small_talk(text),
    )
    return plan


def _is_acronym(term: Term, collection: Collection, lower_case: bool = True) -> bool:
    surface = term.surface
    if not surface.isalpha():
        return False
    if surface.rstrip("s").isupper():
        return True
    if not lower_case:
        return False
    # "rl", "peft", "LoRA": rare as an English word, and spelled out by some paper here
    return (
        MIN_ACRONYM <= len(surface) <= MAX_ACRONYM
        and language.zipf(surface.casefold()) < ACRONYM_ZIPF
        and term.in_collection
        and bool(collection.expansions(surface))
    )


def _references(text: str, collection: Collection) -> tuple[Reference, ...]:
    strict = title_references(text)
    quoted = set(quoted_phrases(text))
    soft = [n for n in capitalized_names(text) if not any(n in r or r in n for r in strict)]
    # a title's name of several words typed in lower case ("what does no train no gain find?")
    for head in collection.heads_in(text):
        if not any(head in fold(r) or fold(r) in head for r in [*strict, *soft]):
            soft.append(head)
    near = similar_to(text)  # "related work for cut your losses": a paper, if it names one
    if near and not any(near in r or r in near for r in [*strict, *soft]):
        soft.append(near)
    return tuple(
        [Reference(r, quoted=r in quoted) for r in strict]
        + [Reference(n, strict=False) for n in soft]
    )


def missing_words(plan: QueryPlan, embed: Embed) -> list[str]:
    """Words no paper contains that matter to the question's meaning.

    Salience is leave-one-out: how far the question's embedding moves when the word is taken
    out, relative to the word that moves it most. "please" or "my thesis" barely move it;
    "quantum" in "a quantum machine learning algorithm" moves it most.
    """
    import numpy as np

    absent = [t for t in plan.terms if not t.in_collection]
    if not absent:
        return []
    # each probe embeds the whole question again: a long question with many unknown words
    # probes only its rarest ones (a question with that many is far from the collection anyway)
    rarest = sorted(absent, key=lambda t: (-t.informativeness, t.position))[:MISSING_PROBE]
    absent = sorted(rarest, key=lambda t: t.position)
    # the absent words, and the most informative present words as the yardstick
    present = sorted((t for t in plan.terms if t.in_collection), key=lambda t: -t.informativeness)[
        :4
    ]
    probe = absent + present
    variants = [_without(plan.question, t.surface) for t in probe]
    vectors = np.asarray(embed([plan.question, *variants]), dtype=np.float32)
    vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9, None)
    salience = 1.0 - vectors[1:] @ vectors[0]
    top = float(salience.max())
    if top <= 1e-6:
        return []
    return [
        t.surface for t, s in zip(absent, salience[: len(absent)]) if s / top >= MISSING_SALIENCE
    ]


def _without(text: str, surface: str) -> str:
    return " ".join(re.sub(rf"(?<!\w){re.escape(surface)}(?!\w)", " ", text).split())


__all__ = ["Intent", "QueryPlan", "Reference", "Term", "make_plan", "term_key"]
