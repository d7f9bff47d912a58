"""The LangChain integration composed as a user would: PaperRetriever and AssistantRunnable in
plain LCEL chains, with a fake chat model from langchain_core standing in for an LLM."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant.answer import Answer
from assistant.langchain_integration import AssistantRunnable, PaperRetriever

GAUSS = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"


def test_retriever_documents_carry_the_papers_metadata(assistant: Any) -> None:
    retriever = PaperRetriever(assistant=assistant, k=3)
    docs = retriever.invoke("real-time radiance field rendering at 1080p")
    direct = assistant.retrieve("real-time radiance field rendering at 1080p", k=3)
    assert [d.metadata["paper_id"] for d in docs] == [h.paper_id for h in direct]
    top = docs[0]
    assert isinstance(top, Document) and top.metadata["title"] == GAUSS
    assert top.page_content.startswith("Radiance Field methods")
    assert set(top.metadata) >= {"title", "paper_id", "url", "score", "evidence"}
    assert top.metadata["score"] >= docs[-1].metadata["score"]
    async_docs = asyncio.run(retriever.ainvoke("real-time radiance field rendering at 1080p"))
    assert [d.id for d in async_docs] == [d.id for d in docs]
    assert PaperRetriever(assistant=assistant, filters={"category": "cs.CL"}).invoke("LoRA") == []


def test_retriever_in_an_lcel_chain_with_a_fake_chat_model(assistant: Any) -> None:
    seen: list[str] = []

    def spy(prompt: Any) -> Any:
        seen.append(prompt.to_string())
        return prompt

    def format_docs(docs: list[Document]) -> str:
        return "\n\n".join(f"[{d.metadata['title']}] {d.page_content}" for d in docs)

    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from these papers:\n{context}"), ("human", "{question}")]
    )
    model = GenericFakeChatModel(messages=iter([AIMessage(content="It splats Gaussians.")]))
    chain = (
        {
            "context": PaperRetriever(assistant=assistant, k=2) | format_docs,
            "question": RunnablePassthrough(),
        }
        | prompt
        | RunnableLambda(spy)
        | model
        | StrOutputParser()
    )
    assert chain.invoke("What is 3D Gaussian splatting?") == "It splats Gaussians."
    (sent,) = seen
    assert f"[{GAUSS}] Radiance Field methods" in sent
    assert sent.rstrip().endswith("Human: What is 3D Gaussian splatting?")


def test_assistant_runnable_answers_in_a_chain(assistant: Any) -> None:
    runnable = AssistantRunnable(assistant=assistant)
    cited_titles = RunnableLambda(lambda a: [c.title for c in a.citations])
    chain = RunnableLambda(lambda q: {"question": q["q"], "history": q.get("h", [])}) | runnable
    answer = chain.invoke({"q": "How fast does it train?", "h": ["What is 3D Gaussian splatting?"]})
    assert isinstance(answer, Answer) and answer.citations[0].title == GAUSS
    retrieved = {r.paper_id for r in answer.retrieved}
    assert all(c.paper_id in retrieved for c in answer.citations)

    questions = ["What is 3D Gaussian splatting?", "What is LVChat?"]
    batched = (runnable | cited_titles).batch(questions)
    assert batched[0][0] == GAUSS and "LVCHAT" in batched[1][0]
    assert asyncio.run(runnable.ainvoke(questions[1])).citations[0].title == batched[1][0]
    assert runnable.invoke({"question": questions[0], "category": "cs.CL"}).citations == []
    with pytest.raises(ValueError, match='"question"'):
        runnable.invoke({"query": "x"})
