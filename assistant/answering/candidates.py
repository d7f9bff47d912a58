"""Candidates: the papers a question could be answered from, gathered the ways its plan asks.

Hybrid retrieval (dense + keyword, the keyword side weighted by the plan) finds papers by
topic; papers the question names (a title, a nickname, a name such as "GPTVQ") are looked up
directly; a list question naming an entity ("which papers use A100 GPUs?") scans every
paper containing it, not only the top of a ranking; a follow-up brings the previous answer's
papers. Each candidate carries what selection needs: how much of the question it covers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from assistant.answering import language
from assistant.answering.collection import IDENTIFYING, Collection
from assistant.answering.plan import MAX_ACRONYM, MIN_ACRONYM, QueryPlan, Term
from assistant.answering.reading import Intent, asks_for_original
from assistant.answering.scoring import Coverage
from assistant.answering.units import NAMING_VERB, NOT_INTRODUCED, Unit, token_keys, written_in
from assistant.answering.words import Word, read_words, word_keys
from vectorstore.filters import Filters
from vectorstore.lexical import LexicalIndex
from vectorstore.retrieval import RetrievedPaper
from vectorstore.text import compound_parts, fold, stem

# A list question naming an entity reads every paper that contains it, up to this many.
MAX_SCANNED = 200
# A list is by entity when its names and rare words carry at least this share of its weight.
ANCHOR_SHARE = 0.5
PHRASE_SLOP = 3  # words allowed between the words of a named phrase ("SVD-free ... optimizer")
MAX_PHRASE_CHECKS = 50  # abstracts read to find a phrase, at most (those with all its words)
# A name in at most this many abstracts is looked for where one of them introduces it; a name
# more papers use (GPT-4) is everyone's, whoever made it.
MAX_INTRO_CHECKS = 10
MAX_ACRONYM_READINGS = 20  # title phrases tried for an acronym in a title reference


class Retriever(Protocol):
    """What answering needs of retrieval (``vectorstore.retrieval.HybridRetriever``)."""

    def retrieve(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        *,
        weights: dict[str, float] | None = None,
    ) -> list[RetrievedPaper]: ...

    def fetch(
        self, paper_ids: list[str], query: str, filters: Filters | None = None
    ) -> list[RetrievedPaper]: ...

    def latest_lexical_index(self) -> LexicalIndex: ...

    def similarity_background(self, query: str) -> tuple[float, float]: ...

    def lexical_index(self, generation: int | None = None) -> LexicalIndex: ...

    def filter_index(self, generation: int | None = None) -> Any: ...


@dataclass
class Candidate:
    paper: RetrievedPaper
    units: list[Unit]  # title and sentences
    terms: frozenset[str]  # every term of the title and abstract
    coverage: float = 0.0  # share of the question's weight the whole text contains
    focus: float = 0.0  # ... that its best single sentence (or its title) contains
    titled: float = 0.0  # ... that its title contains (what the paper is about)
    named: bool = False  # the question names this paper (title, nickname, name)
    context: bool = False  # the previous answer cited it

    @property
    def paper_id(self) -> str:
        return self.paper.paper_id

    @property
    def similarity(self) -> float:
        return self.paper.dense_similarity or 0.0


@dataclass
class Resolved:
    """A phrase of the question that names a paper, and the paper it names (None: absent)."""

    text: str
    paper_ids: tuple[str, ...]
    original: bool = False
    strict: bool = True  # unresolved, it means the paper is not in the collection
    titled: bool = False  # found in titles (not only in abstracts)

    @property
    def identifies(self) -> bool:
        """Names one paper (or two): not a phrase half the collection uses."""
        return 0 < len(self.paper_ids) <= IDENTIFYING


@dataclass
class Pool:
    candidates: list[Candidate] = field(default_factory=list)
    references: list[Resolved] = field(default_factory=list)
    targets: list[Resolved] = field(default_factory=list)  # what a comparison names
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # identifying name -> papers
    anchors: list[Term] = field(default_factory=list)  # terms every listed paper must contain
    # an anchor acronym -> the papers that write out what it stands for ("reinforcement learning")
    spelled_out: dict[str, set[str]] = field(default_factory=dict)
    # "what is LoRA?" when no paper is LoRA: the papers that spell it out ("low-rank adaptation
    # (LoRA)")
    defining: set[str] = field(default_factory=set)
    # list questions: every paper's keyword coverage, and what coverage and similarity are
    # typical in this collection for this question (mean, standard deviation)
    lexical: dict[str, float] = field(default_factory=dict)
    lexical_background: tuple[float, float] = (0.0, 1.0)
    similarity_background: tuple[float, float] = (0.0, 1.0)
    # "related work for X", "more like these": how much more similar each paper is to each
    # seed paper than typical chunks are (standard scores, one per seed)
    nearness: dict[str, list[float]] = field(default_factory=dict)

    def by_id(self) -> dict[str, Candidate]:
        return {c.paper_id: c for c in self.candidates}


def _compared_papers(targets: list[Resolved], collection: Collection) -> list[Resolved]:
    """The comparison's targets that are papers: "is SwitchLoRA better than full-rank
    training?" sets a paper against a baseline its own abstract discusses, which happens to be
    words of another paper's title (Fira's "Full-rank Training"); a phrase written like a name
    ("GaLore", "LQ-LoRA") stays whoever mentions it."""

    def prose(r: Resolved) -> bool:
        # words of everyday English ("full-rank training"), not a name typed in lower case
        # ("megatron") nor a word pointing back ("it")
        words = [w for w in read_words(r.text) if w.content]
        return bool(words) and all(
            not any(ch.isupper() or ch.isdigit() for ch in w.surface)
            and all(language.everyday_english(p) for p in re.split(r"[-–]", w.surface) if p)
            for w in words
        )

    phrases = [r for r in targets if prose(r)]
    if not phrases:
        return targets
    # every compared paper's text, read from the store once
    texts = collection.papers_sentences(
        list(dict.fromkeys(i for o in targets if o.identifies for i in o.paper_ids))
    )

    def discussed_by_another(r: Resolved) -> bool:
        return any(
            all(any(written_in(r.text, s) for s in texts.get(i, ())) for i in o.paper_ids)
            for o in targets
            if o is not r and o.identifies
        )

    return [r for r in targets if r not in phrases or not discussed_by_another(r)]


def gather(
    plan: QueryPlan,
    retriever: Retriever,
    collection: Collection,
    *,
    k: int,
    filters: Filters | None = None,
    context_ids: Sequence[str] = (),
) -> Pool:
    """The candidate papers for ``plan``: named ones first, then the previous answer's, then by
    retrieval rank, then (lists naming an entity) every other paper that contains it."""
    weights = plan.weights()
    score = Coverage.for_plan(plan)
    query = plan.dense_query()
    pool = Pool()
    pool.references = [
        resolve_reference(
            r.text, plan.question, collection, strict=r.strict, introduced=r.strict and not r.quoted
        )
        for r in plan.references
    ]
    if plan.intent is Intent.COMPARE:
        pool.targets = [
            resolve_reference(t, plan.question, collection, strict=False, introduced=True)
            for t in plan.targets
        ]
        pool.targets = _compared_papers(pool.targets, collection)
    named: list[str] = []  # papers the question names: they lead, whatever they match
    vague: list[str] = []  # ... or that a vague title phrase may mean ("the transformer paper")
    for ref in [*pool.references, *pool.targets]:
        if ref.identifies:
            named.extend(p for p in ref.paper_ids if p not in named)
        elif ref.strict and ref.titled:
            vague.extend(ref.paper_ids[:MAX_SCANNED])
    for t in plan.names:
        if t.in_collection:
            ids, titled = name_papers(t, collection)
            if titled or len(ids) <= IDENTIFYING:
                pool.names[t.surface] = ids  # a comparison may name papers in their abstracts
            if not titled and len(ids) <= MAX_INTRO_CHECKS and plan.intent is not Intent.LIST:
                # "what datasets does mmc4 use?": the paper that introduces the name ("We
                # release Multimodal C4 (mmc4)"), not one that compares itself with it
                texts = collection.papers_sentences(ids)
                ids = tuple(
                    p for p in ids if any(_introduces_name(s, t.surface) for s in texts.get(p, ()))
                )
                titled = len(ids) == 1
            if titled:
                named.extend(p for p in ids if p not in named)
    if plan.intent is Intent.DEFINITION and not named:
        for t in plan.terms:
            if t.acronym and t.in_collection and not collection.titled_as(fold(t.surface)):
                pool.defining |= collection.definers(t.surface)
    scanned: list[str] = []
    if plan.intent is Intent.LIST:
        pool.anchors = anchors(plan, collection)
        if pool.anchors:
            having = None
            for term in pool.anchors:
                found = collection.contains(term.key)
                for variant in term.variants:
                    found |= collection.contains(variant)
                spelled = _spelled_out(term, collection)
                if spelled:
                    # "which papers use RL?": also those that write "reinforcement learning"
                    pool.spelled_out[term.key] = spelled
                    found = found.copy()
                    found[[collection.paper_position[p] for p in spelled]] = True
                having = found if having is None else having & found
            every = collection.paper_index[0]
            scanned = (
                [every[i] for i in having.nonzero()[0][:MAX_SCANNED]] if having is not None else []
            )
    # a word of the question only a paper or two have ("173", "OBELICS-HQ") points at them,
    # however far down the fused ranking meaning puts them (an embedder reads no numbers)
    paper_ids = collection.paper_index[0]
    pointed = [
        paper_ids[i]
        for t in plan.terms
        if t.weight > 0 and collection.paper_frequency(t.key) <= IDENTIFYING
        for i in collection.contains(t.key).nonzero()[0]
    ]
    wide = plan.intent in (Intent.LIST, Intent.COMPARE)
    retrieved = retriever.retrieve(query, 4 * k if wide else k, filters, weights=weights or None)
    seen = {r.paper_id for r in retrieved}
    # the papers a name points to are candidates too, though they do not lead
    mentioned = [p for ids in pool.names.values() for p in ids]
    extra = [
        p
        for p in dict.fromkeys(
            [*named, *context_ids, *mentioned, *scanned, *pool.defining, *pointed, *vague]
        )
        if p not in seen
    ]
    fetched = {r.paper_id: r for r in retriever.fetch(extra, query, filters)}
    by_id = {r.paper_id: r for r in retrieved} | fetched
    if plan.intent is Intent.LIST or context_ids:
        lexical = collection.coverage_of_all(plan.groups())
        pool.lexical = dict(zip(collection.paper_index[0], lexical.tolist()))
        pool.lexical_background = (float(lexical.mean()), float(lexical.std()) or 1.0)
        pool.similarity_background = retriever.similarity_background(query)
    order = list(
        dict.fromkeys(
            [
                *named,
                *context_ids,
                *(r.paper_id for r in retrieved),
                *mentioned,
                *scanned,
                *pool.defining,
                *pointed,
                *vague,
            ]
        )
    )
    for pid in order:
        paper = by_id.get(pid)
        if paper is not None:
            pool.candidates.append(
                candidate(paper, collection, score, named=pid in named, context=pid in context_ids)
            )
    return pool


def neighbours(
    seeds: Sequence[Candidate],
    plan: QueryPlan,
    retriever: Retriever,
    collection: Collection,
    *,
    k: int,
    filters: Filters | None = None,
) -> Pool:
    """The papers nearest one paper ("related work for X") or each of several ("more like
    these"): retrieved with each paper's title and abstract as the query, with how much more
    similar each is to it than typical chunks of this collection are (``Pool.nearness``).
    ``plan`` (the seeds' topic) scores their words, which choose the line each is listed with."""
    score = Coverage.for_plan(plan)
    pool = Pool()
    own = {s.paper_id for s in seeds}
    found: dict[str, Candidate] = {}
    for i, seed in enumerate(seeds):
        text = f"{seed.paper.title}\n{seed.paper.paper.abstract}"
        mean, sd = retriever.similarity_background(text)
        for paper in retriever.retrieve(text, 2 * k, filters):
            # near in meaning: a paper only the keyword side found is not
            if paper.paper_id in own or paper.dense_similarity is None:
                continue
            if paper.paper_id not in found:
                found[paper.paper_id] = candidate(paper, collection, score)
                pool.nearness[paper.paper_id] = [float("-inf")] * len(seeds)
            pool.nearness[paper.paper_id][i] = (paper.dense_similarity - mean) / sd
    pool.candidates = list(found.values())
    return pool


def candidate(
    paper: RetrievedPaper,
    collection: Collection,
    score: Coverage,
    *,
    named: bool = False,
    context: bool = False,
) -> Candidate:
    units = collection.units(paper)
    text_terms = frozenset().union(*(u.terms for u in units))
    return Candidate(
        paper=paper,
        units=units,
        terms=text_terms,
        coverage=score.of(text_terms),
        focus=max(score.of(u.terms) for u in units),
        titled=max((score.of(u.terms) for u in units if u.is_title), default=0.0),
        named=named,
        context=context,
    )


def _spelled_out(term: Term, collection: Collection) -> set[str]:
    """The papers that write out what an acronym of the question stands for, as some paper
    here defines it ("RL": "reinforcement learning")."""
    surface = term.surface
    letters = surface[:-1] if surface.endswith("s") and surface[:-1].isupper() else surface
    if not (term.acronym and MIN_ACRONYM <= len(letters) <= MAX_ACRONYM):
        return set()
    found: set[str] = set()
    for keys in collection.expansions(surface):
        content = [k for k in keys if collection.has(k)]
        if not content:
            continue
        having = collection.contains(content[0])
        for k in content[1:]:
            having = having & collection.contains(k)
        every = collection.paper_index[0]
        texts = collection.papers_sentences(
            [every[i] for i in having.nonzero()[0][:MAX_PHRASE_CHECKS]]
        )
        found.update(p for p, text in texts.items() if _in_order(list(keys), _words_apart(text)))
    return found


def _words_apart(sentences: list[str]) -> list[str]:
    """A text's word keys with hyphenated compounds as separate words ("Parameter-Efficient
    Fine-Tuning"), as an acronym's letters count them."""
    return word_keys(re.sub(r"(?<=\w)-(?=\w)", " ", "\n".join(sentences)))


def anchors(plan: QueryPlan, collection: Collection) -> list[Term]:
    """What a list question requires every listed paper to contain: what it names ("CLIP",
    "OPT", "Qwen" and its versions) or a word no everyday language has that only a paper or two
    contain ("Mistral"), when that carries most of the question's weight ("which papers
    mention CLIP (as a model, features …)?"). Otherwise the list is by topic."""
    found = [
        t
        for t in plan.terms
        if t.in_collection
        # "video llms" may be written "video LLMs" as well as "VideoLLM"; "llama 2" is a name
        and (not t.parts or (bool(t.variants) and any(p.isdigit() for p in t.parts)))
        and (
            t.name
            or t.variants
            or (t.language is None and collection.paper_frequency(t.key) <= IDENTIFYING)
            or t.acronym  # "rl" for "Reinforcement Learning (RL)"
        )
    ]
    if not found:
        return []
    # a name written in several words ("NVIDIA A100") needs only its most specific word: an
    # identifier with digits, else the rarest
    runs: list[list[Term]] = []
    for t in sorted(found, key=lambda t: t.position):
        if runs and t.position == runs[-1][-1].position + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    found = [max(run, key=lambda t: (any(c.isdigit() for c in t.key), t.idf)) for run in runs]
    weight = {t.key: t.weight for run in runs for t in run}
    total = anchored = 0.0
    for group in plan.groups():
        total += max(sum(alt.values()) for alt in group)
        anchored += max(sum(w for k, w in alt.items() if k in weight) for alt in group)
    return found if total > 0 and anchored / total >= ANCHOR_SHARE else []


def name_papers(term: Term, collection: Collection) -> tuple[tuple[str, ...], bool]:
    """The papers a name points to, and whether a title gives it that name: the paper whose
    title is named so, else every paper whose text contains it (best match first)."""
    titled = collection.titled_as(fold(term.surface))
    if titled:
        return tuple(sorted(titled)), True
    found = collection.papers_with(term.key)
    return tuple(sorted(found, key=lambda p: -found[p])), False


def resolve_reference(
    text: str,
    question: str,
    collection: Collection,
    *,
    strict: bool = True,
    introduced: bool = False,
    expand: bool = True,
) -> Resolved:
    """The paper a title fragment or nickname names: one whose title has its words in order
    (a few words apart at most), else one whose abstract does, in a sentence that introduces it
    when ``introduced`` ("we propose Best-fit Packing": "the best-fit packing paper"; a paper
    that only uses BERT is not "the BERT paper"). "The original X paper" must be named X by its
    title."""
    original = strict and asks_for_original(question) and text.lower() in question.lower()
    words = read_words(text)
    if not any(w.content for w in words):
        return Resolved(text, (), original, strict)
    keys: list[str] = []
    for w in words:
        key = w.folded if w.stop else w.key
        if not w.stop and not collection.has(key) and not _known_compound(key, collection):
            fixed = collection.correct(w.folded) if language.could_be_typo(w.folded) else None
            if fixed is None:
                # an acronym of title words: "the simultaneous mt paper"
                spelled = _spelled_out_title(text, w, question, collection, strict, introduced)
                # (else a word the collection lacks)
                return spelled or Resolved(text, (), original, strict)
            key = fixed
        keys.append(key)
    if original:
        name = fold(" ".join(w.surface for w in words))
        titled = collection.title_names.get(name, set())
        return Resolved(text, tuple(sorted(titled)), original, strict, titled=True)
    content = [k for k, w in zip(keys, words) if w.content]
    titled = set.intersection(*(collection.titles_with(k) for k in content))
    in_titles = sorted(pid for pid in titled if _in_order(keys, collection.title_word_keys[pid]))
    if in_titles:
        return Resolved(text, tuple(in_titles), original, strict, titled=True)
    if len(titled) == 1 and len(content) >= 2:
        # the one title with all its words, in another order ("the 4-bit transformer paper")
        return Resolved(text, tuple(titled), original, strict, titled=True)
    if len(content) >= 2 and expand:
        # "the acoustic consistency speech lm paper": an abbreviation the abstracts use too
        # ("LM") may stand for title words ("Language Models")
        for w in words:
            spelled = (
                None
                if w.stop
                else _spelled_out_title(text, w, question, collection, strict, expand=False)
            )
            if spelled is not None:
                return spelled
    if len(content) >= 3:
        # "the mllm data quality classifier paper": the one title with all its words but one,
        # whose abstract has that one
        fits = set()
        for left_out in content:
            rest = [k for k in content if k != left_out]
            ids = set.intersection(*(collection.titles_with(k) for k in rest))
            if len(ids) == 1 and collection.has(left_out):
                fits |= ids & set(collection.papers_with(left_out))
        if len(fits) == 1:
            return Resolved(text, tuple(fits), original, strict, titled=True)
    papers: set[str] | None = None
    for key in content:
        have = set(collection.papers_with(key)) if collection.has(key) else set()
        papers = have if papers is None else papers & have
    checked = sorted(papers or ())[:MAX_PHRASE_CHECKS]
    sequences = collection.papers_word_keys(checked)  # one read for all of them
    found = [pid for pid in checked if _in_order(keys, sequences[pid])]
    if introduced and found:
        texts = collection.papers_sentences(found)  # one read for all of them
        found = [pid for pid in found if _introduces(keys, texts.get(pid, []))]
    if IDENTIFYING < len(found) <= MAX_INTRO_CHECKS:
        # several abstracts use the name ("mmc4"): the one that introduces it is the paper
        texts = collection.papers_sentences(found)
        own = [pid for pid in found if any(_introduces_name(s, text) for s in texts.get(pid, ()))]
        found = own if len(own) == 1 else found
    return Resolved(text, tuple(found), original, strict)


def _spelled_out_title(
    text: str,
    word: Word,
    question: str,
    collection: Collection,
    strict: bool,
    introduced: bool = False,
    expand: bool = True,
) -> Resolved | None:
    """The paper ``text`` names when ``word`` is read as the title words it abbreviates, if
    one reading names one by its title (``expand``: that reading may spell out another)."""
    for run in _acronym_runs(word.surface, collection):
        spelled = f"{text[: word.start]}{run}{text[word.end :]}"
        reading = resolve_reference(
            spelled, question, collection, strict=strict, introduced=introduced, expand=expand
        )
        if reading.titled and reading.paper_ids:
            return replace(reading, text=text)
    return None


def _acronym_runs(surface: str, collection: Collection) -> list[str]:
    """What a short word no paper here uses could stand for in the titles (a few readings)."""
    if not (surface.isalnum() and MIN_ACRONYM <= len(surface) <= MAX_ACRONYM):
        return []
    return collection.title_expansions(surface)[:MAX_ACRONYM_READINGS]


_INTRODUCING_VERB = re.compile(
    r"\b(?:propos|introduc|present|call|nam|develop|design|term|dub|releas|build|construct|curat)\w*",
    re.IGNORECASE,
)
_INTRODUCES = re.compile(
    rf"\b(?:we|this\s+(?:paper|work|study))\b[^.;]*{_INTRODUCING_VERB.pattern}", re.IGNORECASE
)


def _introduces_name(sentence: str, name: str) -> bool:
    """Whether the sentence introduces ``name`` as the paper's own: "we introduce MIO", "we
    release Multimodal C4 (mmc4)", "… a method called Fira" (not "we introduce X, which
    tackles multi-view (3D) scenarios")."""
    if not _INTRODUCES.search(sentence):
        return False
    n = re.escape(name)
    return bool(
        re.search(
            rf"{NAMING_VERB}\s+"
            rf"(?:(?:the|a|an|our)\s+)?(?:{n}(?![\w-])|(?:[^\s(),]+\s+){{1,4}}\(\s*{n}\s*\))",
            sentence,
            re.IGNORECASE,
        )
    )


def _introduces(keys: list[str], sentences: list[str]) -> bool:
    """Whether a sentence introduces the phrase ("we propose Best-fit Packing"): it is in what
    the verb introduces, not past it ("we introduce SwitchBack, a layer … which provides … for
    the 1B parameter CLIP ViT-Huge" does not introduce CLIP)."""
    for sentence in sentences:
        subject = _INTRODUCES.search(sentence)
        if subject is None:
            continue
        for m in _INTRODUCING_VERB.finditer(sentence, subject.start()):
            rest = sentence[m.end() :]
            stop = re.search(NOT_INTRODUCED, rest, re.IGNORECASE)
            if _in_order(keys, word_keys(rest[: stop.start()] if stop else rest)):
                return True
    return False


def _known_compound(key: str, collection: Collection) -> bool:
    parts = [p for p in compound_parts(key) if len(p) > 1]
    return bool(parts) and all(collection.has(stem(p)) for p in parts)


def _matches(key: str, token: str) -> bool:
    return key == token or key in token_keys(token)


def _in_order(keys: list[str], sequence: list[str]) -> bool:
    """Whether ``keys`` occur in ``sequence`` in order, each within PHRASE_SLOP words of the last."""
    for start, token in enumerate(sequence):
        if not _matches(keys[0], token):
            continue
        at = start
        for key in keys[1:]:
            window = range(at + 1, min(len(sequence), at + 2 + PHRASE_SLOP))
            nxt = next((j for j in window if _matches(key, sequence[j])), None)
            if nxt is None:
                break
            at = nxt
        else:
            return True
    return False
