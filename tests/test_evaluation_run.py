"""The evaluation harness end to end: real store, public API, CLI, and the LLM judge against a
local fake OpenAI-compatible server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation import load_items, run
from assistant.evaluation.judge import JudgeError, SupportJudge
from assistant.settings import Settings

CCE = "Cut Your Losses in Large-Vocabulary Language Models"
STELO = "SteloCoder: a Decoder-Only LLM for Multi-Language to Python Code Translation"
ICARL = "iCaRL: Incremental Classifier and Representation Learning"
ITEMS = [
    {
        "id": "A-1",
        "kind": "single",
        "question": "Which method computes the cross-entropy loss without materializing all logits?",
        "gold_titles": [CCE],
        "key_facts": ["Cut Cross-Entropy"],
    },
    {
        "id": "F-1",
        "kind": "followup",
        "question": "Which code model is it built on?",
        "history": ["Which paper translates C++, Java and PHP code into Python?"],
        "gold_titles": [STELO],
        "key_facts": ["StarCoder"],
    },
    {"id": "C-1", "kind": "lookup", "question": "What is iCaRL?", "gold_titles": [ICARL]},
    {
        "id": "E-1",
        "kind": "unanswerable",
        "question": "Which papers track the migration routes of arctic seabirds?",
        "gold_titles": [],
    },
]
CONTRACT = {
    "question",
    "answer",
    "abstained",
    "backend",
    "citations",
    "retrieved",
    "rejected_citations",
    "timings_ms",
}


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in ITEMS) + "\n", encoding="utf-8")
    return path


def test_run_scores_every_item_through_the_public_api(assistant: Any, questions: Path) -> None:
    from assistant.api import Assistant

    asked: list[tuple[str, list[str]]] = []

    class Recording(Assistant):
        def ask(self, question: str, history: Any = None) -> Any:
            asked.append((question, list(history or [])))
            return super().ask(question, history)

    result = run(Recording(settings=assistant.settings), load_items(questions).items)
    assert asked == [(i["question"], i.get("history", [])) for i in ITEMS]
    by_id = {r.item.id: r for r in result.results}
    assert [r.error for r in result.results] == [None] * 4
    for r in result.results:
        assert r.answer is not None and set(r.answer) >= CONTRACT
        assert r.scores.non_corpus_citations == []  # verification keeps citations in the store
        assert r.scores.latency_ms > 0
    assert by_id["F-1"].scores.gold_in_top5 is True  # found with the help of its history
    # scores agree with the answer they were computed from
    single = by_id["A-1"]
    assert single.answer is not None
    cited = [c["title"] for c in single.answer["citations"]]
    assert single.scores.citation_precision == ((cited.count(CCE) / len(cited)) if cited else None)
    assert by_id["E-1"].scores.recall_at_5 is None
    overall = result.summary["overall"]
    assert overall["items"] == 4 and overall["errors"] == 0
    assert overall["recall_at_10"] is not None
    saved = result.to_dict()
    assert saved["settings"]["llm"] == "extractive" and "openai_api_key" not in saved["settings"]
    assert json.loads(json.dumps(saved))["items"][1]["history"] == ITEMS[1]["history"]


def test_a_failing_backend_is_reported_per_item_and_the_run_continues(
    assistant: Any, questions: Path
) -> None:
    from assistant.api import Assistant

    class Flaky(Assistant):
        def ask(self, question: str, history: Any = None) -> Any:
            if "iCaRL" in question:
                raise RuntimeError("backend unreachable after 2 retries")
            return super().ask(question, history)

    flaky = Flaky(settings=assistant.settings)
    result = run(flaky, load_items(questions).items)
    errors = {r.item.id: r.error for r in result.results if r.error}
    assert errors == {"C-1": "RuntimeError: backend unreachable after 2 retries"}
    assert result.summary["overall"]["errors"] == 1
    assert result.summary["lookup"]["recall_at_1"] is None


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_cli_eval_prints_a_table_writes_json_and_compares(
    built_home: Path, questions: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    home = ["--home", str(built_home)]
    first = _cli(*home, "eval", str(questions), "--llm", "extractive", "--json", str(a))
    assert first.exit_code == 0, first.output
    for label in ("citation precision", "key-fact coverage", "abstained, unanswerable", "overall"):
        assert label in first.output
    second = _cli(
        *home, "eval", str(questions), "--llm", "extractive", "-k", "1", "--set", "max_tokens=100",
        "--json", str(b),
    )  # fmt: skip
    assert second.exit_code == 0, second.output
    saved = json.loads(b.read_text())
    assert saved["settings"]["top_k"] == 1 and saved["settings"]["max_tokens"] == 100
    assert [i["id"] for i in saved["items"]] == [i["id"] for i in ITEMS]
    diff = _cli("eval", "--compare", str(a), str(b))
    assert diff.exit_code == 0, diff.output
    assert "retrieval recall@1" in diff.output and "B − A" in diff.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval"], "give a question file"),
        (["eval", "missing.jsonl"], "missing.jsonl: no such file"),
        (["eval", "QFILE", "--set", "nonsense=1"], "unknown setting 'nonsense'"),
        (["eval", "QFILE", "--top-k", "0"], "--top-k"),
        (["eval", "QFILE", "--kind", "poem"], "unknown kind 'poem'"),
        (["eval", "--compare", "QFILE", "QFILE"], "not a JSON file"),
    ],
)
def test_cli_eval_mistakes_get_one_line_and_exit_2(
    questions: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = _cli(
        "--home", str(tmp_path / "h"), *[str(questions) if a == "QFILE" else a for a in args]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


# -- LLM-judge mode, against a local server speaking the OpenAI chat-completions protocol --------
class _FakeOpenAI(BaseHTTPRequestHandler):
    status = 200
    reply: str | None = None  # None: "no" if the statement says "invented", else "yes"
    calls: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        content = body["messages"][0]["content"]
        type(self).calls.append(content)
        statement = content.split("Statement:", 1)[1]
        word = self.reply or ("no" if "invented" in statement else "yes")
        payload = {
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": word},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11},
        }
        data = json.dumps(payload if self.status == 200 else {"error": {"message": "boom"}})
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def judge_server() -> Iterator[str]:
    _FakeOpenAI.status, _FakeOpenAI.reply, _FakeOpenAI.calls = 200, None, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _judge(url: str, tmp_path: Path) -> SupportJudge:
    settings = Settings(
        home=tmp_path, openai_base_url=url, openai_api_key="test", llm_max_retries=0
    )
    return SupportJudge(settings)


def test_llm_judge_scores_each_cited_sentence(judge_server: str, tmp_path: Path) -> None:
    judge = _judge(judge_server, tmp_path)
    text = f"CCE computes the loss. [{CCE}] It was invented in 1850. [{CCE}] Uncited words here."
    score = judge.score(text, {CCE: "We propose Cut Cross-Entropy (CCE)."})
    assert score == pytest.approx(1 / 3)  # yes, no, and the uncited sentence is not asked
    assert len(_FakeOpenAI.calls) == 2
    assert "We propose Cut Cross-Entropy" in _FakeOpenAI.calls[0]
    assert judge.tokens == 22


@pytest.mark.parametrize(("status", "reply"), [(500, "yes"), (200, "perhaps")])
def test_llm_judge_failures_raise_instead_of_guessing(
    judge_server: str, tmp_path: Path, status: int, reply: str
) -> None:
    _FakeOpenAI.status, _FakeOpenAI.reply = status, reply
    with pytest.raises(JudgeError):
        _judge(judge_server, tmp_path).score(f"CCE computes the loss. [{CCE}]", {CCE: "CCE."})


def test_llm_judge_requires_a_configured_server(tmp_path: Path) -> None:
    with pytest.raises(JudgeError, match="needs"):
        SupportJudge(Settings(home=tmp_path))
