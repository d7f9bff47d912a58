"""How answers look in Slack (mrkdwn, Block Kit limits, Sources) and the bot's small helpers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.answer import Answer, Citation
from assistant.slack import blocks
from assistant.slack.config import DEFAULT_API_URL, SlackConfig, SlackConfigError
from assistant.slack.dedupe import SeenKeys
from assistant.slack.redact import RedactingFilter, redact
from assistant.slack.text import plain_question

GS = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
LORA = (
    "LQ-LoRA: Low-rank Plus Quantized Matrix Decomposition for Efficient Language Model Finetuning"
)


def _answer(text: str, citations: list[Citation] | None = None, **kw: object) -> Answer:
    return Answer(
        question="q",
        text=text,
        abstained=bool(kw.pop("abstained", False)),
        backend=str(kw.pop("backend", "extractive")),
        citations=citations or [],
        model=str(kw.pop("model", "extractive")),
        timings_ms={"total": 1234.0},
        **kw,  # type: ignore[arg-type]
    )


def _cite(title: str, url: str | None = None) -> Citation:
    return Citation(title=title, paper_id=title[:8], snippet="", score=1.0, url=url)


def _section_texts(msg: blocks.SlackMessage) -> list[str]:
    return [b["text"]["text"] for b in msg.blocks if b["type"] == "section"]


def _context_texts(msg: blocks.SlackMessage) -> list[str]:
    return [e["text"] for b in msg.blocks if b["type"] == "context" for e in b["elements"]]


# -- Markdown -> mrkdwn -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**bold** and *italic*", "*bold* and _italic_"),
        ("__bold__ and ~~gone~~", "*bold* and ~gone~"),
        ("## Results\ntext", "*Results*\ntext"),
        ("- one\n* two\n  + three", "• one\n• two\n  • three"),
        # links written in an answer are never live: shown with their address, as code
        ("see [the paper](https://arxiv.org/abs/1)", "see the paper (`https://arxiv.org/abs/1`)"),
        ("at https://github.com/a/b_c_d.", "at `https://github.com/a/b_c_d`."),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("> quoted", "> quoted"),
        ("`**not bold**` here", "`**not bold**` here"),
        ("```python\nx = a < b\n```", "```\nx = a &lt; b\n```"),
        ("cites [3D Gaussian Splatting for X]", "cites [3D Gaussian Splatting for X]"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("snake_case_name stays", "snake_case_name stays"),
    ],
)
def test_markdown_becomes_slack_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert blocks.to_mrkdwn(markdown) == mrkdwn


def test_streaming_preview_hides_citations_including_an_unfinished_one() -> None:
    assert blocks.hide_citations("Fast [Some Title]. More [Other") == "Fast. More"
    assert blocks.hide_citations("a [link](https://x.y) b") == "a [link](https://x.y) b"


# -- splitting --------------------------------------------------------------------------------
def test_long_text_is_split_under_the_section_limit_without_losing_words() -> None:
    sentence = "Gaussian splats render novel views in real time at high resolution. "
    text = "\n\n".join(sentence * 12 for _ in range(12))  # ~10 kB, paragraphs of ~800 chars
    pieces = blocks.split_sections(text)
    assert len(pieces) >= 4
    assert all(len(p) <= blocks.SECTION_LIMIT for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_a_single_huge_line_is_split_at_sentence_ends() -> None:
    text = "".join(f"Sentence number {i} is here. " for i in range(400)).strip()
    pieces = blocks.split_sections(text)
    assert len(pieces) >= 4
    assert all(len(p) <= blocks.SECTION_LIMIT for p in pieces)
    assert all(p.endswith(".") for p in pieces)


def test_a_split_code_block_is_closed_and_reopened() -> None:
    code = "\n".join(f"line_{i} = {i}" for i in range(600))
    pieces = blocks.split_sections(f"Intro\n```\n{code}\n```\nOutro")
    assert len(pieces) >= 2
    for piece in pieces:
        assert piece.count("```") % 2 == 0, piece[:80]
        assert len(piece) <= blocks.SECTION_LIMIT


# -- the answer message ------------------------------------------------------------------------
def test_answer_message_has_text_sources_and_backend() -> None:
    answer = _answer(
        f"Splatting is **fast** [{GS}]. LoRA is cheap [{LORA}].",
        [_cite(GS, "https://arxiv.org/abs/2308.04079"), _cite(LORA)],
        backend="openai",
        model="gpt-4o-mini",
    )
    msg = blocks.answer_message(answer)
    assert _section_texts(msg) == [f"Splatting is *fast* [{GS}]. LoRA is cheap [{LORA}]."]
    sources, footer = _context_texts(msg)
    assert sources == (
        f"*Sources*\n1. <https://arxiv.org/abs/2308.04079|{GS}>\n2. {LORA}"
    )  # numbered, exact titles, a link where the paper has a url
    assert "openai" in footer and "gpt-4o-mini" in footer and "1.2 s" in footer
    assert GS in msg.text and LORA in msg.text and "Sources" in msg.text


def test_abstention_is_said_plainly_without_sources() -> None:
    answer = _answer("The papers don't seem to cover this: 'capital of France'.", abstained=True)
    msg = blocks.answer_message(answer)
    first = _section_texts(msg)[0]
    assert first.startswith("*I couldn't find an answer to this in the indexed papers.*")
    assert "capital of France" in first
    assert not any("Sources" in t for t in _context_texts(msg))
    assert msg.text.startswith("*I couldn't find an answer")


def test_notices_are_shown() -> None:
    msg = blocks.answer_message(_answer("x [T]", [_cite("T")], notices=["fell back to extractive"]))
    assert any("Note: fell back to extractive" in t for t in _context_texts(msg))


def test_an_enormous_answer_stays_within_50_blocks_and_says_it_was_shortened() -> None:
    paragraph = ("Words of a very long answer. " * 100).strip()  # ~2900 chars
    answer = _answer("\n".join([paragraph] * 80), [_cite(f"Paper {i}") for i in range(30)])
    msg = blocks.answer_message(answer)
    assert len(msg.blocks) <= blocks.MAX_BLOCKS
    sections = _section_texts(msg)
    assert all(len(s) <= blocks.SECTION_LIMIT for s in sections)
    assert sections[-1].endswith(blocks.SHORTENED)
    assert "30. Paper 29" in "\n".join(_context_texts(msg))  # sources survive the cut
    assert len(msg.text) <= blocks.TEXT_LIMIT


def test_many_sources_respect_context_limits() -> None:
    titles = [f"A rather long paper title number {i} " + "x" * 150 for i in range(60)]
    msg = blocks.answer_message(_answer("text", [_cite(t) for t in titles]))
    for block in msg.blocks:
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= blocks.CONTEXT_ELEMENTS
            assert all(len(e["text"]) <= blocks.SECTION_LIMIT for e in block["elements"])
    assert "60. " + titles[59] in "\n".join(_context_texts(msg))


def test_titles_are_escaped_and_odd_urls_are_not_links() -> None:
    msg = blocks.answer_message(
        _answer("x", [_cite("A <b> & C", "javascript:alert(1)"), _cite("D|E", "https://x.org/a|b")])
    )
    sources = _context_texts(msg)[0]
    assert "1. A &lt;b&gt; &amp; C" in sources and "javascript" not in sources
    assert "2. <https://x.org/a%7Cb|D¦E>" in sources


def test_preview_message_never_shows_an_unverified_citation() -> None:
    msg = blocks.preview_message("Gaussians are fast [Made Up Paper Title] and")
    assert "Made Up" not in msg.text and "Made Up" not in str(msg.blocks)
    assert "writing" in str(msg.blocks)


# -- incoming text, config, redaction, de-duplication -------------------------------------------
def test_incoming_slack_markup_becomes_a_plain_question() -> None:
    text = "<@UBOT> what does <https://arxiv.org/abs/1|this paper> say about x &lt; y in <#C1|papers>, <@U2|ann>?"
    assert plain_question(text, "UBOT") == "what does this paper say about x < y in #papers, @ann?"
    assert plain_question("<@UBOT>", "UBOT") == ""


def test_config_picks_the_mode_and_explains_what_is_missing() -> None:
    sock = SlackConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_APP_TOKEN": "xapp-1-2"})
    assert sock.socket_mode and sock.api_url == DEFAULT_API_URL
    http = SlackConfig.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
        }
    )
    assert not http.socket_mode and http.api_url == "http://127.0.0.1:9/api/"
    assert "xoxb-1" not in repr(http) and "'s'" not in repr(http)
    for env, fragment in [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-1"}, "must be a bot token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "starting with xapp-"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_APP_TOKEN": "xapp-1",
                "SLACK_API_URL": "slack.com",
            },
            "http(s) URL",
        ),
    ]:
        with pytest.raises(SlackConfigError, match=r".*") as info:
            SlackConfig.from_env(env)
        assert fragment in str(info.value)
        assert "\n" not in str(info.value)


def test_tokens_are_masked_in_log_records() -> None:
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        __file__,
        1,
        "sent %s with secret %s",
        ("xoxb-123-456-abcdef", "shh-secret-1"),
        None,
    )
    RedactingFilter(["shh-secret-1"]).filter(record)
    line = record.getMessage()
    assert "abcdef" not in line and "shh-secret-1" not in line and "[redacted]" in line
    assert redact('{"token": "legacy-verification"}') == '{"token": "[redacted]"}'


def test_seen_keys_answer_once_then_expire_and_stay_bounded() -> None:
    now = [0.0]
    seen = SeenKeys(ttl=10, max_size=3, clock=lambda: now[0])
    assert seen.first_time("a") and not seen.first_time("a")
    now[0] = 11
    assert seen.first_time("a")  # expired
    for key in "bcde":
        seen.first_time(key)
    assert len(seen) == 3


def test_manifest_subscribes_to_what_the_bot_handles_with_the_scopes_it_uses() -> None:
    import yaml

    manifest = yaml.safe_load(
        (Path(__file__).parent.parent / "slack" / "manifest.yaml").read_text()
    )
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_mention", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # app_mention / message.im events; chat.postMessage+update; reactions.add/remove;
    # conversations.replies in channels, private channels, DMs and group DMs
    needed = {"app_mentions:read", "im:history", "chat:write", "reactions:write"}
    needed |= {"channels:history", "groups:history", "mpim:history"}
    assert needed <= scopes
    assert manifest["features"]["bot_user"]["display_name"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs allowed
