"""Nothing an LLM or a paper wrote becomes a live link, mention or control sequence in Slack.

Fuzzed (fixed seed) answers, titles, notices and model names go through the message builder;
every message must pass the checks a Slack client would need: the only ``<…>`` markup is a
Sources entry linked to its paper's own URL, every URL written in the text is inside code,
every text object is ``verbatim`` (no auto-linking), and no control character is left raw.
"""

from __future__ import annotations

import random
import re
from typing import Any

from assistant.answer import Answer, Citation
from assistant.slack import blocks
from tests.hostile import EVIL_URL, hostile_texts, slack_live_problems

PAPER_URL = "https://arxiv.org/abs/2308.04079"
ODD_URLS = [None, PAPER_URL, "javascript:alert(1)", "https://x.org/a b", "https://x.org/\x1b[2J"]


def live_problems(message: blocks.SlackMessage) -> list[str]:
    return slack_live_problems(message.text, message.blocks, allowed_urls=[PAPER_URL])


def _answer(text: str, citations: list[Citation], **kw: Any) -> Answer:
    return Answer(
        question="q",
        text=text,
        abstained=False,
        backend="openai",
        citations=citations,
        model=str(kw.pop("model", "gpt")),
        timings_ms={"total": 10.0},
        **kw,
    )


def test_the_injected_link_of_the_issue_is_not_posted_live() -> None:
    answer = _answer(
        f"Splatting is fast. Click [here]({EVIL_URL}) or <{EVIL_URL}|here>, <!channel> <@U1>.",
        [Citation(title="T", paper_id="p", snippet="", score=1.0, url=PAPER_URL)],
    )
    message = blocks.answer_message(answer)
    assert live_problems(message) == []
    shown = message.blocks[0]["text"]["text"]
    assert f"here (`{EVIL_URL}`)" in shown  # the reader still sees where it pointed
    assert "&lt;!channel&gt; &lt;@U1&gt;" in shown
    assert f"<{PAPER_URL}|T>" in str(message.blocks)  # the assistant's own source link stays


def test_fuzzed_answers_titles_and_notices_never_post_live_markup() -> None:
    rng = random.Random(14)
    texts = hostile_texts(seed=14, n=1200, max_parts=10)
    for i in range(0, len(texts) - 6, 6):
        body, t1, t2, t3, notice, model = texts[i : i + 6]
        citations = [
            Citation(title=t, paper_id=str(n), snippet="", score=1.0, url=rng.choice(ODD_URLS))
            for n, t in enumerate((t1, t2, t3))
        ]
        answer = _answer(body, citations, model=model, notices=[notice])
        for message in (blocks.answer_message(answer), blocks.preview_message(body)):
            assert live_problems(message) == [], (body, t1, t2, t3, notice, model)
        fallback = blocks.answer_message(answer).text.replace("`", "")
        for c in citations:  # each title is still there, in full
            assert all(w in fallback for w in re.findall(r"[A-Za-z]{4,}", c.title)), c.title


def test_a_notice_with_user_text_is_inert() -> None:
    message = blocks.notice_message(f"{blocks.inert('since:<!here> ' + EVIL_URL)}. Filters …")
    assert live_problems(message) == []


def test_long_runs_of_letters_dots_and_at_signs_are_converted_whole() -> None:
    """Pathological input for the URL patterns (quadratic before: 25 s for 20,000 letters)."""
    for text in ("a" * 100_000, "a." * 50_000, "x@" * 50_000, "https://" + "." * 100_000):
        message = blocks.answer_message(_answer(text, []))
        assert live_problems(message) == []
        assert "".join(s["text"]["text"] for s in message.blocks if s["type"] == "section")
