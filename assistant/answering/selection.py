"""Selection: which candidate papers to answer from, by what the question asks for.

One paper for a fact or a definition (the one it names, the previous answer's for a
follow-up, else the best match); every paper that clears the bar for a list; one paper per
named target for a comparison; none when the evidence says the collection does not cover the
question (a named paper or salient word it lacks, or nothing that matches enough of it).

The bars are shares of the question's own weight (how much of what was asked a paper's text
contains) and cosine similarities: they mean the same in a collection of a hundred papers or
a hundred thousand, and no bar is relative to the best paper of the moment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from assistant.answering.candidates import Candidate, Pool
from assistant.answering.collection import IDENTIFYING, title_head
from assistant.answering.language import everyday_english
from assistant.answering.plan import QueryPlan
from assistant.answering.reading import Intent, refers_back
from assistant.answering.units import present, written_in

# A paper belongs in a list by topic when its keyword coverage of the question and its
# similarity to it stand out from what is typical in this collection for this question: their
# standard scores (against every paper's coverage, and a sample of the collection's chunks)
# add up to at least this (about two and a quarter standard deviations above typical on each).
LIST_Z = 4.5
# ... and it has at least this share of what the best such paper has of the question's words
# ("mixture of experts": a paper with only "mixture" is not on the list).
SHARE_OF_BEST = 0.5
# ... or it has every word of the question and is this far above typical in meaning
FULL_COVERAGE = 0.999
COMPLETE_Z = 1.0
MAX_LIST = 10  # more papers than this clear the bar: the answer lists the best and says so
# A question of at most this many words is a phrase ("causal inference"): a list of papers
# none of which has all of its words says so ...
PHRASE_WORDS = 3
# ... all of the words that weigh at least this share of its heaviest ("mistral" in "which
# ones test on mistral models?", not "test" or "models")
TOPIC_SHARE = 0.5
TOPIC_WORD = 0.5  # ... and are no everyday words ("give me two papers on pruning")
# A paper is near another ("related work for X") when X's title and abstract are at least this
# many standard deviations more similar to it than to typical chunks of the collection.
NEAR_Z = 2.0
# Weak evidence: less than this share of the question's weight in the best paper's text ...
MIN_COVERAGE = 0.3
# ... and its best chunk less similar than this (MiniLM cosine): the collection lacks the topic.
MIN_SIMILARITY = 0.4
# Salient words the collection lacks sink a question when they carry this share of its weight.
MAX_MISSING_SHARE = 0.3


class Abstain(str, Enum):
    ABSENT = "absent"  # the question names a paper or thing the collection does not hold
    MISSING = "missing"  # a salient word of the question appears in no paper
    WEAK = "weak"  # nothing matches enough of the question
    FILTERED = "filtered"  # no paper passes the filters
    NO_TOPIC = "no topic"  # "thanks!", "hello": nothing is asked


@dataclass
class Selection:
    intent: Intent
    chosen: list[Candidate] = field(default_factory=list)
    abstain: Abstain | None = None
    absent: list[str] = field(default_factory=list)  # names/titles the collection lacks
    more: int = 0  # list answers: further papers that cleared the bar
    followup: bool = False
    targets: list[str] = field(default_factory=list)  # comparison: what each chosen paper answers
    near: str | None = None  # the paper the chosen ones are nearest to ("related work for X")
    among: int = 0  # a list narrowed from the previous answer's: how many that one had
    # a superlative across the collection: the measure ranked by ("GPUs"), +1 most / -1 fewest
    ranked: tuple[str, int] | None = None
    # "the transformer paper" when several titles say "Transformer": the phrase, as typed
    ambiguous: str | None = None
    # a short topic no listed paper has all of ("causal inference": "causal attention" only):
    # its words, as typed
    partial: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [c.paper_id for c in self.chosen]


def relevance(c: Candidate) -> float:
    """How well a candidate answers the question: its text's coverage, its best sentence's,
    its semantic similarity, and (a paper is about what its title says) its title's, for
    ordering."""
    return 0.45 * c.coverage + 0.2 * c.focus + 0.25 * c.similarity + 0.1 * c.titled


def select(
    plan: QueryPlan,
    pool: Pool,
    max_idf: float,
    missing: Callable[[], list[str]] = list,
) -> Selection:
    """Choose the papers to answer from. ``missing`` names the question's salient words no
    paper contains (it costs embeddings, so it is asked only when nothing else decides)."""
    sel = Selection(plan.intent)
    if not pool.candidates:
        sel.abstain = Abstain.WEAK
        return sel
    if plan.small_talk:
        sel.abstain = Abstain.NO_TOPIC
        return sel
    strict_absent = [r.text for r in pool.references if r.strict and not r.paper_ids]
    named = [c for c in pool.candidates if c.named]
    context = [c for c in pool.candidates if c.context]
    own = [c for c in pool.candidates if not c.context or c.named]
    if plan.others:  # "what other VQ papers are there?": not the ones just discussed
        own = [c for c in own if not c.context]
    sel.followup = bool(context) and not plan.others and _continues(plan, pool, own, context)
    candidates = context if sel.followup else own
    if (
        sel.followup
        and len(context) > 1
        and (plan.each or plan.intent is Intent.COMPARE)
        # "what's the difference between LLM-QAT and GPTVQ?" after a list: the two it names
        and len({c.paper_id for c in named}) < 2
    ):
        # "compare them", "how big is each?" after a list: every paper of it, side by side
        sel.chosen = context
        sel.targets = [title_head(c.paper.title) or c.paper.title for c in context]
        return sel
    if plan.intent is Intent.COMPARE and not sel.followup:
        targets = _targets(pool, candidates, context)
        if len(targets) >= 2:
            sel.chosen = [c for _, c in targets]
            sel.targets = [t for t, _ in targets]
            sel.absent = strict_absent
            return sel
    if (
        plan.intent in (Intent.DEFINITION, Intent.FACT)
        and not sel.followup
        and len({c.paper_id for c in named}) >= 2
    ):
        # "what are GPTVQ and GLVQ?", "explain CAST and AST": each named paper, side by side
        targets = _targets(pool, named)
        if len(targets) >= 2:
            sel.chosen = [c for _, c in targets]
            sel.targets = [t for t, _ in targets]
            return sel
    vague = next(
        (r for r in pool.references if r.strict and r.titled and len(r.paper_ids) > IDENTIFYING),
        None,
    )
    if (
        vague is not None
        and not sel.followup
        and not named
        and plan.intent in (Intent.DEFINITION, Intent.FACT)
    ):
        # "summarize the transformer paper", six titles saying "Transformer": which it may be,
        # not one of them picked unsaid
        by_id = pool.by_id()
        options = sorted(
            (by_id[i] for i in vague.paper_ids if i in by_id), key=lambda c: -relevance(c)
        )
        if options:
            sel.intent, sel.ambiguous = Intent.LIST, vague.text
            sel.chosen, sel.more = options[:MAX_LIST], max(0, len(options) - MAX_LIST)
            return sel
    if strict_absent and not sel.followup and not any(r.paper_ids for r in pool.references):
        sel.abstain = Abstain.ABSENT
        sel.absent = strict_absent
        return sel
    absent_words = [t.surface for t in plan.terms if not t.in_collection]
    # which missing words are salient costs embeddings: asked only when they could sink it
    if (
        not sel.followup
        and not named
        and _missing_share(plan, absent_words, max_idf) >= MAX_MISSING_SHARE
    ):
        salient = missing()
        if _missing_share(plan, salient, max_idf) >= MAX_MISSING_SHARE:
            sel.abstain = Abstain.MISSING
            sel.absent = salient
            return sel
    if plan.intent is Intent.LIST:
        narrowing = sel.followup and len(context) > 1
        passing = _narrowed(candidates) if narrowing else _list(plan, pool, candidates)
        sel.among = len(candidates) if narrowing else 0
        if passing:
            most = min(plan.count or MAX_LIST, MAX_LIST)  # "top 3 papers on X": the best three
            sel.chosen = passing[:most]
            sel.more = max(0, len(passing) - most)
            sel.partial = () if narrowing else _partial(plan, passing)
            return sel
    # "what is LoRA?", no paper being LoRA: the one that spells it out says what it is
    ranked = sorted(
        candidates, key=lambda c: (not c.named, c.paper_id not in pool.defining, -relevance(c))
    )
    best = ranked[0] if ranked else None
    if best is None or (
        not best.named
        and not sel.followup
        and best.coverage < MIN_COVERAGE
        and best.similarity < MIN_SIMILARITY
    ):
        sel.abstain = Abstain.WEAK
        return sel
    sel.chosen = [best]
    return sel


def _partial(plan: QueryPlan, passing: list[Candidate]) -> tuple[str, ...]:
    """A short topic's words ("causal inference") when no paper on the list has all of them;
    else nothing."""
    weighed = [t for t in plan.terms if t.in_collection and t.weight > 0 and not t.parts]
    heaviest = max((t.weight for t in weighed), default=0.0)
    topic = [
        t for t in weighed if t.weight >= TOPIC_SHARE * heaviest and t.informativeness >= TOPIC_WORD
    ]
    if (
        len(weighed) <= PHRASE_WORDS
        and len(topic) >= 2
        and all(c.coverage < FULL_COVERAGE for c in passing)
    ):
        return tuple(t.surface for t in topic)
    return ()


def _narrowed(listed: list[Candidate]) -> list[Candidate]:
    """ "Which ones are for LLMs?" after a list: the listed papers that have the question's
    words (at least SHARE_OF_BEST of what the best of them has), not a new search that each
    must stand out in."""
    top = max((c.coverage for c in listed), default=0.0)
    if top <= 0:
        return []
    return sorted(
        (c for c in listed if c.coverage >= SHARE_OF_BEST * top), key=lambda c: -relevance(c)
    )


def select_near(plan: QueryPlan, pool: Pool, seeds: Sequence[Candidate]) -> Selection:
    """The papers of a ``neighbours`` pool near enough to the seed papers, the nearest first
    (at most the count asked for, or MAX_LIST); none near enough is an answer too. Near is
    close in meaning and sharing some word of the seeds' topic (``plan``): two papers alike
    only in how their abstracts are written are not related work."""
    near_what = (
        title_head(seeds[0].paper.title) or seeds[0].paper.title
        if len(seeds) == 1
        else f"the {len(seeds)} papers listed before"
    )
    sel = Selection(Intent.LIST, near=near_what)
    # near several papers: near most of them (not one paper's other topics)
    needed = len(seeds) // 2 + 1

    def near_to(c: Candidate) -> list[float]:
        return [z for z in pool.nearness.get(c.paper_id, ()) if z >= NEAR_Z]

    near = sorted(
        (c for c in pool.candidates if len(near_to(c)) >= needed and c.coverage > 0),
        key=lambda c: (-len(near_to(c)), -max(pool.nearness[c.paper_id])),
    )
    most = min(plan.count or MAX_LIST, MAX_LIST)
    sel.chosen, sel.more = near[:most], max(0, len(near) - most)
    return sel


def _list(plan: QueryPlan, pool: Pool, candidates: list[Candidate]) -> list[Candidate]:
    """Every candidate that belongs in a list answer, best first."""
    if pool.anchors:
        # by entity: every paper that contains what the question names
        passing = [
            c
            for c in candidates
            if all(
                _contains(c, t.key, t.surface)
                # its versions as written ("llama-v2"), not their parts ("llama" and a "2")
                or any(v in c.terms for v in t.variants)
                or c.paper_id in pool.spelled_out.get(t.key, ())
                for t in pool.anchors
            )
        ]
    else:
        passing = [
            c
            for c in candidates
            if c.named
            or standing(pool, c) >= LIST_Z
            # a broad topic ("efficient training"): many papers have all of it, so none stands
            # out by its words; each that has every word and is closer in meaning than typical
            or (c.coverage >= FULL_COVERAGE and similarity_z(pool, c) >= COMPLETE_Z)
        ]
        top = max((c.coverage for c in passing), default=0.0)
        # the names a question gives are what it is about: a paper with all of them stands
        # however few of the everyday words around them ("LoRA variants") it has
        names = [
            t for t in plan.terms if (t.name or t.acronym) and t.in_collection and t.weight > 0
        ]
        passing = [
            c
            for c in passing
            if c.named
            or c.coverage >= SHARE_OF_BEST * top
            or (names and all(present(t.key, c.terms) for t in names))
        ]
    return sorted(passing, key=lambda c: -relevance(c))


def similarity_z(pool: Pool, c: Candidate) -> float:
    """How much closer in meaning than typical (a sample of the collection's chunks) a
    candidate is to the question, in standard deviations."""
    mean, sd = pool.similarity_background
    return (c.similarity - mean) / sd


def standing(pool: Pool, c: Candidate) -> float:
    """How far a candidate stands out for this question: its keyword coverage and similarity
    as standard scores against the collection's typical values, added."""
    (lex_mean, lex_sd), (sim_mean, sim_sd) = pool.lexical_background, pool.similarity_background
    lexical = pool.lexical.get(c.paper_id, c.coverage)
    return (lexical - lex_mean) / lex_sd + (c.similarity - sim_mean) / sim_sd


def _contains(c: Candidate, key: str, surface: str) -> bool:
    """Whether a paper's text has the term; a name written in capitals ("OPT", "CLIP") must
    appear in capitals, so "opt for" is not the OPT models; an identifier with a number
    ("llama-2", "2:4") must appear whole, not as its parts ("Llama-3.2 … 2 …", "4-bit")."""
    identifier = any(ch.isdigit() for ch in key) and not key.replace(".", "").isdigit()
    if not (key in c.terms if identifier else present(key, c.terms)):
        return False
    if surface.isupper() and len(surface) >= 2:
        text = f"{c.paper.title}\n{c.paper.paper.abstract}"
        return re.search(rf"(?<![\w-]){re.escape(surface)}", text) is not None
    return True


def _continues(plan: QueryPlan, pool: Pool, own: list[Candidate], context: list[Candidate]) -> bool:
    """Whether the question continues the previous answer's topic: it refers back ("what about
    its memory?", "and …") without naming another paper, or the previous answer's papers stand
    out for it at least as much as any other (standard scores against the collection)."""
    if any(c.named and not c.context for c in own):
        return False  # it names another paper
    superlative = plan.which_paper and plan.extreme is not None
    if (plan.intent is Intent.LIST or superlative) and len(context) == 1 and not plan.among:
        # "what about pruning papers?", "which paper has the most GPUs?" after one paper:
        # papers asked for are a new search (after a list, "which ones are for LLMs?" narrows
        # it)
        return False
    if plan.refers_back or (plan.among and len(context) > 1):
        return True
    known = [t for t in plan.terms if t.in_collection and t.weight > 0]
    if plan.whether and not plan.names and all(everyday_english(t.surface) for t in known):
        # "is the code released?", "do they need labels?": whether the paper just discussed
        # does an everyday thing, not a search for papers about code
        return True
    if known and len(context) == 1 and context[0].coverage >= FULL_COVERAGE:
        # "how many image-text pairs?" after Open-Qwen2VL, whose abstract has every word of
        # it: a question the paper just discussed answers is asked of it (another paper
        # standing out more for those words does not make it a new topic)
        return True
    main = [max(known, key=lambda t: t.weight).key] if known else []
    if plan.definite and any(
        all(present(k, c.terms) for k in (*plan.definite, *main)) for c in context
    ):
        # "how was the agent trained?" after the paper about the agent (not "how does the
        # quantization of KV caches work?" after a weight quantization paper)
        return True
    own_best = max((standing(pool, c) for c in own if not c.context), default=float("-inf"))
    return max(standing(pool, c) for c in context) >= own_best


def _targets(
    pool: Pool,
    candidates: list[Candidate],
    context: Sequence[Candidate] = (),
) -> list[tuple[str, Candidate]]:
    """One paper per thing the comparison names, in the question's order; "it" ("compare it
    with Megatron") is the paper the previous answer cited."""
    by_id = {c.paper_id: c for c in [*candidates, *context]}
    out: list[tuple[str, Candidate]] = []
    seen: set[str] = set()
    named: list[tuple[str, tuple[str, ...]]] = [
        (r.text, r.paper_ids)
        if r.identifies or len(context) != 1 or not refers_back(r.text)
        else (title_head(context[0].paper.title) or context[0].paper.title, (context[0].paper_id,))
        for r in pool.targets
    ]
    named = [(t, ids) for t, ids in named if 0 < len(ids) <= IDENTIFYING]
    named += [(r.text, r.paper_ids) for r in pool.references if r.identifies]
    # a name the question gives, of the paper that carries or introduces it (not "GaLore" of
    # the paper that only compares itself with GaLore)
    own = {c.paper_id for c in [*candidates, *context] if c.named}
    for text, ids in pool.names.items():
        mine = tuple(i for i in ids if i in own)
        if mine:
            named.append((text, mine))
    for text, ids in named:
        if any(written_in(text, t) for t, _ in out):
            continue  # said already ("the SVD-free optimizer" after "SVD-free"), not "AST" in "CAST"
        options = [by_id[i] for i in ids if i in by_id and i not in seen]
        if not options:
            continue
        pick = max(options, key=relevance)
        seen.add(pick.paper_id)
        # as the paper writes it ("slope" typed, "SLoPe" shown)
        written = written_in(text, f"{pick.paper.title}\n{pick.paper.paper.abstract}")
        head = title_head(pick.paper.title)
        if written:
            text = written.group(0)
        elif head and written_in(head, text):
            text = head  # "bytescale train" names ByteScale
        out.append((text, pick))
    return out


def _missing_share(plan: QueryPlan, salient: list[str], max_idf: float) -> float:
    """Share of the question's weight carried by its salient words that no paper contains,
    each weighed as the rarest word of the collection (no paper has it)."""
    if not salient:
        return 0.0
    missing = set(salient)
    absent = sum(max_idf for t in plan.terms if t.surface in missing)
    present = sum(t.weight for t in plan.terms if t.in_collection)
    total = absent + present
    return absent / total if total > 0 else 0.0
