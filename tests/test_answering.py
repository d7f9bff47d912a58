"""Answers from the extractive backend through the public API: grounded, cited, honest."""

from __future__ import annotations

import re

from assistant import Answer, Assistant


def bracketed(text: str) -> list[str]:
    return re.findall(r"\[([^\[\]]+)\]", text)


def test_answer_cites_exact_titles_of_retrieved_papers(assistant: Assistant) -> None:
    ans = assistant.ask(
        "How much faster is the linear operator when transformers are trained with INT4 arithmetic?"
    )
    assert isinstance(ans, Answer) and not ans.abstained
    retrieved = {r.title for r in ans.retrieved}
    assert ans.citations and all(c.title in retrieved for c in ans.citations)
    assert set(bracketed(ans.text)) == {c.title for c in ans.citations}
    assert ans.citations[0].title == "Training Transformers with 4-bit Integers"
    assert "2.2 times" in ans.text  # numbers kept exactly as in the abstract
    assert ans.citations[0].snippet and ans.citations[0].paper_id


def test_multi_paper_question_cites_several_papers(assistant: Assistant) -> None:
    ans = assistant.ask(
        "Which papers release large interleaved image-text corpora for pretraining?"
    )
    assert len(ans.citations) >= 3
    assert (
        sum(
            t.startswith(("Multimodal C4", "OmniCorpus", "MINT-1T", "mOSCAR"))
            for t in (c.title for c in ans.citations)
        )
        >= 3
    )


def test_off_topic_question_abstains_and_cites_nothing(assistant: Assistant) -> None:
    ans = assistant.ask("Which paper studies the migration routes of Arctic terns?")
    assert ans.abstained
    assert ans.citations == [] and bracketed(ans.text) == []
    assert "don't seem to cover" in ans.text


def test_follow_up_resolves_it_from_history(assistant: Assistant) -> None:
    ans = assistant.ask(
        "How many bits does its LLaMA-2-70B model use?", history=["What does LQ-LoRA do?"]
    )
    assert ans.citations[0].title.startswith("LQ-LoRA")
    assert not ans.abstained


def test_to_dict_is_the_json_contract(assistant: Assistant) -> None:
    d = assistant.ask("What is CrossSplit?").to_dict()
    assert {
        "question",
        "answer",
        "abstained",
        "backend",
        "citations",
        "retrieved",
        "rejected_citations",
        "timings_ms",
    } <= set(d)
    assert d["backend"] == "extractive"
    assert set(d["citations"][0]) == {"title", "paper_id", "snippet", "score"}
    assert set(d["retrieved"][0]) == {"title", "paper_id", "score"}
    assert set(d["timings_ms"]) == {"retrieve", "answer", "total"}
    assert isinstance(d["citations"][0]["score"], float)


def test_settings_are_keyword_arguments_and_env_vars(built_home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pydantic
    import pytest

    monkeypatch.setenv("ASSISTANT_TOP_K", "3")
    a = Assistant(home=built_home, llm="extractive")
    assert a.settings.top_k == 3
    assert len(a.ask("What is MIO?").retrieved) == 3
    assert Assistant(home=built_home, top_k=9).settings.top_k == 9
    with pytest.raises(pydantic.ValidationError):
        Assistant(home=built_home, top_k=0)
    with pytest.raises(pydantic.ValidationError):
        Assistant(home=built_home, not_a_setting=1)


def test_with_settings_switches_answer_settings_and_keeps_the_open_store(
    assistant: Assistant,
) -> None:
    from vectorstore.filters import Filters

    assistant.filters = Filters.of(since="2026-01-01")
    assistant.retrieve("gaussian splatting", k=1)  # opens the store and the retriever
    fewer = assistant.with_settings(top_k=2)
    assert fewer.settings.top_k == 2 and fewer.settings.home == assistant.settings.home
    assert fewer.store is assistant.store and fewer.retriever is assistant.retriever
    assert fewer.filters == assistant.filters
    answer = fewer.ask("What is LoRA?")
    # two retrieved, and beyond them only the paper answered from (found as it spells LoRA out)
    cited_ids = {c.paper_id for c in answer.citations}
    assert all(r.paper_id in cited_ids for r in answer.retrieved[2:])
    assert len(answer.retrieved) <= 2 + len(cited_ids)
    other = assistant.with_settings(collection="another-shelf")
    assert other.store is not assistant.store  # another store: opened on its own
    assistant.filters = Filters()
