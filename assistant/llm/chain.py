"""The LCEL answer chain shared by every chat-model backend.

``evidence -> prompt -> chat model`` is one LangChain runnable; around it sit the checks that
make an LLM answer safe to show: the extractive gate (weak evidence: abstain without asking the
model), the grounding check, and a pre-verification that decides whether the draft is usable.
An unusable draft raises ``BackendError``; ``Assistant`` then falls back to extractive with a notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.answer import Usage
from assistant.backends.base import AnswerRequest, BackendError, Draft
from assistant.backends.extractive import pick_sentences
from assistant.citations import verify_citations
from assistant.llm.attribution import attribute_uncited
from assistant.llm.evidence import Evidence, build_evidence
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
_BRACKETS = re.compile(r"\[[^\[\]\n]*\]")
MIN_ANSWER_WORDS = 4


def answer_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], Any]:
    """``{"evidence", "question", "max_sentences"} -> AIMessage`` (streams AIMessageChunks)."""
    from langchain_core.prompts import ChatPromptTemplate

    template = ChatPromptTemplate.from_messages(
        [("system", prompt("answer_system")), ("human", prompt("answer_user"))]
    )
    return template | llm


def condense_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], Any]:
    """``{"history", "question"} -> AIMessage`` holding one standalone question."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages([("human", prompt("condense"))]) | llm


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

    # -- follow-ups ----------------------------------------------------------------------------
    def condense(self, question: str, history: Sequence[str]) -> tuple[str, Usage]:
        """A standalone version of ``question``; raises BackendError if the model fails."""
        inputs = {"history": "\n".join(f"- {h}" for h in history), "question": question}
        try:
            message = condense_chain(self.llm).invoke(inputs)
        except Exception as exc:
            raise BackendError(f"rewriting the follow-up failed: {_describe(exc)}") from exc
        text = _first_line(str(message.content))
        if not _plausible_rewrite(question, text):
            raise BackendError("the model did not return a usable standalone question")
        prompt_text = inputs["history"] + " " + question
        return text, _usage(message, prompt_text, text)

    # -- answering -----------------------------------------------------------------------------
    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        evidence = build_evidence(request)
        if not evidence.answerable:
            # The extractive gate: nothing retrieved covers the question; the model is not asked.
            yield from self._abstain(request)
            return
        s = request.settings
        evidence_text = evidence.render()
        inputs = {
            "evidence": evidence_text,
            "question": request.question.text,
            "max_sentences": max(3, len(evidence.items)) if request.question.wants_many else 3,
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
        usage = _usage(last, evidence_text + request.question.text, raw)
        model = _model_name(last, self.label)
        text = self._usable_text(attribute_uncited(raw, evidence), evidence, request)
        grounded = check_grounding(
            text,
            request.papers,
            evidence.keys,
            request.question.text,
            s.grounding,
            lambda paper, sentence: _closest_sentence(paper, sentence, request),
        )
        if not _has_valid_citation(grounded.text, evidence, request):
            raise BackendError("after the grounding check no cited sentence was left")
        yield Draft(
            text=grounded.text,
            abstained=False,
            model=model,
            usage=usage,
            notices=grounded.notices,
            keys=evidence.keys,
        )

    def _usable_text(self, raw: str, evidence: Evidence, request: AnswerRequest) -> str:
        if not raw:
            raise BackendError("the model returned an empty answer")
        words = _BRACKETS.sub(" ", raw).split()
        if _DECLINE.search(raw) and len(words) < 25:
            raise BackendError(
                "the model declined, although the retrieved papers cover the question"
            )
        if len(words) < MIN_ANSWER_WORDS:
            raise BackendError("the model's answer was only a citation")
        if not _has_valid_citation(raw, evidence, request):
            raise BackendError("the model's answer cited none of the retrieved papers")
        return raw

    def _abstain(self, request: AnswerRequest) -> Iterator[str | Draft]:
        from assistant.backends.extractive import ExtractiveBackend

        draft = ExtractiveBackend().draft(request)  # same gate, so an honest abstention
        yield draft.text
        yield draft


def _closest_sentence(paper: Any, flagged: str, request: AnswerRequest) -> str | None:
    """The cited abstract's sentence that best matches what the flagged sentence tried to say."""
    from assistant.question import analyze

    about = analyze(f"{flagged} {request.question.text}")
    return next(iter(pick_sentences(about, paper, request.idf, 1)), None)


def _has_valid_citation(text: str, evidence: Evidence, request: AnswerRequest) -> bool:
    verified = verify_citations(
        text, {p.paper_id: p.title for p in request.papers}, keys=evidence.keys
    )
    return bool(verified.cited_ids)


def _plausible_rewrite(question: str, rewrite: str) -> bool:
    """A rewrite is a question that keeps most of the follow-up's own content words.

    Small models sometimes answer instead, or drop the very thing asked ("how many bits").
    """
    from assistant.question import content_terms

    if not rewrite or len(rewrite.split()) > 3 * len(question.split()) + 30:
        return False
    asked = set(content_terms(question))
    kept = asked & set(content_terms(rewrite))
    is_question = rewrite.rstrip().endswith("?") or bool(
        re.match(
            r"^(what|which|how|who|when|where|why|does|do|is|are|can|list|name)\b", rewrite, re.I
        )
    )
    return is_question and (not asked or len(kept) >= 0.6 * len(asked))


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = re.sub(
            r"^(standalone question|rewritten question|question)\s*:\s*",
            "",
            line.strip(),
            flags=re.I,
        )
        line = line.strip().strip('"“”').strip()
        if line:
            return line
    return ""


def _describe(exc: BaseException) -> str:
    """One line saying what went wrong, without a traceback or the request body."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    message = str(exc).splitlines()[0] if str(exc) else ""
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{name}{f' {status}' if status else ''}: {message}" if message else name
