"""LangChain building blocks: the assistant's retrieval as a ``BaseRetriever`` and the whole
assistant as a ``Runnable``, to drop into an LCEL chain.

    from assistant import Assistant
    from assistant.langchain_integration import AssistantRunnable, PaperRetriever

    retriever = PaperRetriever(assistant=Assistant(), k=4, filters={"since": "2026-11"})
    docs = retriever.invoke("LoRA variants")       # Documents: abstract + title, id, url, score
    answer = AssistantRunnable(assistant=Assistant()).invoke("What is LQ-LoRA?")  # an Answer
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from pydantic import ConfigDict, Field

from assistant.answer import Answer
from assistant.api import Assistant
from vectorstore.retrieval import RetrievedPaper

AssistantInput = str | Mapping[str, Any]


def paper_document(hit: RetrievedPaper) -> Document:
    """A retrieved paper as a Document: the abstract as content, the rest as metadata."""
    paper = hit.paper
    return Document(
        page_content=paper.abstract,
        id=paper.paper_id,
        metadata={
            "title": paper.title,
            "paper_id": paper.paper_id,
            "url": paper.url,
            "score": hit.score,
            "date": paper.date,
            "authors": list(paper.authors),
            "evidence": hit.evidence,  # the passage that matched best
        },
    )


class PaperRetriever(BaseRetriever):
    """Wraps ``Assistant.retrieve``: hybrid (dense + BM25) retrieval, one Document per paper,
    best first. ``filters`` takes the keywords ``ask`` takes: since, added_since, source,
    category, author."""

    assistant: Assistant
    k: int | None = Field(
        default=None, ge=1, le=100, description="Papers per query (default: top_k)."
    )
    filters: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(arbitrary_types_allowed=True)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.assistant.retrieve(query, k=self.k, **self.filters)
        return [paper_document(h) for h in hits]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> list[Document]:
        import asyncio

        return await asyncio.to_thread(
            self._get_relevant_documents, query, run_manager=run_manager.get_sync()
        )


def _question(value: AssistantInput) -> tuple[str, list[Any], dict[str, Any]]:
    """``"question"`` or ``{"question": ..., "history": [...], "since": ..., ...}``."""
    if isinstance(value, str):
        return value, [], {}
    if not isinstance(value, Mapping) or not isinstance(value.get("question"), str):
        raise ValueError('expected a question, or a mapping with a "question" string')
    rest = {k: v for k, v in value.items() if k not in ("question", "history")}
    history = value.get("history") or []
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise ValueError('"history" must be a list of earlier turns')
    return value["question"], list(history), rest


class AssistantRunnable(RunnableSerializable[AssistantInput, Answer]):
    """The whole assistant as a Runnable: a question (or ``{"question", "history", filters…}``)
    in, a verified ``Answer`` out. ``ainvoke`` uses ``Assistant.aask``; ``batch`` answers in
    parallel threads like any Runnable."""

    assistant: Assistant

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def InputType(self) -> Any:  # LangChain's name
        return AssistantInput

    @property
    def OutputType(self) -> type[Answer]:  # LangChain's name
        return Answer

    def _answer(self, value: AssistantInput) -> Answer:
        question, history, filters = _question(value)
        return self.assistant.ask(question, history, **filters)

    async def _aanswer(self, value: AssistantInput) -> Answer:
        question, history, filters = _question(value)
        return await self.assistant.aask(question, history, **filters)

    def invoke(
        self, input: AssistantInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return self._call_with_config(self._answer, input, config)

    async def ainvoke(
        self, input: AssistantInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return await self._acall_with_config(self._aanswer, input, config)
