"""The public Python API: ``Assistant(**settings).ask(question, history) -> Answer``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Citation, RetrievedRef, Usage
from assistant.backends import AnswerRequest, Backend, BackendError, Draft, resolve
from assistant.citations import verify_citations
from assistant.question import Question, analyze
from assistant.settings import Settings
from vectorstore import tokens
from vectorstore.filters import Filters
from vectorstore.readers import ReadOptions
from vectorstore.retrieval import HybridRetriever, RetrievedPaper
from vectorstore.store import EmptyStoreError, IngestReport, PaperRecord, PaperStore

ProgressFn = Callable[[int, int], None]
NoticeFn = Callable[[str], None]


# settings that decide which store is open and how it is read
_STORE_SETTINGS = ("home", "chroma_url", "collection", "chunk_tokens", "chunk_overlap")


class Assistant:
    """Answers questions about the indexed papers, citing the exact titles it used.

    ``Assistant(llm="extractive", top_k=5)`` takes the same names as the CLI flags and the
    ``ASSISTANT_*`` env vars. The store is opened, and the bundled digest indexed on a data
    directory's first run, on first use.
    """

    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        if settings is None:
            self.settings = Settings(**overrides)
        else:
            self.settings = (
                Settings(**{**settings.model_dump(), **overrides}) if overrides else settings
            )
        tokens.configure(self.settings.cache_dir / "tiktoken")
        self._backend: Backend | None = None
        self.on_progress: ProgressFn | None = None  # set by front ends to show ingest progress
        self.on_notice: NoticeFn | None = None
        # Default metadata filters for every question (the chat's /since sets them); a call's
        # own ``filters=`` / ``since=...`` override them field by field.
        self.filters = Filters()

    def with_settings(self, **overrides: Any) -> Assistant:
        """A copy with other settings (``llm="local"``, ``top_k=8``, …) that shares the open store
        and retriever when those settings leave them unchanged: opening them is the slow part.

        Front ends' hooks and default filters carry over. Raises pydantic's ValidationError.
        """
        new = Assistant(settings=self.settings, **overrides)
        if all(getattr(new.settings, k) == getattr(self.settings, k) for k in _STORE_SETTINGS):
            for reusable in ("store", "retriever"):  # cached_property values
                if reusable in self.__dict__:
                    new.__dict__[reusable] = self.__dict__[reusable]
        new.on_progress, new.on_notice = self.on_progress, self.on_notice
        new.filters = self.filters
        return new

    # -- the index ----------------------------------------------------------------------------
    @cached_property
    def store(self) -> PaperStore:
        s = self.settings
        return PaperStore(
            s.store_path,
            model_dir=s.models_dir / "all-MiniLM-L6-v2",
            lock_path=s.lock_path,
            chroma_url=s.chroma_url,
            collection=s.collection,
            chunk_tokens=s.chunk_tokens,
            chunk_overlap=s.chunk_overlap,
        )

    @cached_property
    def retriever(self) -> HybridRetriever:
        key = "local" if not self.settings.chroma_url else _slug(self.settings.chroma_url)
        return HybridRetriever(
            self.store, self.settings.cache_dir / "bm25" / key / self.settings.collection
        )

    def ensure_index(self) -> None:
        """Index the bundled digest on a data directory's first run (with ``auto_ingest``).

        Only then: a store that held papers and holds none now (all removed, or its files
        emptied) raises ``EmptyStoreError`` instead of being refilled without a word.
        """
        store = self.store
        if store.count_papers():
            store.mark_had_papers()  # also for data directories from before the mark
            return
        if store.had_papers():
            raise EmptyStoreError(
                f"the paper store at {store.location} has no papers, though it had some "
                "(all removed, or its files were emptied); add papers with: assistant ingest FILE"
            )
        if self.settings.auto_ingest:
            from assistant.resources import bundled_digest

            self.ingest([bundled_digest()])

    def ingest(
        self,
        paths: Sequence[str | Path],
        fmt: str | None = None,
        *,
        strict: bool = False,
        fields: dict[str, str] | None = None,
        on_problem: Callable[[Exception], None] | None = None,
    ) -> IngestReport:
        """Index files of papers; see ``vectorstore.ingest_files`` for the all-or-nothing rules."""
        from vectorstore.ingest import ingest_files

        options = ReadOptions(strict=strict, fields=fields or {}, on_problem=on_problem)
        report = ingest_files(
            self.store,
            paths,
            fmt,
            options,
            progress=self.on_progress,
            on_wait=self.on_notice,
        )
        if report.changed:
            self._rebuild_lexical_index()
        return report

    def papers(self) -> list[PaperRecord]:
        self.ensure_index()
        return self.store.papers()

    def remove(self, paper_ids: Sequence[str]) -> int:
        removed = self.store.remove(paper_ids)
        if removed:
            self._rebuild_lexical_index()
        return removed

    def _rebuild_lexical_index(self) -> None:
        """Build the BM25 index and the filter table of the new store state now (~30 s and
        ~13 s at 100k papers) and persist them, so the next question, here or in another process, loads them
        instead of building them."""
        chunks = self.store.count_chunks()
        if chunks > 20_000 and self.on_notice:
            self.on_notice(f"updating the keyword index ({chunks:,} chunks)…")
        generation = self.store.generation()
        self.retriever.lexical_index(generation)
        self.retriever.filter_index(generation)

    def retrieve(
        self,
        question: str,
        history: Sequence[str] | None = None,
        k: int | None = None,
        *,
        filters: Filters | None = None,
        **filter_fields: Any,
    ) -> list[RetrievedPaper]:
        self.ensure_index()
        q = analyze(question, history or ())
        return self.retriever.retrieve(
            q.query, k or self._k_for(q), filters=self._filters(filters, filter_fields)
        )

    def _filters(self, filters: Filters | None, fields: dict[str, Any]) -> Filters:
        """The default filters, overridden by ``filters`` and by ``since=``/``source=``/... keywords."""
        chosen = self.filters.merged(filters)
        return chosen.merged(Filters.of(**fields)) if fields else chosen

    def _k_for(self, q: Question) -> int:
        """Questions asking for several papers ("which papers ...") look twice as wide."""
        return self.settings.top_k * (2 if q.wants_many else 1)

    # -- answering ----------------------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = resolve(self.settings)
        return self._backend

    def ask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        filters: Filters | None = None,
        **filter_fields: Any,
    ) -> Answer:
        """Answer from the papers passing the filters (``since="2026-11-20"``, ``category="cs.CL"``, …)."""
        answer = None
        for item in self.stream(question, history, filters=filters, **filter_fields):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        filters: Filters | None = None,
        **filter_fields: Any,
    ) -> Generator[str | Answer, None, None]:
        """Yield answer text as it is produced, then the final, verified ``Answer``."""
        if not question or not question.strip():
            raise ValueError("the question is empty")
        chosen = self._filters(filters, filter_fields)
        t0 = time.perf_counter()
        self.ensure_index()
        history = list(history or ())
        standalone, pre_usage, notices = self._standalone(question, history)
        q = analyze(standalone, history)
        retrieved = self.retriever.retrieve(q.query, self._k_for(q), filters=chosen)
        t1 = time.perf_counter()
        index = self.retriever.latest_lexical_index()
        request = AnswerRequest(
            question=q,
            papers=retrieved,
            idf=index.idf,
            settings=self.settings,
            max_idf=index.idf("\x00absent"),
        )
        draft: Draft | None = None
        backend = self.backend.name
        try:
            for item in self.backend.stream(request):
                if isinstance(item, Draft):
                    draft = item
                else:
                    yield item
        except BackendError as exc:
            # Never a silent wrong answer: the extractive answer, saying why, in the metadata.
            from assistant.backends.extractive import ExtractiveBackend

            draft = ExtractiveBackend().draft(request)
            draft.notices.append(f"{exc}; this is the extractive answer instead.")
            backend = "extractive"
        assert draft is not None, "backend ended without a final draft"
        draft.notices[:0] = notices
        draft.usage = Usage(
            draft.usage.prompt_tokens + pre_usage.prompt_tokens,
            draft.usage.completion_tokens + pre_usage.completion_tokens,
        )
        t2 = time.perf_counter()
        yield self._finish(
            question,
            q.query,
            draft,
            retrieved,
            {"retrieve": t1 - t0, "answer": t2 - t1, "total": t2 - t0},
            backend=backend,
        )

    def _standalone(self, question: str, history: list[str]) -> tuple[str, Usage, list[str]]:
        """A follow-up rewritten as a standalone question by the LLM backend, if there is one.

        Extractive (and a failed rewrite) keeps ``analyze``'s heuristic: the previous turn is
        added to the retrieval query when the question leans on it.
        """
        condense = getattr(self.backend, "condense", None)
        if not history or condense is None:
            return question, Usage(), []
        try:
            standalone, usage = condense(question, history)
        except BackendError as exc:
            return question, Usage(), [f"{exc}; the earlier question was used as context."]
        return standalone, usage, []

    async def aask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        filters: Filters | None = None,
        **filter_fields: Any,
    ) -> Answer:
        """Async twin of ``ask``."""
        answer = None
        async for item in self.astream(question, history, filters=filters, **filter_fields):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    async def astream(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        filters: Filters | None = None,
        **filter_fields: Any,
    ) -> AsyncIterator[str | Answer]:
        """Async twin of ``stream``: the same steps in a worker thread, items relayed as they come.

        Retrieval (Chroma, the embedder) is blocking, so one code path serves both; the event loop
        is never blocked and the final ``Answer`` is verified exactly as in ``stream``.
        """
        import asyncio
        import threading

        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def work() -> None:
            try:
                for item in self.stream(question, history, filters=filters, **filter_fields):
                    loop.call_soon_threadsafe(queue.put_nowait, ("item", item))
            except BaseException as exc:
                loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
            else:
                loop.call_soon_threadsafe(queue.put_nowait, ("done", None))

        threading.Thread(target=work, name="assistant-astream", daemon=True).start()
        while True:
            kind, value = await queue.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield value

    def _finish(
        self,
        question: str,
        standalone: str,
        draft: Draft,
        retrieved: list[RetrievedPaper],
        seconds: dict[str, float],
        *,
        backend: str | None = None,
    ) -> Answer:
        by_id = {r.paper_id: r for r in retrieved}
        verified = verify_citations(
            draft.text,
            {r.paper_id: r.title for r in retrieved},
            keys=draft.keys,
        )
        citations = [
            Citation(
                title=by_id[pid].title,
                paper_id=pid,
                snippet=by_id[pid].evidence,
                score=by_id[pid].score,
                url=by_id[pid].paper.url,
                date=by_id[pid].paper.date,
            )
            for pid in verified.cited_ids
        ]
        return Answer(
            question=question,
            text=verified.text,
            abstained=draft.abstained or not citations,
            backend=backend or self.backend.name,
            citations=citations,
            retrieved=[RetrievedRef(r.title, r.paper_id, r.score) for r in retrieved],
            rejected_citations=verified.rejected,
            timings_ms={k: v * 1000 for k, v in seconds.items()},
            usage=draft.usage,
            model=draft.model,
            notices=draft.notices,
            standalone_question=standalone,
        )


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)[:80]
