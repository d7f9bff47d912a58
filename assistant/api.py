"""The public Python API: ``Assistant(**settings).ask(question, history) -> Answer``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.answer import Answer, AnswerPart, Citation, RetrievedRef
from assistant.answering.candidates import Retriever
from assistant.answering.compose import spelling_notice
from assistant.answering.conversation import HistoryItem, turns_of
from assistant.answering.pipeline import Answering, Prepared
from assistant.answering.units import readable
from assistant.backends import AnswerRequest, Backend, BackendError, Draft, resolve
from assistant.backends.extractive import ExtractiveBackend, extractive_draft
from assistant.citations import VerifiedText, verify_citations
from assistant.settings import Settings
from vectorstore import tokens
from vectorstore.filters import FilterCoverage, Filters
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
    directory's first run, on first use. ``backend=`` and ``retriever=`` replace those parts
    (tests, benchmarks, other retrieval stacks); everything else stays as configured.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        backend: Backend | None = None,
        retriever: Retriever | None = None,
        **overrides: Any,
    ) -> None:
        if settings is None:
            self.settings = Settings(**overrides)
        else:
            self.settings = (
                Settings(**{**settings.model_dump(), **overrides}) if overrides else settings
            )
        tokens.configure(self.settings.cache_dir / "tiktoken")
        self._backend: Backend | None = backend
        if retriever is not None:
            self.__dict__["retriever"] = retriever
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
        store = PaperStore(
            s.store_path,
            model_dir=s.models_dir / "all-MiniLM-L6-v2",
            lock_path=s.lock_path,
            chroma_url=s.chroma_url,
            collection=s.collection,
            chunk_tokens=s.chunk_tokens,
            chunk_overlap=s.chunk_overlap,
        )
        if s.shipped_embeddings:  # the digest's vectors, computed ahead: no embedding on first run
            from assistant.resources import digest_embeddings

            store.embedder.precomputed = digest_embeddings()
        return store

    @cached_property
    def retriever(self) -> Retriever:
        key = "local" if not self.settings.chroma_url else _slug(self.settings.chroma_url)
        return HybridRetriever(
            self.store, self.settings.cache_dir / "bm25" / key / self.settings.collection
        )

    @cached_property
    def answering(self) -> Answering:
        """The answering stages (plan, candidates, selection, evidence) over this store."""
        return Answering(
            self.retriever,
            embed=self.store.embedder,
            load_papers=self.store.papers,
            top_k=self.settings.top_k,
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
        history: Sequence[HistoryItem] | None = None,
        k: int | None = None,
        *,
        filters: Filters | None = None,
        **filter_fields: Any,
    ) -> list[RetrievedPaper]:
        """The papers the answering stages consider for ``question``, best first (papers it
        names and, for a follow-up, the previous answer's papers lead)."""
        self.ensure_index()
        prepared = self.answering.prepare(
            _question(question), turns_of(history), self._filters(filters, filter_fields), k=k
        )
        return prepared.retrieved[: k or len(prepared.retrieved)]

    def filter_coverage(
        self, filters: Filters | None = None, **filter_fields: Any
    ) -> FilterCoverage:
        """How many papers the filters (merged with the defaults, as ``ask`` does) let through,
        and, when none, how each narrows them: front ends say so instead of asking in vain."""
        self.ensure_index()
        self.store.refresh()
        chosen = self._filters(filters, filter_fields)
        return self.retriever.filter_index().coverage(chosen)

    def _filters(self, filters: Filters | None, fields: dict[str, Any]) -> Filters:
        """The default filters, overridden by ``filters`` and by ``since=``/``source=``/... keywords."""
        chosen = self.filters.merged(filters)
        return chosen.merged(Filters.of(**fields)) if fields else chosen

    # -- answering ----------------------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = resolve(self.settings)
        return self._backend

    def ask(
        self,
        question: str,
        history: Sequence[HistoryItem] | None = None,
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
        history: Sequence[HistoryItem] | None = None,
        *,
        filters: Filters | None = None,
        **filter_fields: Any,
    ) -> Generator[str | Answer, None, None]:
        """Yield answer text as it is produced, then the final, verified ``Answer``.

        ``history`` holds the earlier turns, oldest first: questions (strings) or the earlier
        ``Answer`` objects (their cited papers are then known without answering them again).
        """
        question = _question(question)
        turns = turns_of(history)
        chosen = self._filters(filters, filter_fields)
        t0 = time.perf_counter()
        self.ensure_index()
        prepared = self.answering.prepare(question, turns, chosen)
        t1 = time.perf_counter()
        request = AnswerRequest(
            question=question,
            evidence=prepared.evidence,
            papers=prepared.retrieved,
            settings=self.settings,
            collection_size=prepared.papers,
        )
        # When the collection does not cover the question no model is asked: the extractive
        # answer says why, honestly and at once.
        writer = self.backend if prepared.evidence.answerable else ExtractiveBackend()
        backend = writer.name
        try:
            draft = None
            for item in writer.stream(request):
                if isinstance(item, Draft):
                    draft = item
                else:
                    yield item
            assert draft is not None, "backend ended without a final draft"
            verified = _verify(draft, prepared.retrieved)
            if not verified.cited_ids and not draft.abstained:
                raise BackendError("the model's answer cited none of the retrieved papers")
        except BackendError as exc:
            # Never a silent wrong answer: the extractive answer, saying why, in the metadata.
            draft = extractive_draft(request)
            draft.notices.append(f"{exc}; this is the extractive answer instead.")
            backend = "extractive"
            verified = _verify(draft, prepared.retrieved)
        t2 = time.perf_counter()
        yield self._finish(
            question,
            prepared,
            draft,
            verified,
            {"retrieve": t1 - t0, "answer": t2 - t1, "total": t2 - t0},
            backend=backend,
        )

    async def aask(
        self,
        question: str,
        history: Sequence[HistoryItem] | None = None,
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
        history: Sequence[HistoryItem] | None = None,
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
        prepared: Prepared,
        draft: Draft,
        verified: VerifiedText,
        seconds: dict[str, float],
        *,
        backend: str,
    ) -> Answer:
        retrieved = prepared.retrieved
        by_id = {r.paper_id: r for r in retrieved}
        citations = [
            Citation(
                title=by_id[pid].title,
                paper_id=pid,
                snippet=readable(by_id[pid].evidence),
                score=by_id[pid].score,
                url=by_id[pid].paper.url,
                date=by_id[pid].paper.date,
            )
            for pid in verified.cited_ids
        ]
        cited = set(verified.cited_ids)
        parts = [
            AnswerPart(p.paper_id, p.title, p.text, p.target)
            for p in draft.parts
            if p.paper_id in cited
        ]
        plan = prepared.plan
        notices = list(draft.notices)
        respelled = spelling_notice(
            plan, [f"{by_id[p].title}\n{by_id[p].paper.abstract}" for p in verified.cited_ids]
        )
        if respelled:
            notices.append(respelled)
        standalone = question
        if plan.followup and plan.context_ids:
            about = "; ".join(by_id[p].title for p in plan.context_ids if p in by_id)
            standalone = f"{question} (about: {about})" if about else question
        return Answer(
            question=question,
            text=verified.text,
            abstained=draft.abstained or not citations,
            backend=backend,
            citations=citations,
            retrieved=[RetrievedRef(r.title, r.paper_id, r.score) for r in retrieved],
            rejected_citations=verified.rejected,
            timings_ms={k: v * 1000 for k, v in seconds.items()},
            usage=draft.usage,
            model=draft.model,
            notices=notices,
            standalone_question=standalone,
            # "how big is each?" after a list is answered side by side, as a comparison is
            intent=("compare" if len(prepared.selection.targets) >= 2 else plan.intent.value),
            parts=parts,
        )


def _verify(draft: Draft, retrieved: list[RetrievedPaper]) -> VerifiedText:
    return verify_citations(draft.text, {r.paper_id: r.title for r in retrieved}, keys=draft.keys)


def _question(question: Any) -> str:
    if not isinstance(question, str):
        raise TypeError(f"the question must be a string, not {type(question).__name__}")
    if not question.strip():
        raise ValueError("the question is empty")
    return question


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)[:80]
