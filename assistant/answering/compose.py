"""Composition of the extractive answer: the evidence, laid out for what was asked.

One paper: the sentence that answers first, then what adds to it. A list: one line per paper
with the sentence that shows why it belongs. A comparison: one entry per named paper, side by
side. When the abstract does not state what was asked, the answer says so plainly. When the
collection does not cover the question, the answer says why, briefly, and cites nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.evidence import Evidence, EvidenceItem
from assistant.answering.language import everyday_english
from assistant.answering.plan import QueryPlan, Term
from assistant.answering.reading import Intent
from assistant.answering.selection import Abstain
from assistant.answering.units import defines_name, quantities, text_terms
from assistant.answering.words import read_words
from vectorstore.text import split_sentences, term_key

NOT_COVERED = "The papers in this collection don't seem to cover this"
LANGUAGE_NAMES = {
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}


@dataclass(frozen=True)
class Part:
    """One paper's share of an answer (a list line, a comparison entry, the single answer)."""

    paper_id: str
    title: str
    text: str  # the sentences, without the citation
    target: str | None = None  # comparison: the name this entry answers for


@dataclass
class Composed:
    text: str
    parts: list[Part]
    abstained: bool
    notices: list[str]


def _quote(words: list[str] | tuple[str, ...], limit: int = 3) -> str:
    shown = [f"'{_short(w)}'" for w in words[:limit]]
    return ", ".join(shown[:-1]) + (" or " if len(shown) > 1 else "") + shown[-1] if shown else ""


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def abstention(evidence: Evidence, papers: int) -> str:
    sel = evidence.selection
    if sel.abstain is Abstain.ABSENT and sel.absent:
        names = " and ".join(f"'{_short(a)}'" for a in sel.absent[:3])
        verb = "are" if len(sel.absent) > 1 else "is"
        return (
            f"{names} {verb} not in this collection of {papers} papers: no paper here is titled "
            "or named that, so nothing is cited."
        )
    if sel.near is not None:
        return f"No other paper in this collection of {papers} is close to {sel.near}."
    listed = len(evidence.plan.context_ids)
    if evidence.plan.others and listed and sel.abstain is Abstain.WEAK:
        # "what other VQ papers are there?", "more like these"
        return f"No other paper in this collection matches beyond the {listed} already given."
    if sel.abstain is Abstain.NO_TOPIC:
        return (
            f"Ask me about the {papers} papers in this collection: what one proposes or reports, "
            "which ones cover a topic, or how two compare."
        )
    if sel.abstain is Abstain.MISSING and sel.absent:
        return f"{NOT_COVERED}: no paper here mentions {_quote(sel.absent)}."
    return f"{NOT_COVERED} question."


def compose(evidence: Evidence, papers: int) -> Composed:
    """The extractive answer's text (citations as exact titles in brackets) and its parts."""
    notices: list[str] = []
    if not evidence.answerable:
        return Composed(abstention(evidence, papers), [], True, notices)
    plan, sel = evidence.plan, evidence.selection
    lines: list[str] = []
    if plan.language != "en":
        name = LANGUAGE_NAMES.get(plan.language, "another language")
        note = f"The question is in {name}; this answer quotes the English abstract."
        notices.append(note)
        lines.append(f"({note})")
    parts = [
        Part(i.paper.paper_id, i.paper.title, " ".join(i.sentences), i.target)
        for i in evidence.items
    ]
    if sel.targets and len(evidence.items) >= 2:
        if plan.among:  # "which one is fastest?" after a list
            lines.append("The abstracts do not rank these papers; each one's own figures:")
        for item in evidence.items:
            lines.append(f"- {item.target}: {_body(item, evidence)} [{item.paper.title}]")
        if sel.absent:
            lines.append(f"({_quote(sel.absent)} is not in this collection.)")
    elif sel.intent is Intent.LIST and len(evidence.items) > 1:
        shown = len(evidence.items)
        if sel.near is not None:  # "related work for X"
            lines.append(f"The {shown} papers in this collection closest to {sel.near}:")
        elif sel.ambiguous is not None:  # "summarize the transformer paper"
            lines.append(
                f"{shown + sel.more} papers here have '{_short(sel.ambiguous)}' in their "
                "titles; which one do you mean?"
            )
        elif sel.ranked is not None:  # "which paper uses the most GPUs?"
            word, direction = sel.ranked
            end = "largest" if direction > 0 else "smallest"
            lines.append(
                f"By the figure each abstract gives for '{word}', {end} first "
                f"({shown + sel.more} papers here give one):"
            )
        elif sel.among:  # "which ones are for LLMs?" after a list
            lines.append(f"{shown} of the {sel.among} papers listed before:")
        elif sel.partial:  # "causal inference": papers with "causal attention"
            lines.append(
                f"No paper here has all of '{' '.join(sel.partial)}'; {shown} have part of it:"
            )
        elif plan.count and sel.more:  # "top 3 papers on X"
            lines.append(f"The {shown} that match best, of {shown + sel.more} in this collection:")
        else:
            lines.append(f"{shown} papers in this collection match:")
        for item in evidence.items:
            lines.append(f"- {_body(item, evidence)} [{item.paper.title}]")
        if sel.more and sel.near is not None:
            lines.append(f"…and {sel.more} more close to it.")
        elif sel.more and not plan.count and sel.ranked is None:
            lines.append(
                f"…and {sel.more} more paper{'s' if sel.more > 1 else ''} that match; "
                "a narrower question (or a filter) shows them."
            )
    else:
        item = evidence.items[0]
        meta = _metadata(item, plan.metadata)
        if sel.near is not None:
            meta = f"One paper in this collection is close to {sel.near}: " + meta
        elif sel.intent is Intent.LIST and sel.partial:
            meta = (
                f"No paper here has all of '{' '.join(sel.partial)}'; one has part of it: " + meta
            )
        elif sel.intent is Intent.LIST and not sel.more and not sel.followup:
            meta = "One paper in this collection matches: " + meta  # asked for several
        elif sel.intent is Intent.LIST and plan.count:  # "the best paper on X"
            meta = f"The best match of {1 + sel.more} in this collection: " + meta
        elif sel.intent is Intent.COMPARE and len(plan.targets) >= 2 and not sel.followup:
            # asked to compare things the collection has no separate papers for
            named = [t for t in plan.targets if _names_a_thing(t, plan)]
            untitled = [t for t in named if not _titled(t, item, plan)]
            note = "Only one paper here speaks to this comparison: "
            if len(named) < len(plan.targets) and not untitled:
                note = ""  # a paper against a generic point ("how did S3T do vs the baselines")
            elif untitled:
                names = " or ".join(f"'{_short(t)}'" for t in untitled)
                note = f"No paper here is about {names} itself; only one speaks to this: "
            meta = note + meta
        elif item.mentions_only:
            names = " or ".join(f"'{_short(t)}'" for t in item.mentions_only)
            meta = f"No paper here is about {names} itself; this one mentions it: " + meta
        lines.append(f"{meta}{_body(item, evidence)} [{item.paper.title}]")
    return Composed("\n".join(lines), parts, False, notices)


def _target_terms(target: str, plan: QueryPlan) -> list[Term]:
    return [t for t in plan.terms if t.surface.casefold() in target.casefold()]


def _names_a_thing(target: str, plan: QueryPlan) -> bool:
    """Whether a comparison's target names something ("qlora", "LQ-LoRA") rather than a
    generic point of comparison made of everyday words ("the baselines", "full fine-tuning")."""
    return any(t.name or not everyday_english(t.surface) for t in _target_terms(target, plan))


def _titled(target: str, item: EvidenceItem, plan: QueryPlan) -> bool:
    """Whether a comparison's target is what this paper is about: its words are the title's
    ("LQ-LoRA"), or its names are the paper's own ("S3T" in "how did s3t perform"; not
    "GaLore" in a paper that outperforms GaLore)."""
    terms = [t for t in _target_terms(target, plan) if t.in_collection]
    keys = {t.key for t in terms}
    if keys and keys <= text_terms(item.paper.title):
        return True
    # "ofa": the name the paper gives itself ("we propose … a once-for-all (OFA) network")
    return any(
        defines_name(s, t.surface, own=True)
        for t in terms
        for s in split_sentences(item.paper.paper.abstract)
    )


def _metadata(item: EvidenceItem, asked: tuple[str, ...]) -> str:
    """What the paper's record says when the question asks for it (authors, date)."""
    record = item.paper.paper
    said = []
    if "authors" in asked:
        authors = list(record.authors)
        if authors:
            shown = ", ".join(authors[:8]) + (" et al." if len(authors) > 8 else "")
            said.append(f"Its authors are {shown}.")
        else:
            said.append("This collection has no author list for it.")
    if "date" in asked:
        said.append(f"It is dated {record.date}." if record.date else "It has no date here.")
    return " ".join(said) + " " if said else ""


def _body(item: EvidenceItem, evidence: Evidence) -> str:
    text = " ".join(item.sentences)
    if item.states_aspect:
        return text
    if evidence.plan.wants_quantity and item.sentences and quantities(item.sentences[0]):
        # "what speedup does BitPipe get?": the figure it gives ("improves throughput by
        # 1.05x-1.28x") is the answer, whatever word the abstract uses for it
        return text
    return f"The abstract does not mention {_quote(item.unstated)}. What it says: {text}"


def spelling_notice(plan: QueryPlan, texts: Sequence[str]) -> str | None:
    """ "Read 'gausian' as 'Gaussian'.": the typos the question was read with, written as the
    papers answered from write the word, so that a wrong guess ("deepseek" read as DeepSpeed)
    shows at once."""
    from rapidfuzz.distance import Levenshtein

    respelled = [(t.key, t.corrected_from) for t in plan.terms if t.respelled and t.corrected_from]
    if not respelled:
        return None
    # every word the papers write, and its key: read once for all the typos
    written_as = [
        (part, term_key(part.casefold()))
        for text in texts
        for w in read_words(text)
        for part in (w.surface, *w.surface.split("-"))
    ]
    fixes = []
    for read_as, typo in respelled:
        forms = {part for part, key in written_as if key == read_as}
        # the form nearest what was typed ("rendr": "render", not "Rendering")
        typed = typo.casefold()
        written = min(
            forms, key=lambda f: (Levenshtein.distance(typed, f.casefold()), f), default=None
        )
        if written and written[1:].islower():
            written = written.lower()  # a title's capital ("Generalization") is no name's
        if written and written.casefold() != typed:
            fixes.append(f"'{typo}' as '{written}'")
    return f"Read {', '.join(fixes)}." if fixes else None
