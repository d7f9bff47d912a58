"""Each evaluation metric on hand-made cases, including the edge cases that skew averages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation import metrics
from assistant.evaluation.dataset import DatasetError, EvalItem, load_items
from assistant.evaluation.report import compare_rows, item_changes, summary_rows
from assistant.evaluation.scores import ItemScores, score_answer
from assistant.evaluation.summary import Scored, summarize
from assistant.evaluation.support import check_support, statements

A = "Cut Your Losses in Large-Vocabulary Language Models"
B = "iCaRL: Incremental Classifier and Representation Learning"
C = "SteloCoder: a Decoder-Only LLM for Multi-Language to Python Code Translation"


# -- retrieval recall --------------------------------------------------------------------------
def test_recall_at_k_counts_gold_within_the_first_k() -> None:
    ranked = [C, A, B]
    assert metrics.recall_at_k(ranked, [A], 1) == 0.0
    assert metrics.recall_at_k(ranked, [A], 2) == 1.0
    assert metrics.recall_at_k(ranked, [A, B], 2) == 0.5
    assert metrics.hit_at_k(ranked, [A, B], 2) is True
    assert metrics.hit_at_k(ranked, [B], 2) is False


def test_recall_with_empty_gold_does_not_apply() -> None:
    assert metrics.recall_at_k([A, B], [], 5) is None
    assert metrics.hit_at_k([A], [], 5) is None
    assert metrics.citation_recall([A], []) is None


def test_recall_ignores_duplicate_and_respelled_ranked_titles() -> None:
    # the same paper twice (second time in other case/punctuation) takes one slot, not two
    ranked = [A, A.upper().replace("-", " "), B]
    assert metrics.recall_at_k(ranked, [B], 2) == 1.0
    assert metrics.recall_at_k([], [B], 5) == 0.0


# -- citations ---------------------------------------------------------------------------------
def test_citation_precision_over_distinct_titles() -> None:
    assert metrics.citation_precision([A, B], [A]) == 0.5
    assert metrics.citation_precision([A, A, f"  {A.lower()} "], [A]) == 1.0
    assert metrics.citation_precision([A, A, B], [A]) == 0.5  # duplicates are not extra credit
    assert metrics.duplicate_citations([A, A, B, A.lower()]) == 2
    assert metrics.duplicate_citations([A, B]) == 0


def test_no_citations_has_no_precision_but_zero_recall() -> None:
    assert metrics.citation_precision([], [A]) is None
    assert metrics.citation_recall([], [A, B]) == 0.0
    assert metrics.citation_recall([B], [A, B]) == 0.5
    assert metrics.citation_precision([A], []) is None  # unanswerable: judged by abstention


def test_non_corpus_citations_are_reported_once() -> None:
    made_up = "A Survey of Imaginary Methods"
    assert metrics.non_corpus_citations([A, made_up, made_up], [A, B]) == [made_up]
    assert metrics.non_corpus_citations([A.upper()], [A]) == []
    assert metrics.bracketed(f"x [CLS] y [{A}] z [0, 1]") == [A]


# -- key facts ---------------------------------------------------------------------------------
def test_key_fact_coverage_is_case_insensitive_substring() -> None:
    text = "It reaches a 1.75X speedup and covers three\nbillion tokens."
    assert metrics.key_fact_coverage(text, ["1.75x", "three billion"]) == 1.0
    assert metrics.key_fact_coverage(text, ["1.75x", "22.58"]) == 0.5
    assert metrics.missing_facts(text, ["1.75x", "22.58"]) == ["22.58"]
    assert metrics.key_fact_coverage(text, []) is None
    assert metrics.key_fact_coverage("", ["x"]) == 0.0


# -- aggregation helpers -----------------------------------------------------------------------
def test_mean_skips_values_that_do_not_apply() -> None:
    assert metrics.mean([1.0, None, 0.0]) == 0.5
    assert metrics.mean([True, False, True, None]) == pytest.approx(2 / 3)
    assert metrics.mean([None, None]) is None


def test_percentile_interpolates_like_numpy() -> None:
    assert metrics.percentile([4, 1, 3, 2], 50) == 2.5
    assert metrics.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert metrics.percentile([7.0], 95) == 7.0
    assert metrics.percentile([], 50) is None
    with pytest.raises(ValueError):
        metrics.percentile([1], 101)


# -- support check -----------------------------------------------------------------------------
ABSTRACT = (
    "We propose Cut Cross-Entropy (CCE), a method that computes the cross-entropy loss without "
    "materializing the logits. CCE reduces the memory footprint from 24 GB to 1 MB."
)


def test_statements_attach_the_following_citation_run() -> None:
    text = f"First claim. Second claim [{A}]; [{B}]\n- Third claim [{C}] Trailing words."
    found = [(s.sentence, s.cited) for s in statements(text)]
    assert found == [
        ("First claim.", (A, B)),
        ("Second claim", (A, B)),
        ("Third claim", (C,)),
        ("Trailing words.", ()),
    ]


def test_support_accepts_extracts_and_rejects_invented_numbers() -> None:
    evidence = {A: ABSTRACT}
    extract = f"CCE reduces the memory footprint from 24 GB to 1 MB. [{A}]"
    assert check_support(extract, evidence).score == 1.0
    invented = f"CCE reduces the memory footprint from 48 GB to 1 MB. [{A}]"
    result = check_support(invented, evidence)
    assert result.score == 0.0
    assert result.sentences[0].missing_numbers == ("48",)
    unrelated = f"Quantum annealing solves protein folding on photonic chips. [{A}]"
    assert check_support(unrelated, evidence).score == 0.0


def test_support_needs_a_citation_of_a_known_paper() -> None:
    evidence = {A: ABSTRACT}
    assert check_support("CCE reduces the memory footprint.", evidence).score == 0.0
    assert check_support(f"CCE reduces the memory footprint. [{B}]", evidence).score == 0.0
    mixed = f"CCE computes the cross-entropy loss. [{A.upper()}] CCE was invented in 1850."
    assert check_support(mixed, evidence).score == 0.5
    assert check_support("", evidence).score is None


# -- one item scored ---------------------------------------------------------------------------
def _answer(
    cited: list[str], retrieved: list[str], text: str = "", abstained: bool = False
) -> dict:
    return {
        "question": "q",
        "answer": text,
        "abstained": abstained,
        "backend": "extractive",
        "citations": [{"title": t, "paper_id": "x", "snippet": "", "score": 0.1} for t in cited],
        "retrieved": [{"title": t, "paper_id": "x", "score": 0.1} for t in retrieved],
        "rejected_citations": ["Made Up"],
        "timings_ms": {"retrieve": 12.0, "answer": 3.0, "total": 15.0},
        "usage": {"prompt_tokens": 7, "completion_tokens": 3},
    }


def test_score_answer_uses_the_deep_ranking_only_beyond_the_answers_list() -> None:
    item = EvalItem("A-1", "single", "q", gold_titles=(A,), key_facts=("CCE",))
    answer = _answer([A, A], [C, B, "X"], text=f"CCE saves memory [{A}]")
    deep = [C, B, "X", "Y", A, "Z"]
    s = score_answer(item, answer, corpus_titles=[A, B, C], deep_ranking=deep)
    # recall@1/@5: what the answerer saw (3 papers, no gold); recall@10: the deeper ranking
    assert s.recall_at_1 == 0.0 and s.recall_at_5 == 0.0 and s.gold_in_top5 is False
    assert s.recall_at_10 == 1.0
    assert s.citations == 1 and s.duplicate_citations == 1
    assert s.citation_precision == 1.0 and s.key_fact_coverage == 1.0
    assert s.rejected_citations == 1 and s.non_corpus_citations == []
    assert s.tokens == 10 and s.retrieve_ms == 12.0
    wide = _answer([A], [C, B, "X", "Y", "W", "V", "U", "T", "S", A], text="")
    s = score_answer(item, wide, corpus_titles=[A], deep_ranking=[A])
    assert s.recall_at_10 == 1.0 and s.recall_at_1 == 0.0  # the answer's list reaches 10


def test_score_unanswerable_abstention_has_no_precision_or_recall() -> None:
    item = EvalItem("E-1", "unanswerable", "q")
    s = score_answer(item, _answer([], [A, B], abstained=True), corpus_titles=[A, B])
    assert s.abstained
    assert s.citation_precision is None and s.recall_at_5 is None
    assert s.key_fact_coverage is None and s.citations == 0


def test_summary_splits_abstention_by_answerability_and_counts_errors() -> None:
    rows = [
        Scored("single", ItemScores(abstained=False, citation_precision=1.0, latency_ms=10)),
        Scored("single", ItemScores(abstained=True, latency_ms=30)),
        Scored("unanswerable", ItemScores(abstained=True, latency_ms=20)),
        Scored("unanswerable", ItemScores(abstained=False, non_corpus_citations=["Z"])),
        Scored("multi", ItemScores(), error="BackendError: down"),
    ]
    summary = summarize(rows)
    assert list(summary) == ["single", "multi", "unanswerable", "overall"]
    overall = summary["overall"]
    assert overall["items"] == 5 and overall["errors"] == 1
    assert overall["false_abstention"] == 0.5
    assert overall["abstention_unanswerable"] == 0.5
    assert overall["non_corpus_citations"] == 1
    assert overall["citation_precision"] == 1.0
    assert summary["single"]["abstention_unanswerable"] is None
    assert summary["multi"]["recall_at_5"] is None  # only an errored item: nothing to average
    assert overall["latency_p50_ms"] == 15.0


def test_summary_table_and_comparison() -> None:
    a = summarize([Scored("single", ItemScores(citation_precision=0.5, latency_ms=10))])
    b = summarize([Scored("single", ItemScores(citation_precision=1.0, latency_ms=30))])
    header, rows = summary_rows(a)
    assert header == ["metric", "single", "overall"]
    assert ["citation precision", "50.0%", "50.0%"] in rows
    assert not any(r[0] == "support (LLM judge)" for r in rows)  # not measured: not shown
    _, diff = compare_rows(a, b)
    assert ["citation precision", "50.0%", "100.0%", "+50.0 pt better"] in diff
    assert ["latency p50", "10 ms", "30 ms", "+20 ms worse"] in diff
    c = summarize([Scored("single", ItemScores(citation_precision=1.0, latency_ms=30.3))])
    _, same = compare_rows(b, c)
    assert ["latency p50", "30 ms", "30 ms", "="] in same  # not "+0 ms worse"
    run_a = {"items": [{"id": "A-1", "kind": "single", "scores": {"abstained": False}}]}
    run_b = {"items": [{"id": "A-1", "kind": "single", "scores": {"abstained": True}}]}
    assert item_changes(run_a, run_b) == [["A-1", "single", "abstained no→yes"]]
    assert item_changes(run_a, run_a) == []


# -- the question file -------------------------------------------------------------------------
def _write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines), encoding="utf-8"
    )
    return path


def test_load_items_reads_the_documented_format(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"id": "A-1", "kind": "single", "question": "q1", "gold_titles": [A], "key_facts": ["x"]},
        "",
        {"id": "F-1", "kind": "followup", "question": "q2", "history": ["q0"], "gold_titles": [B]},
        {"id": "E-1", "kind": "unanswerable", "question": "q3", "gold_titles": []},
    )
    items = load_items(path).items
    assert [i.id for i in items] == ["A-1", "F-1", "E-1"]
    assert items[1].history == ("q0",) and not items[2].answerable
    assert [i.id for i in load_items(path, kinds=["followup"]).items] == ["F-1"]
    assert len(load_items(path, limit=2).items) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "q.jsonl:2: invalid JSON"),
        ({"id": "X", "kind": "poem", "question": "q"}, "unknown kind 'poem'"),
        ({"id": "A-1", "kind": "single", "question": "again"}, "duplicate id 'A-1'"),
        ({"id": "F", "kind": "followup", "question": "q"}, "needs a non-empty 'history'"),
        ({"id": "E", "kind": "unanswerable", "question": "q", "gold_titles": [A]}, "cannot have"),
        ({"id": "Y", "kind": "single", "question": "q", "gold_titles": A}, "list of strings"),
        ({"id": "Z", "kind": "single", "question": " "}, "missing or empty 'question'"),
    ],
)
def test_load_items_names_file_and_line_of_a_bad_item(
    tmp_path: Path, line: object, message: str
) -> None:
    path = _write(tmp_path, {"id": "A-1", "kind": "single", "question": "q"}, line)
    with pytest.raises(DatasetError, match=message) as info:
        load_items(path)
    assert str(path) in str(info.value)


def test_load_items_rejects_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no questions"):
        load_items(_write(tmp_path, ""))
    with pytest.raises(DatasetError, match="no such file"):
        load_items(tmp_path / "absent.jsonl")
