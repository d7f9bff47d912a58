"""Evidence: from each chosen paper, the sentences that answer what the question asks of it.

The extractive answer is composed from this evidence and LLM backends are shown exactly
this evidence, so every backend answers from the same papers and sentences. Sentences are
picked greedily: the one that answers most of the question first (the number asked for, the
defining sentence for "what is X"), then only sentences that add something it did not cover.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from assistant.answering.candidates import Candidate
from assistant.answering.collection import ENDING_MAX, STEM_MIN, title_head
from assistant.answering.plan import Clause, QueryPlan, Term
from assistant.answering.reading import Intent, asks_by_verb, entity_head
from assistant.answering.scoring import Coverage
from assistant.answering.selection import Selection
from assistant.answering.units import URL as _URL
from assistant.answering.units import (
    Unit,
    defines_name,
    durations,
    present,
    quantities,
    quotable,
    relative_amounts,
    text_terms,
    written_in,
)
from assistant.answering.words import read_words
from vectorstore.retrieval import RetrievedPaper
from vectorstore.text import numbers

# A further sentence must add this share of the question's weight to be quoted.
MIN_GAIN = 0.15
# A sentence that holds this share of the question's weight by itself is quoted too.
ALSO_ANSWERS = 0.4
# "What model does it build on?": a sentence naming something the question did not gains this.
ENTITY_CUE = 0.3
# "How many …?": a sentence stating amounts gains up to this.
QUANTITY_CUE = 0.15
# A sentence of the passage the retriever found most similar to the question gains this.
CHUNK_CUE = 0.1
# A sentence before the one where the paper states its contribution ("We introduce …") sets
# the scene (what others did, what is missing): it loses this when the question asks what a
# paper does, or why it belongs in a list.
BACKGROUND = 0.12
# ... and so much for a yes/no question: its answer is what the paper itself does.
WHETHER_BACKGROUND = 0.5
# "How do they lay out the data?": the contribution statement and the sentences right after it
# (up to this many, until one reports results) say how; they gain METHOD_CUE, results lose
# BACKGROUND (the question asks how, not how well).
METHOD_RUN = 2
METHOD_CUE = 0.15
# "What problem does X solve?": this many sentences of the scene before the contribution.
MOTIVATION_SCENE = 2
# What is asked of a paper counts words at least this informative ("limitations", not "get").
ASKED = 0.5
ACRONYM_MAX = 5  # a word this short that is no English word may be an acronym typed in lower case
SENTENCES = {Intent.FACT: 3, Intent.DEFINITION: 3, Intent.LIST: 1, Intent.COMPARE: 2}
# What a term that only identifies the paper ("LQ-LoRA" in a question about LQ-LoRA) counts
# for when choosing among that paper's sentences: every sentence is about the paper anyway.
IDENTIFIER_SHARE = 0.3
_CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|study))\s+(?:\w+\s+){0,2}?(?:propose|introduce|present|call|name|"
    r"develop|build|design|release|construct|study|investigate|show|find|prove|argue|conduct)",
    re.IGNORECASE,
)
_GIVES_NAME = re.compile(
    r"\b(?:we|this (?:paper|work|study))\s+(?:\w+\s+){0,2}?(?:propose|introduce|present|develop|"
    r"build|release|design)\w*\s+(?:(?:a|an|the)\s+)?(?:[a-z-]+\s+){0,2}?[A-Z][\w.-]*"
    r"|\b(?:called|named|dubbed|termed)\s+[A-Z][\w.-]*"
)
# A sentence reporting what the experiments showed, not how the method works.
_RESULT = re.compile(r"\b(?:experiment\w*|results?|empirical(?:ly)?|outperform\w*)\b", re.I)
# "We find that …", "we observe that …", "results show …": a finding.
_FOUND = re.compile(
    r"\b(?:we|this (?:paper|work|study))\s+(?:\w+\s+){0,2}?(?:find|found|observe|show|demonstrate|"
    r"reveal|discover)\w*\s+that\b",
    re.I,
)
# A sentence that opens (after a short lead-in such as "However,") with a word pointing back
# to the sentence before it.
_POINTS_BACK = re.compile(
    r"(?:[A-Za-z]+(?: [A-Za-z]+){0,2}, )?(?:it|its|they|their|them|this|these|those|such)\b"
    r"(?! (?:paper|work|study|article)\b)",
    re.IGNORECASE,
)
# The paper speaking of itself.
_OWN_VOICE = re.compile(r"\b(?:we|our|us|this (?:paper|work|study))\b", re.IGNORECASE)
_NAMES = re.compile(r"\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w.-]*")
_NUMBER_WORDS = re.compile(
    r"\b(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|"
    r"trillion|half|double|twice|fold)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EvidenceItem:
    key: str  # "1", "2", ... (an LLM cites by key)
    paper: RetrievedPaper
    sentences: tuple[str, ...]  # lead first
    target: str | None = None  # comparison: the name this paper answers for
    unstated: tuple[str, ...] = ()  # what was asked that its abstract does not say, as typed
    # "what is OBELICS?" answered from a paper that only mentions it: the names, as typed
    mentions_only: tuple[str, ...] = ()

    @property
    def states_aspect(self) -> bool:
        return not self.unstated


@dataclass
class Evidence:
    plan: QueryPlan
    selection: Selection
    items: list[EvidenceItem] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return bool(self.items) and self.selection.abstain is None

    @property
    def keys(self) -> dict[str, str]:
        return {item.key: item.paper.paper_id for item in self.items}


def identifying_terms(
    plan: QueryPlan, candidate: Candidate, listing: bool = False, comparing: bool = False
) -> set[str]:
    """The question's terms that single this paper out rather than ask about it: its names,
    and any term of its title. A list question's names are its topic, not a paper ("which
    papers mention CLIP?" is answered by each paper's sentence with CLIP in it); a comparison's
    names are the papers compared, whichever one each side has."""
    title = next((u.terms for u in candidate.units if u.is_title), frozenset())
    return {
        t.key
        for t in plan.terms
        if t.in_collection
        and (
            # a name the paper has ("is SparseProp for GPUs?": GPUs, which it never writes, is
            # asked about, not what singles it out)
            (t.name and not listing and (comparing or present(t.key, candidate.terms)))
            or t.key in title
            # "sniper training" for a title's "SNIPER Training": its words are the title's
            or (bool(t.parts) and all(p in title for p in t.parts))
        )
    }


def aspect_terms(plan: QueryPlan, identifying: set[str]) -> list[Term]:
    """What is asked about the paper: the question's words that do not identify it, weighed
    for choosing sentences within the paper (a common word like "memory" counts here)."""
    return [t for t in plan.terms if t.key not in identifying]


def build_evidence(
    plan: QueryPlan, selection: Selection, lines: Mapping[str, str] | None = None
) -> Evidence:
    """What each chosen paper answers with; ``lines`` gives a paper's sentence outright (the
    one its ranked figure comes from)."""
    evidence = Evidence(plan=plan, selection=selection)
    if selection.abstain is not None:
        return evidence
    intent = Intent.COMPARE if selection.targets else selection.intent
    if intent is Intent.LIST and len(selection.chosen) == 1:
        intent = Intent.FACT
    for i, cand in enumerate(selection.chosen):
        identifying = identifying_terms(
            plan,
            cand,
            listing=selection.intent is Intent.LIST,
            comparing=bool(selection.targets) or selection.intent is Intent.COMPARE,
        )
        others = aspect_terms(plan, identifying)
        # what it asks about: informative words the collection knows (a word no paper has
        # may be a typo or small talk: "briefly"), and the word naming what it asks for
        # ("what's the licence of X?", "what's the BLEU of Y?"), known to the collection or
        # not, if it is a word of some language (not a typo)
        asked = [
            t
            for t in others
            if t.informativeness >= ASKED
            and (t.in_collection or (t.surface in plan.focus and t.language is not None))
        ]
        # "what's the difference between X and Y?" asks nothing but the names: each paper
        # is answered as "what is X" would be
        # ("how big is each?" asks for a figure of each)
        reading = (
            Intent.DEFINITION
            if intent is Intent.COMPARE and not asked and not plan.wants_quantity
            else intent
        )
        if lines and cand.paper_id in lines:
            sentences = [quotable(lines[cand.paper_id])]
        else:
            sentences = pick_sentences(plan, cand, identifying, reading, SENTENCES[intent])
        # a fact asked of a paper whose abstract has none of the question's other words
        named = {w.casefold() for t in plan.terms for w in (t.surface, t.key)}
        states = (
            intent is not Intent.FACT
            or not asked
            # a paper near another, a ranked figure: asked for as such, not for these words
            or selection.near is not None
            or selection.ranked is not None
            or plan.which_paper  # "which paper evaluates on LLaDA?": the paper is the answer
            # "how does it speed up training?": the method answers it, in whatever words
            or any(c.method for c in plan.clauses)
            or any(t.in_collection and _mentions(t, cand.terms) for t in others)
            # "what models did they evaluate?": sentences naming models answer it, in any words
            # (unless what it asks for is a word no paper here uses: "which licence")
            or (
                all(t.in_collection for t in asked)
                and any(c.entity for c in plan.clauses)
                and any(_new_names(s, named) for s in sentences)
            )
        )
        unstated = () if states else _lacking(asked, frozenset())
        if states and plan.whether and intent is Intent.FACT and selection.ranked is None:
            # "does GPTVQ need calibration data?" asks whether the paper does one thing: an
            # abstract that has "data" but not "calibration" does not say
            unstated = _lacking(_checkable(plan, asked, identifying), cand.terms)
        if plan.code is not None:
            # "is it open source?", "where's the code?": answered by the code's address, if
            # the abstract gives one
            given = bool(sentences) and _URL.search(sentences[0]) is not None
            unstated = () if given else unstated or (plan.code,)
        target = selection.targets[i] if i < len(selection.targets) else None
        foreign = _mentioned_only(plan, cand, identifying) if intent is Intent.DEFINITION else ()
        evidence.items.append(
            EvidenceItem(str(i + 1), cand.paper, tuple(sentences), target, unstated, foreign)
        )
    return evidence


def _checkable(plan: QueryPlan, asked: list[Term], identifying: set[str]) -> list[Term]:
    """What a yes/no question asks the paper to have: its words but the main verb that follows
    the subject ("does X need …", "is X evaluated on …"), which the abstract may say in other
    words ("Experiments on GPT-style models"), when the question has words besides it."""
    after = sorted((t for t in plan.terms if t.key not in identifying), key=lambda t: t.position)
    if not after:
        return asked
    verb = after[0]
    if not (asks_by_verb(plan.question) or verb.surface.casefold().endswith(("ed", "en"))):
        return asked
    # ("does it slow down training?": the verb is checked only when nothing follows it)
    return [t for t in asked if t.position != verb.position] if len(after) > 1 else asked


def _lacking(asked: list[Term], terms: frozenset[str]) -> tuple[str, ...]:
    """The asked terms a paper's text does not have, as typed; a word of a missing phrase
    ("flash" of "flash attention") is not named again."""
    lacking = [t.surface for t in asked if not (t.in_collection and _mentions(t, terms))]
    return tuple(w for w in lacking if not any(w != o and w in o.split() for o in lacking))


def _mentions(term: Term, terms: frozenset[str]) -> bool:
    """Whether a text has the term, its words ("video LLM" as "Video LLM"), what an acronym
    stands for, or a word derived from it ("train" in "trainable")."""
    key = term.key
    if present(key, terms) or (term.parts and all(present(p, terms) for p in term.parts)):
        return True
    # "vq" typed in lower case for the "vector quantization" the abstract writes out
    short = term.surface.isalpha() and len(term.surface) <= ACRONYM_MAX
    if short and term.language != "en" and present(key, terms, acronym=True):
        return True
    return (
        len(key) >= STEM_MIN
        and key.isalpha()
        and any(k.startswith(key) and len(k) - len(key) <= ENDING_MAX for k in terms)
    )


def _sentence_weights(plan: QueryPlan, identifying: set[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for t in plan.terms:
        if not t.in_collection:
            continue
        # within one paper, general words ("memory", "faster") tell sentences apart
        w = t.idf * (0.5 + 0.5 * t.informativeness)
        if t.key in identifying:
            w *= IDENTIFIER_SHARE
        weights[t.key] = max(weights.get(t.key, 0.0), w)
    return weights


def pick_sentences(
    plan: QueryPlan,
    cand: Candidate,
    identifying: set[str],
    intent: Intent,
    most: int | None = None,
) -> list[str]:
    """The paper's sentences that answer the plan, the best first.

    A definition leads with the sentence that introduces the paper's contribution. Then each
    part of the question ("what does it drop to, and what score do they get?") gets the
    sentence that answers it best; then, up to the limit, only sentences that add words of the
    question the earlier ones lacked. A definition with nothing more specific asked adds the
    sentence that says what the paper achieves. ``most`` sentences (by default, as many as
    the intent takes), one more for a question in several parts or about a method.
    """
    # what a sentence says, not the words of a web address in it ("…at github.com/x/megatron-lm")
    sentences = [
        replace(u, terms=text_terms(_URL.sub(" ", u.text))) if _URL.search(u.text) else u
        for u in cand.units
        if not u.is_title
    ]
    if not sentences:
        return []
    if plan.motivation and intent is not Intent.LIST:
        # the problem a paper takes on is stated just before it says what it does
        # (an abstract that opens with its contribution says what it is for in the next one)
        own = _first_contribution(sentences) or 0
        picked = sentences[max(0, own - MOTIVATION_SCENE) : own + 1] if own else sentences[:2]
        return [quotable(u.text) for u in picked]
    weights = _sentence_weights(plan, identifying)
    score = Coverage.for_plan(plan, weights)
    names = {t.surface.casefold() for t in plan.terms if t.key in identifying}
    best_chunk = " ".join(cand.paper.evidence.split())
    cues = {id(u): _cues(plan, intent, u, names, best_chunk) for u in sentences}
    own_names = _own_names(names, cand)
    if intent in (Intent.FACT, Intent.COMPARE, Intent.LIST):
        for u in _background(sentences):
            # a yes/no question asks what the paper does ("does CorDA prevent catastrophic
            # forgetting?"): the problem it states about others answers only when no sentence
            # of its own does
            cues[id(u)] -= WHETHER_BACKGROUND if plan.whether else BACKGROUND
    first = _first_contribution(sentences) or 0
    for u in sentences:
        # "However, it does not support …", said of the GPT-4o the sentence before names
        # (a sentence before the contribution is background already)
        if u.index > first and _of_another_work(u, sentences, own_names):
            cues[id(u)] -= BACKGROUND
    if intent is Intent.LIST:
        # a list line says why the paper belongs; where its code lives never does
        for u in sentences:
            cues[id(u)] -= BACKGROUND if _URL.search(u.text) else 0.0
    asked = {w.casefold() for t in plan.terms for w in (t.surface, t.key)}
    # "Continual Learning" asked is "CL" written: an abbreviation of the question's words
    # names nothing new
    typed = [w.folded for w in read_words(plan.question) if w.content]
    asked |= {"".join(w[0] for w in typed[i : i + n]) for n in (2, 3, 4) for i in range(len(typed))}
    method = _method_run(sentences) if any(c.method for c in plan.clauses) else []
    if method:
        for u in sentences:
            if u in method:
                cues[id(u)] += METHOD_CUE
            elif u.index > method[0].index and _RESULT.search(u.text):
                cues[id(u)] -= BACKGROUND
    if plan.findings:
        # "what do they find?": the sentences reporting what the experiments showed
        for u in sentences:
            cues[id(u)] += METHOD_CUE if _RESULT.search(u.text) or _FOUND.search(u.text) else 0.0
    if plan.claim:
        # "which paper argues X?": where the paper says it in its own voice ("we prove that …"),
        # not the background that sets it up
        for u in sentences:
            cues[id(u)] += (
                METHOD_CUE if _CONTRIBUTION.search(u.text) or _FOUND.search(u.text) else 0.0
            )
    if len(plan.clauses) == 1 and plan.clauses[0].entity:
        # "what dataset did they test on?": the answer names things the question did not,
        # whether or not it also says "dataset" (the sentence naming CIFAR-100 answers it
        # as well as one saying "a benchmark dataset")
        head = entity_head(plan.question)
        key = next((t.key for t in plan.terms if t.surface.casefold() == head), None)
        kind = weights.get(key, 0.0) / (score.total or 1.0) if key else 0.0
        for u in sentences:
            if _new_names(u.text, asked):
                said = key in score.matched(u.terms)
                cues[id(u)] += ENTITY_CUE + (0.0 if said else kind)
    total = score.total or 1.0
    # a question with several parts, or asking how a method works, takes a sentence more
    most = SENTENCES[intent] if most is None else most
    limit = min(most + (len(plan.clauses) > 1 or bool(method)), len(sentences))
    chosen: list[Unit] = []
    covered: set[str] = set()

    def take(u: Unit) -> None:
        chosen.append(u)
        covered.update(score.matched(u.terms))

    if intent is Intent.DEFINITION:
        title = next((u.text for u in cand.units if u.is_title), "")
        # "summarize the first one", "tell me more about it": nothing but the paper is asked
        # about, so it is described by what it says it does
        bare = not any(t.weight > 0 for t in plan.terms if t.key not in identifying)
        named = names | _written_as_names(plan, cand)
        take(_definition(sentences, named, cues, title, plan.gist or bare))
    for clause in plan.clauses if len(plan.clauses) > 1 else ():
        part = clause.keys & frozenset(weights)
        answered = (
            part <= covered
            and (not clause.quantity or any(quantities(u.text) for u in chosen))
            # "which datasets?": answered by a sentence that names some, not one that says
            # "dataset"
            and (
                not clause.entity
                or any(_new_names(u.text, asked) and score.matched(u.terms) for u in chosen)
            )
        )
        if len(chosen) >= limit or (part and answered):
            continue
        part_total = sum(weights[t] for t in part) or 1.0

        def fit(
            u: Unit, part: frozenset[str] = part, total: float = part_total, c: Clause = clause
        ) -> float:
            share = sum(weights[t] for t in score.matched(u.terms) if t in part) / total
            names = ENTITY_CUE if c.entity and _new_names(u.text, asked) else 0.0
            return share + cues[id(u)] + names

        rest = [u for u in sentences if u not in chosen]
        if clause.quantity:
            # "how large is each?": the answer is a number
            rest = [u for u in rest if quantities(u.text)] or rest
        if clause.name and not part:
            # "what is it called?": the sentence that gives a name ("we propose Dream Engine")
            best = max(
                (u for u in rest if _NAMES.search(u.text) or _GIVES_NAME.search(u.text)),
                key=lambda u: cues[id(u)] + _contribution(u) + bool(_GIVES_NAME.search(u.text)),
                default=None,
            )
        else:
            best = max(rest, key=fit, default=None)
        if best is None:
            continue
        if (
            (clause.name and not part)
            or any(t in part for t in score.matched(best.terms))
            or (clause.quantity and quantities(best.text))
            or (clause.entity and _new_names(best.text, asked))
        ):
            take(best)
    while len(chosen) < limit:
        best, best_gain, best_new = None, -1.0, 0.0
        for u in sentences:
            if u in chosen:
                continue
            hit = score.matched(u.terms)
            new = sum(weights[t] for t in hit if t not in covered) / total
            gain = new + 0.2 * sum(weights[t] for t in hit) / total + cues[id(u)]
            if gain > best_gain:
                best, best_gain, best_new = u, gain, new
        if best is None:
            break
        # a further sentence adds words the earlier ones lacked, or answers the question by
        # itself as well (two sentences saying it from two sides)
        if chosen and best_new < MIN_GAIN and score.of(best.terms) < ALSO_ANSWERS:
            break
        take(best)
    for states, asked_for in (
        # "how fast does it render?" is answered by a number, "how much faster is it?" by a
        # ratio, "how long does it take?" by a duration, "is it open source?" by where its
        # code is: the sentence stating one that fits the question best leads, if the
        # abstract has any
        (quantities, plan.wants_quantity),
        (relative_amounts, plan.relative),
        (durations, plan.duration),
        (_URL.findall, plan.code is not None),
    ):
        if asked_for and chosen and not states(chosen[0].text):
            stating = [u for u in sentences if states(u.text)]
            if stating:
                lead = max(stating, key=lambda u: score.of(u.terms) + cues[id(u)])
                chosen = [lead, *(u for u in chosen if u is not lead)][: max(limit, 1)]
    if method and intent is not Intent.LIST:
        # "how do they do X?": the contribution says what, the sentences after it say how
        for u in method:
            if len(chosen) < limit and u not in chosen and any(v in method for v in chosen):
                take(u)
        # the method read in the paper's order: what they propose, then first, second, …
        chosen = sorted(chosen, key=lambda u: (u not in method, u.index if u in method else 0))
    if intent is Intent.DEFINITION:
        # a definition says what the thing is, then what it achieves
        for extra in (_second_definition, _result_sentence):
            if len(chosen) >= limit:
                break
            found = extra(sentences, chosen, names)
            if found is not None:
                take(found)
    return [quotable(u.text) for u in _with_antecedents(chosen, sentences, own_names)]


def _of_another_work(u: Unit, sentences: list[Unit], own: set[str]) -> Unit | None:
    """The sentence before ``u`` when ``u`` opens with a word pointing back to it ("However,
    it is closed-source") and it is not about the paper itself ("the release of GPT-4o …"):
    ``u`` then speaks of another work. ``own``: the paper's names, folded."""
    before = next((v for v in sentences if v.index == u.index - 1), None)
    if (
        before is None
        or not _POINTS_BACK.match(u.text)
        or _CONTRIBUTION.search(before.text)
        or _OWN_VOICE.search(before.text)
        or any(n in before.text.casefold() for n in own)
    ):
        return None
    return before


def _own_names(names: set[str], cand: Candidate) -> set[str]:
    """The names a sentence about the paper itself may use, folded: the question's, its
    title's."""
    head = title_head(cand.paper.title)
    return {n.casefold() for n in names} | ({head.casefold()} if head else set())


def _with_antecedents(chosen: list[Unit], sentences: list[Unit], own: set[str]) -> list[Unit]:
    """``chosen``, each sentence that speaks of another work through a pronoun preceded by the
    sentence it points back to: a quote must not make another work's property ("GPT-4o … it
    is closed-source") read as the paper's."""
    out: list[Unit] = []
    for u in chosen:
        before = _of_another_work(u, sentences, own)
        if before is not None and before not in chosen and before not in out:
            out.append(before)
        out.append(u)
    return out


def _new_names(text: str, asked: set[str]) -> bool:
    """Whether a sentence names something the question did not ("Mask-DINO")."""
    return any(m.group(0).casefold() not in asked for m in _NAMES.finditer(_URL.sub(" ", text)))


def _first_contribution(sentences: list[Unit]) -> int | None:
    """Where (in ``sentences``) the paper first states its own contribution ("We propose …")."""
    return next((i for i, u in enumerate(sentences) if _CONTRIBUTION.search(u.text)), None)


def _background(sentences: list[Unit]) -> list[Unit]:
    """The sentences before the paper's first statement of its own contribution."""
    first = _first_contribution(sentences)
    return [] if first is None else sentences[:first]


def _method_run(sentences: list[Unit]) -> list[Unit]:
    """The contribution statement and the sentences after it that say how the method works,
    until one reports results."""
    start = _first_contribution(sentences)
    if start is None:
        return []
    run = [sentences[start]]
    for u in sentences[start + 1 : start + 1 + METHOD_RUN]:
        if _RESULT.search(u.text):
            break
        run.append(u)
    return run


def _contribution(u: Unit) -> float:
    return 1.0 if _CONTRIBUTION.search(u.text) else 0.0


def _definition(
    sentences: list[Unit],
    names: set[str],
    cues: dict[int, float],
    title: str = "",
    own_first: bool = False,
) -> Unit:
    """The sentence that says what the named thing is: one introducing it by name ("we propose
    X", "X is a …") that does not report experiments; else, when the thing is the paper's own
    (the paper names it only in its results: "experiments show that our approach (LQ-LoRA)
    outperforms …"), its first statement of what it contributes; else (a thing the paper only
    mentions: "what is OBELICS?") the sentence that mentions it; else the one with the
    strongest cues."""

    def best(units: list[Unit]) -> Unit:
        return max(units, key=lambda u: (cues[id(u)], -u.index))

    plain = [u for u in sentences if not _RESULT.search(u.text)]
    defining = [u for u in plain if any(defines_name(u.text, n) for n in names)]
    if defining:
        return best(defining)
    mentioning = [u for u in sentences if any(n in _URL.sub(" ", u.text).casefold() for n in names)]
    if mentioning and not any(written_in(n, title) for n in names):
        return best(mentioning)
    own = next((u for u in plain if _CONTRIBUTION.search(u.text)), None)
    if (names or own_first) and own is not None:
        return own  # (asked for its main idea: what the paper says it does)
    return best(sentences)


def _mentioned_only(plan: QueryPlan, cand: Candidate, identifying: set[str]) -> tuple[str, ...]:
    """The names a definition asks about that this paper neither carries in its title nor
    introduces (it only mentions them): "what is OBELICS?" answered from MINT-1T."""
    if cand.named:
        return ()  # the question names this paper ("the 3dgs paper")
    names = {t.surface.casefold() for t in plan.terms if t.name and t.key in identifying}
    names |= _written_as_names(plan, cand)
    title = next((u.text for u in cand.units if u.is_title), "").casefold()
    if not names or any(written_in(n, title) for n in names):
        return ()
    if any(defines_name(u.text, n, own=True) for u in cand.units for n in names):
        return ()
    return tuple(t.surface for t in plan.terms if t.surface.casefold() in names)


def _written_as_names(plan: QueryPlan, cand: Candidate) -> set[str]:
    """The question's words this paper writes as names, however they were typed ("obelics"
    for OBELICS, "galore" for GaLore): "what is obelics?" asks what the name stands for."""
    typed = {t.surface.casefold() for t in plan.terms if t.in_collection}
    return {
        w.surface.casefold()
        for u in cand.units
        for w in read_words(u.text)
        if w.name_shaped and w.surface.casefold() in typed
    }


def _second_definition(sentences: list[Unit], chosen: list[Unit], names: set[str]) -> Unit | None:
    """Another sentence that says what the named thing is ("…we present MIO, which is trained
    on …"), the earliest that introduces it."""
    naming = [
        u
        for u in sentences
        if u not in chosen and any(n in _URL.sub(" ", u.text).casefold() for n in names)
    ]
    return max(naming, key=lambda u: (_contribution(u), -u.index), default=None)


def _result_sentence(sentences: list[Unit], chosen: list[Unit], names: set[str]) -> Unit | None:
    """The sentence that states what a paper achieves: the one with the most numbers and names."""
    rest = [u for u in sentences if u not in chosen]
    if not rest:
        return None
    best = max(rest, key=lambda u: (_facts(u.text), -u.index))
    return best if _facts(best.text) else None


def _facts(text: str) -> int:
    text = _URL.sub(" ", text)
    return len(numbers(text)) + len(_NAMES.findall(text))


def _cues(plan: QueryPlan, intent: Intent, unit: Unit, names: set[str], best_chunk: str) -> float:
    """What makes a sentence an answer beyond shared words: the number asked for, the sentence
    that introduces the paper's contribution, the name asked about, being part of the passage
    the retriever found most similar to the question."""
    text = unit.text
    bonus = 0.0
    if plan.wants_quantity:
        # "how big is it?": the more amounts a sentence states, the likelier it is the answer
        stated = len(quantities(text)) + len(_NUMBER_WORDS.findall(text))
        bonus += QUANTITY_CUE * min(stated, 3) / 3 + (QUANTITY_CUE / 2 if stated else 0.0)
    if _CONTRIBUTION.search(text):
        bonus += 0.1 if intent is Intent.DEFINITION else 0.04
    if " ".join(text.split())[:60] in best_chunk:
        bonus += CHUNK_CUE
    if intent is Intent.DEFINITION:
        lowered = text.casefold()
        if any(n in lowered for n in names):
            bonus += 0.15
        if any(defines_name(text, n) for n in names):
            bonus += 0.2
        if unit.index == 0:
            bonus += 0.03
    return bonus
