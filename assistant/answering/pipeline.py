"""The answering stages in order: question -> plan -> candidates -> selection -> evidence.

``Answering.prepare`` runs them for one question in a conversation; every backend then
writes its answer from the same evidence, and ``assistant.citations`` verifies it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from assistant.answering.candidates import (
    Candidate,
    Pool,
    Retriever,
    candidate,
    gather,
    neighbours,
)
from assistant.answering.collection import Collection, title_head
from assistant.answering.conversation import Turn
from assistant.answering.evidence import Evidence, build_evidence
from assistant.answering.plan import Embed, QueryPlan, make_plan, missing_words
from assistant.answering.ranking import RANKED, measure, rank
from assistant.answering.reading import (
    Intent,
    asks_for_more,
    back_reference,
    chooses_among,
    ordinal_range,
    ordinal_reference,
    other_reference,
    requested_count,
    similar_to,
)
from assistant.answering.scoring import Coverage
from assistant.answering.selection import MAX_LIST, Selection, select, select_near
from assistant.answering.units import present
from vectorstore.filters import Filters
from vectorstore.retrieval import RetrievedPaper
from vectorstore.store import PaperRecord
from vectorstore.text import fold

CONTEXT_CACHE = 256  # earlier turns re-read (as plain strings) remembered per process


@dataclass
class Prepared:
    """Everything the stages decided for one question."""

    plan: QueryPlan
    pool: Pool
    selection: Selection
    evidence: Evidence
    retrieved: list[RetrievedPaper]  # what to report as retrieved (the cited ones among them)
    papers: int  # how many papers the collection holds


class Answering:
    """The stages bound to one store's retriever and embedder."""

    def __init__(
        self,
        retriever: Retriever,
        embed: Embed | None,
        load_papers: Callable[[Sequence[str]], Sequence[PaperRecord]] | None,
        top_k: int,
    ) -> None:
        self.retriever = retriever
        self.embed = embed
        self.load_papers = load_papers
        self.top_k = top_k
        self._collection: Collection | None = None
        self._context: OrderedDict[Any, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def collection(self, refresh: bool = False) -> Collection:
        """The collection as the keyword index describes it; ``refresh`` first picks up another
        process's changes (one generation read)."""
        index = self.retriever.lexical_index() if refresh else self.retriever.latest_lexical_index()
        with self._lock:
            if self._collection is None or self._collection.index is not index:
                self._collection = Collection(index, self.load_papers)
            return self._collection

    def prepare(
        self,
        question: str,
        turns: Sequence[Turn] = (),
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Prepared:
        """Run the stages for ``question``; ``k`` papers are retrieved (default: top_k, twice
        that for lists and comparisons)."""
        context = self.context_of(turns, filters) if turns else ()
        collection = self.collection(refresh=True)
        plan = make_plan(question, collection)
        # the question the papers in context answered (the list's, when one is chosen from)
        source = turns[-1].question if turns else ""
        if turns and asks_for_more(question):
            # "any others?", "more?"
            plan = _asked_again(source, collection)
        back = back_reference(question) if turns else None
        if back in ("first", "previous"):
            # "back to the first paper": the conversation's first paper, or the one before the
            # paper just discussed
            earlier = [self.context_of(turns[:end], filters) for end in range(1, len(turns) + 1)]
            if back == "first":
                found = next((ids for ids in earlier if ids), ())
            else:
                found = next((ids for ids in reversed(earlier[:-1]) if ids and ids != context), ())
            context = found[:1] or context
        place = ordinal_reference(question) if turns and back is None else None
        span = ordinal_range(question) if turns else None
        other = bool(turns) and other_reference(question)
        among = back == "list"  # "back to the list, which one is about scaling laws?"
        # "compare them", "what's the difference?": a comparison that names nothing
        compares_them = plan.intent is Intent.COMPARE and (plan.each or not plan.targets)
        if compares_them and turns:
            plan = replace(plan, refers_back=True)  # of the papers just discussed
        if (
            place is not None
            or span is not None
            or other
            or among
            or (turns and (chooses_among(question) or compares_them) and len(context) < 2)
        ):
            # "the second one", "which one …": of the latest answer that listed papers (a
            # question about one of them may have come in between); "which one" with no list
            # before it asks the whole collection
            listed, source = next(
                (
                    (ids, turns[end - 1].question)
                    for end in range(len(turns), 0, -1)
                    if len(ids := self.context_of(turns[:end], filters)) > 1
                    # "back to the list": a list asked for, not a comparison since
                    and (
                        not among
                        or make_plan(turns[end - 1].question, collection).intent is Intent.LIST
                    )
                ),
                ((), source),
            )
            if not listed and len(turns) > 1 and (chooses_among(question) or compares_them):
                # "which is faster?", "compare them" after one paper, then another: the papers
                # in play
                in_play: list[str] = []
                for end in range(len(turns), 0, -1):  # the latest two, read no further back
                    ids = self.context_of(turns[:end], filters)
                    if len(ids) == 1 and ids[0] not in in_play:
                        in_play.append(ids[0])
                        if len(in_play) == 2:
                            listed = tuple(reversed(in_play))
                            break
            if other:  # "and the other one?": the next listed paper not just discussed
                rest = [p for p in listed if p not in context]
                context = (rest[0],) if rest and len(listed) > 1 else context
            elif span is not None:  # "compare the first two"
                start, count = span
                context = listed[start:][:count] if len(listed) > 1 else context
            elif place is None:
                context = listed
            elif len(listed) > 0 and place <= len(listed):
                context = (listed[place - 1] if place > 0 else listed[-1],)
        if (
            (place is not None or span is not None or other)
            and plan.intent is Intent.FACT
            and not any(t.weight > 0 for t in plan.terms)
        ):
            # "and the second?", "the other one?": the previous question, asked of that paper
            previous = make_plan(turns[-1].question, collection)
            if not previous.names and not previous.references:
                plan = replace(previous, question=plan.question, refers_back=True, among=True)
        if k is None:
            k = self.top_k * (2 if plan.intent in (Intent.LIST, Intent.COMPARE) else 1)
        pool, selection = self._choose(plan, collection, k, filters, context)
        if plan.many and not selection.followup and not any(c.named for c in pool.candidates):
            # "which models use RLHF?", "what methods are there for X?": naming no paper, it
            # asks for every paper that has them
            plan = make_plan(question, collection, listing=True)
            k = self.top_k * 2
            pool, selection = self._choose(plan, collection, k, filters, context)
        if (
            len(context) > 1
            and selection.followup
            and not plan.each
            and not _has_main_term(plan, selection)
        ):
            # The previous answer's papers do not have what is asked ("which of those is
            # multilingual?" after a list that missed one): read it with the previous question.
            # (After one paper, "what models did they test it on?" asks that paper, whatever
            # its abstract says.)
            joined = make_plan(f"{source} {question}", collection)
            joined = replace(
                joined,
                question=plan.question,
                intent=plan.intent,
                clauses=plan.clauses,
                metadata=plan.metadata,
                language=plan.language,
            )
            pool2, selection2 = self._choose(joined, collection, k, filters, ())
            # the joined reading must still be about the earlier topic: "does either use
            # LoRA?" after two unlearning papers is not a question about LQ-LoRA
            if selection2.chosen and _has_main_term(make_plan(source, collection), selection2):
                plan, pool, selection = joined, pool2, selection2
                selection.followup = True
        lines: dict[str, str] = {}
        if plan.extreme is not None and not plan.among and not selection.followup:
            ranked = self._ranked(plan, pool, collection, filters)
            if ranked is not None:
                pool, selection, lines = ranked
                plan = replace(plan, intent=Intent.LIST)
        if plan.similar:
            plan, pool, selection = self._similar(
                plan, pool, selection, collection, filters, context, source
            )
        plan = plan.with_context(context, selection.followup)
        evidence = build_evidence(plan, selection, lines)
        chosen = {c.paper_id for c in selection.chosen}
        retrieved = [c.paper for c in pool.candidates[:k]]
        retrieved += [c.paper for c in pool.candidates[k:] if c.paper_id in chosen]
        return Prepared(plan, pool, selection, evidence, retrieved, collection.paper_count)

    def _similar(
        self,
        plan: QueryPlan,
        pool: Pool,
        selection: Selection,
        collection: Collection,
        filters: Filters | None,
        context: Sequence[str],
        source: str,
    ) -> tuple[QueryPlan, Pool, Selection]:
        """ "Related work for X", "anything similar?": the papers nearest X, each listed with
        its line on X's topic (X's title, less its name); "more like these" after a list, the
        papers near most of those listed. Without a paper to be near: "related work on
        pruning" lists the topic; "more like these" after a list cut at its length asks its
        question again for papers not given yet."""
        k = self.top_k * 2
        seed = _seed(plan, pool, selection)
        asked = any(t.weight > 0 for t in plan.terms)
        listed = [c for c in pool.candidates if c.context]
        if seed is not None:
            seeds = [seed]
        elif not asked and 1 < len(listed) < MAX_LIST:
            seeds = listed  # "more like these" after a list: the papers near the ones listed
        else:
            seeds = []
        if seeds:
            titles = [s.paper.title for s in seeds]
            topic = "; ".join(t.partition(":")[2] if title_head(t) else t for t in titles)
            near = replace(
                make_plan(topic, collection, listing=True),
                question=plan.question,
                language=plan.language,
                count=requested_count(plan.question),  # "top 3 papers like X"
                similar=True,
            )
            pool = neighbours(seeds, near, self.retriever, collection, k=k, filters=filters)
            return near, pool, select_near(near, pool, seeds)
        if asked and plan.intent is not Intent.LIST:
            plan = make_plan(plan.question, collection, listing=True)
        elif not asked and len(listed) > 1:
            # "more like these" after a list cut at its length: the rest of it
            plan = _asked_again(source, collection)
        else:
            return plan, pool, selection
        return plan, *self._choose(plan, collection, k, filters, context)

    def _ranked(
        self, plan: QueryPlan, pool: Pool, collection: Collection, filters: Filters | None
    ) -> tuple[Pool, Selection, dict[str, str]] | None:
        """ "Which paper uses the most GPUs?": the papers stating a figure for the measure,
        ranked by it, each with the sentence giving it; None when the question names a paper,
        has no measure, or fewer than two papers give a figure for it (then it is no amount
        the papers compare, and the question is answered as any other)."""
        term = measure(plan)
        if term is None or any(c.named for c in pool.candidates):
            return None
        found = rank(plan, collection, term)
        if len(found) < 2:
            return None
        most = requested_count(plan.question) or RANKED
        top = found[: most * 3]  # a few more, as filters may exclude some
        by_id = {
            r.paper_id: r
            for r in self.retriever.fetch([f.paper_id for f in top], plan.question, filters)
        }
        shown = [f for f in top if f.paper_id in by_id][:most]
        if not shown:
            return None
        score = Coverage.for_plan(plan)
        chosen = [candidate(by_id[f.paper_id], collection, score) for f in shown]
        assert plan.extreme is not None
        selection = Selection(
            Intent.LIST,
            chosen=chosen,
            more=len(found) - len(shown),
            ranked=(term.surface, plan.extreme[1]),
        )
        return Pool(candidates=chosen), selection, {f.paper_id: f.sentence for f in shown}

    def _choose(
        self,
        plan: QueryPlan,
        collection: Collection,
        k: int,
        filters: Filters | None,
        context: Sequence[str],
    ) -> tuple[Pool, Selection]:
        pool = gather(plan, self.retriever, collection, k=k, filters=filters, context_ids=context)
        embed = self.embed
        selection = select(
            plan,
            pool,
            collection.max_idf,
            (lambda: missing_words(plan, embed)) if embed is not None else list,
        )
        return pool, selection

    def context_of(self, turns: Sequence[Turn], filters: Filters | None) -> tuple[str, ...]:
        """The papers the previous answer cited: known from an earlier ``Answer``, else found by
        answering the earlier questions again (extractively, so the same papers every time)."""
        last = turns[-1]
        if last.cited_ids is not None:
            return last.cited_ids
        key = (tuple(t.question for t in turns), tuple(t.cited_ids or () for t in turns), filters)
        index_key = self.retriever.latest_lexical_index().key
        with self._lock:
            cached = self._context.get((index_key, key))
        if cached is not None:
            return cached
        earlier = self.prepare(last.question, turns[:-1], filters)
        ids = tuple(earlier.selection.ids)
        with self._lock:
            self._context[(index_key, key)] = ids
            while len(self._context) > CONTEXT_CACHE:
                self._context.popitem(last=False)
        return ids


def _asked_again(source: str, collection: Collection) -> QueryPlan:
    """The previous question asked again for the papers it did not give yet ("any others?",
    "more like these" after a list cut at its length), read and embedded as it was asked."""
    return replace(make_plan(source, collection, listing=True), others=True)


def _seed(plan: QueryPlan, pool: Pool, selection: Selection) -> Candidate | None:
    """The one paper a "similar to X" question is about: the paper it names, else the one the
    previous answer cited ("anything similar?"). A topic ("related work on pruning") has
    none: it is answered as a list on the topic."""
    named = {c.paper_id: c for c in pool.candidates if c.named}
    if len(named) == 1:
        # by a name ("gptvq"), or by its title's first words ("cut your losses"); a topic a
        # title holds ("related to machine unlearning") is no paper's name
        paper = next(iter(named.values()))
        phrase = fold(similar_to(plan.question) or "")
        if any(t.name for t in plan.terms) or (
            phrase and fold(paper.paper.title).startswith(phrase)
        ):
            return paper
        return None
    context = [c for c in pool.candidates if c.context]
    asked = any(t.weight > 0 for t in plan.terms)
    if not named and len(context) == 1 and (selection.followup or not asked):
        return context[0]
    return None


def _has_main_term(plan: QueryPlan, selection: Selection) -> bool:
    """Whether a chosen paper contains the question's most informative word (if it has one)."""
    known = [t for t in plan.terms if t.in_collection and t.weight > 0]
    if not known:
        return True
    main = max(known, key=lambda t: t.weight)
    return any(present(main.key, c.terms) for c in selection.chosen)
