"""The LCEL answer chain shared by every chat-model backend.

``prompt -> chat model`` is one LangChain runnable. The model sees exactly the evidence the
answering stages chose (``assistant.answering``: which papers, which sentences, what kind of
answer), so it cannot borrow a number from a paper that was not chosen, and it answers lists,
comparisons and follow-ups the way the extractive answer does. Around the model sit the checks
that make its answer safe to show: no call at all when the evidence says the collection does not
cover the question (``Assistant`` answers extractively then), citations added to sentences it
left uncited, and the grounding check. An unusable draft raises ``BackendError``; ``Assistant``
then answers extractively, with a notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.answer import Usage
from assistant.answering.evidence import Evidence, EvidenceItem
from assistant.answering.reading import Intent
from assistant.answering.request import AnswerRequest, BackendError, Draft
from assistant.citations import BRACKET
from assistant.llm.attribution import attribute_uncited
from assistant.llm.grounding import check_grounding
from assistant.resources import prompt
from vectorstore import tokens

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

_DECLINE = re.compile(
    r"\b(cannot|can ?not|can't|unable to) (answer|determine|find)\b|\bdoes(n't| not) (say|mention|"
    r"state|cover|provide)\b|\bnot (mentioned|covered|stated|provided)\b|\bno information\b",
    re.IGNORECASE,
)
MIN_ANSWER_WORDS = 4
_TAG = re.compile(r"</?\s*[A-Za-z_][\w-]*\s*>")
_INSTRUCTIONS = {
    Intent.FACT: "Answer in at most 3 sentences. Start with the sentence that answers the question.",
    Intent.DEFINITION: "Say what it is in 1 to 3 sentences, starting with the defining sentence.",
    Intent.LIST: (
        "Write one line per paper, each starting with '- ', saying in one sentence why that "
        "paper matches the question, ending with its number. Include every paper of the evidence."
    ),
    Intent.COMPARE: (
        "Write one line per paper, each starting with '- ' and the name the question uses for it, "
        "answering the question for that paper, ending with its number."
    ),
}


def answer_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], Any]:
    """``{"evidence", "question", "instructions"} -> AIMessage`` (streams AIMessageChunks)."""
    from langchain_core.prompts import ChatPromptTemplate

    template = ChatPromptTemplate.from_messages(
        [("system", prompt("answer_system")), ("human", prompt("answer_user"))]
    )
    return template | llm


def _data(text: str) -> str:
    """Abstract text as inert data: no tags that could close the evidence block, no brackets."""
    return _TAG.sub(" ", text).replace("[", "(").replace("]", ")").strip()


def render_item(item: EvidenceItem) -> str:
    head = f'Paper [{item.key}] "{_data(item.paper.title)}"'
    if item.target:
        head += f" (the question calls it {_data(item.target)})"
    text = " ".join(_data(s) for s in item.sentences)
    if item.unstated:
        asked = ", ".join(_data(a) for a in item.unstated)
        text = f"(Its abstract says nothing about: {asked}.) {text}"
    if item.mentions_only:
        names = ", ".join(_data(n) for n in item.mentions_only)
        text = f"(This paper is not about {names}; it only mentions it.) {text}"
    return f"{head}: {text}"


def render_evidence(evidence: Evidence, budget: int) -> tuple[str, list[EvidenceItem]]:
    """The evidence block, within a token budget: later papers, then later sentences, are left
    out first (small models read slowly and lose track in long prompts)."""
    lines: list[str] = []
    shown: list[EvidenceItem] = []
    used = 0
    for item in evidence.items:
        while True:
            line = render_item(item)
            cost = tokens.count_tokens(line) + 2
            if used + cost <= budget or len(item.sentences) <= 1:
                break
            item = replace(item, sentences=item.sentences[:-1])
        if shown and used + cost > budget:
            break
        lines.append(line)
        shown.append(item)
        used += cost
    return "\n\n".join(lines), shown


def instructions(evidence: Evidence, shown: list[EvidenceItem]) -> str:
    intent = evidence.selection.intent
    if evidence.selection.targets and len(shown) >= 2:
        intent = Intent.COMPARE
    elif intent is Intent.LIST and len(shown) == 1:
        intent = Intent.FACT
    text = _INSTRUCTIONS[intent]
    if evidence.plan.motivation and intent is not Intent.LIST:
        text += " Say what problem or gap the paper takes on, then what it does about it."
    if any(not i.states_aspect for i in shown):
        text += " If a paper's abstract says nothing about what is asked, say so plainly."
    if any(i.mentions_only for i in shown):
        text += (
            " No paper here is about the thing asked about: say so, then what the paper says of it."
        )
    return text


def _usage(message: Any, prompt_text: str, completion: str) -> Usage:
    """From the API's usage when it reports one, else counted with tiktoken."""
    meta = getattr(message, "usage_metadata", None) or {}
    if meta.get("input_tokens") or meta.get("output_tokens"):
        return Usage(int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0)))
    return Usage(tokens.count_tokens(prompt_text), tokens.count_tokens(completion))


def _model_name(message: Any, fallback: str) -> str:
    meta = getattr(message, "response_metadata", None) or {}
    name = str(meta.get("model_name") or meta.get("model") or "").strip()
    return name if name and name != "-" else fallback


class ChatAnswerer:
    """Runs the chain on one chat model; ``label`` names it in answers (e.g. ``gpt-4o-mini``)."""

    def __init__(self, llm: BaseChatModel, label: str, backend_name: str) -> None:
        self.llm = llm
        self.label = label
        self.backend_name = backend_name

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        evidence = request.evidence
        evidence_text, shown = render_evidence(evidence, request.settings.evidence_tokens)
        inputs = {
            "evidence": evidence_text,
            "question": request.question,
            "instructions": instructions(evidence, shown),
        }
        pieces: list[str] = []
        last: Any = None
        try:
            for chunk in answer_chain(self.llm).stream(inputs):
                last = chunk if last is None else last + chunk
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    pieces.append(text)
                    yield text
        except Exception as exc:
            raise BackendError(f"the {self.backend_name} model failed: {_describe(exc)}") from exc
        raw = "".join(pieces).strip()
        usage = _usage(last, evidence_text + request.question, raw)
        _check_usable(raw)
        keys = {item.key: item.paper.paper_id for item in shown}
        grounded = check_grounding(
            attribute_uncited(raw, shown),
            request.papers,
            keys,
            request.question,
            request.settings.grounding,
        )
        yield Draft(
            text=grounded.text,
            abstained=False,
            model=_model_name(last, self.label),
            usage=usage,
            notices=grounded.notices,
            keys=keys,
        )


def _check_usable(raw: str) -> None:
    if not raw:
        raise BackendError("the model returned an empty answer")
    words = BRACKET.sub(" ", raw).split()
    if _DECLINE.search(raw) and len(words) < 25:
        raise BackendError("the model declined, although the retrieved papers cover the question")
    if len(words) < MIN_ANSWER_WORDS:
        raise BackendError("the model's answer was only a citation")


def _describe(exc: BaseException) -> str:
    """One line saying what went wrong, without a traceback or the request body."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    message = str(exc).splitlines()[0] if str(exc) else ""
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{name}{f' {status}' if status else ''}: {message}" if message else name
