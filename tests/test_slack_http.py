"""The real Bolt app in HTTP mode, answering with the real Assistant, against a fake Slack.

Events are signed and POSTed to /slack/events like Slack does; the bot talks to the fake
Web API over HTTP. Backends other than the extractive one are tiny scripted stand-ins whose
drafts still go through the Assistant's citation verification.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from assistant import Assistant
from assistant.answering.request import AnswerRequest, BackendError, Draft
from assistant.slack import bot as slack_bot
from assistant.slack.app import build_app
from assistant.slack.retries import retry_handlers
from assistant.slack.runner import SlackHttpServer
from tests.fakes.slack_api import (
    BOT_ID,
    BOT_USER_ID,
    FakeSlack,
    deliver,
    dm_event,
    event_callback,
    mention_event,
)

GS = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"
NLORA = "NLoRA: Nyström-Initiated Low-Rank Adaptation for Large Language Models"
MakeBot = Callable[..., SlackHttpServer]


class ScriptedBackend:
    """Writes a scripted answer citing the top retrieved paper, streamed in pieces."""

    name = "scripted"

    def __init__(
        self,
        write: Callable[[str], str] | None = None,
        pieces: int = 1,
        delay: float = 0.0,
        fail: type[Exception] | None = None,
    ) -> None:
        self.write = write or (lambda title: f"It is explained in one paper [{title}].")
        self.pieces, self.delay, self.fail = pieces, delay, fail

    def stream(self, request: AnswerRequest) -> Iterator[str | Draft]:
        if self.fail is not None:
            raise self.fail("the LLM server did not answer after 3 attempts")
        text = self.write(request.papers[0].title)
        size = -(-len(text) // self.pieces)
        for i in range(0, len(text), size):
            time.sleep(self.delay)
            yield text[i : i + size]
        yield Draft(text=text, abstained=False, model="scripted-1")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def make_bot(fake_slack: FakeSlack, built_home: Path) -> Iterator[MakeBot]:
    servers: list[SlackHttpServer] = []

    def make(
        backend: Any = None, client: WebClient | None = None, **options: Any
    ) -> SlackHttpServer:
        assistant = Assistant(home=built_home, llm="extractive", backend=backend)
        client = client or WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url)
        app = build_app(assistant, client, signing_secret="test-signing-secret", **options)
        server = SlackHttpServer(app, "127.0.0.1", 0, signing_secret="test-signing-secret")
        server.start_background()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def _send(server: SlackHttpServer, event: dict[str, Any], **kw: Any) -> tuple[int, str]:
    payload = kw.pop("payload", None) or event_callback(event, kw.pop("event_id", None))
    d = deliver(server.url, payload, secret=kw.pop("secret", "test-signing-secret"), **kw)
    return d.status, d.body


def _finished(slack: FakeSlack, channel: str, ts: str) -> bool:
    """The bot is done with a message once it removed its :eyes: reaction."""
    return any(
        c.args.get("timestamp") == ts and c.args.get("channel") == channel and c.ok
        for c in slack.calls_to("reactions.remove")
    )


def _ask(slack: FakeSlack, server: SlackHttpServer, channel: str, text: str, **kw: Any) -> str:
    ts = slack.user_message(channel, f"<@{BOT_USER_ID}> {text}")
    status, _ = _send(server, mention_event(channel, ts, text), **kw)
    assert status == 200
    slack.wait_for(lambda: _finished(slack, channel, ts), timeout=45)
    return ts


def _blocks_text(message: dict[str, Any]) -> str:
    parts = []
    for block in message["blocks"]:
        if block["type"] == "section":
            parts.append(block["text"]["text"])
        else:
            parts.extend(e["text"] for e in block["elements"])
    return "\n".join(parts)


def test_url_verification_is_answered(make_bot: MakeBot) -> None:
    server = make_bot()
    status, body = _send(
        server, {}, payload={"type": "url_verification", "challenge": "3eZbrw1aB", "token": "t"}
    )
    assert status == 200 and json.loads(body) == {"challenge": "3eZbrw1aB"}


def test_mention_is_answered_in_its_thread_with_exact_titles(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()
    ts = _ask(fake_slack, server, "C1", "What is 3D Gaussian splatting?")
    (reply,) = fake_slack.bot_replies("C1", ts)
    shown = _blocks_text(reply)
    assert f"*Sources*\n1. {GS}" in shown
    assert "Answered by *extractive*" in shown
    assert reply["text"] and GS in reply["text"]  # the plain-text fallback
    # :eyes: while working, removed when done
    adds = [c for c in fake_slack.calls_to("reactions.add") if c.args["timestamp"] == ts]
    assert [c.args["name"] for c in adds] == ["eyes"]
    assert fake_slack.message("C1", ts)["reactions_by_bot"] == []  # type: ignore[index]


def test_dm_is_answered_in_a_thread_and_abstention_is_plain(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()
    ts = fake_slack.user_message("D1", "What is the capital of France?")
    status, _ = _send(server, dm_event("D1", ts, "What is the capital of France?"))
    assert status == 200
    fake_slack.wait_for(lambda: _finished(fake_slack, "D1", ts))
    (reply,) = fake_slack.bot_replies("D1", ts)
    shown = _blocks_text(reply)
    assert shown.startswith("*I couldn't find an answer to this in the indexed papers.*")
    assert "Sources" not in shown


def test_bad_signature_and_stale_requests_are_refused_and_not_processed(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()
    ts = fake_slack.user_message("C1", "What is LoRA?")
    event = mention_event("C1", ts, "What is LoRA?")
    assert _send(server, event, secret="not-the-secret")[0] == 401
    assert _send(server, event, timestamp=int(time.time()) - 6 * 60)[0] == 401
    time.sleep(0.5)
    assert not fake_slack.calls_to("reactions.add")
    assert not fake_slack.calls_to("chat.postMessage")
    # the same event, correctly signed, is still answered: the refused ones were not "seen"
    assert _send(server, event)[0] == 200
    fake_slack.wait_for(lambda: fake_slack.bot_replies("C1", ts))


def test_a_thread_follow_up_uses_the_thread_history(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()
    root = fake_slack.user_message("C1", f"<@{BOT_USER_ID}> What is LoRA?")
    _send(server, mention_event("C1", root, "What is LoRA?"))
    fake_slack.wait_for(lambda: _finished(fake_slack, "C1", root))
    follow = fake_slack.user_message(
        "C1", f"<@{BOT_USER_ID}> Which datasets does it use?", thread_ts=root
    )
    _send(server, mention_event("C1", follow, "Which datasets does it use?", thread_ts=root))
    fake_slack.wait_for(lambda: _finished(fake_slack, "C1", follow))

    replies = fake_slack.bot_replies("C1", root)
    assert len(replies) == 2  # both answers in the same thread
    # "it" is the paper the thread's first answer cited (NLoRA, which spells out what LoRA is)
    assert NLORA in _blocks_text(replies[0]) and NLORA in _blocks_text(replies[1])
    read = fake_slack.calls_to("conversations.replies")
    assert [c.args["ts"] for c in read] == [root]  # only the follow-up reads the thread

    # the same follow-up without the thread is about something else entirely
    alone = _ask(fake_slack, server, "C2", "Which datasets does it use?")
    assert NLORA not in _blocks_text(fake_slack.bot_replies("C2", alone)[0])


def test_history_passed_to_the_assistant_is_the_earlier_user_messages(
    make_bot: MakeBot, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    real_stream = Assistant.stream

    def spy(self: Assistant, question: str, history: Any = None, **kw: Any) -> Any:
        seen.append(list(history or []))
        return real_stream(self, question, history, **kw)

    monkeypatch.setattr(Assistant, "stream", spy)
    server = make_bot()
    root = fake_slack.user_message("C1", f"<@{BOT_USER_ID}> What is LoRA?")
    _send(server, mention_event("C1", root, "What is LoRA?"))
    fake_slack.wait_for(lambda: _finished(fake_slack, "C1", root))
    fake_slack.user_message("C1", "And <https://x.org|this> too", user="UOTHER", thread_ts=root)
    follow = fake_slack.user_message("C1", f"<@{BOT_USER_ID}> Which datasets?", thread_ts=root)
    _send(server, mention_event("C1", follow, "Which datasets?", thread_ts=root))
    fake_slack.wait_for(lambda: _finished(fake_slack, "C1", follow))
    # earlier people's messages, oldest first, mentions stripped; the bot's answer is not history
    assert seen == [[], ["What is LoRA?", "And this too"]]


def test_retries_of_the_same_event_are_answered_once(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()
    ts = fake_slack.user_message("C1", "What is 3D Gaussian splatting?")
    payload = event_callback(mention_event("C1", ts, "What is 3D Gaussian splatting?"))
    assert _send(server, {}, payload=payload)[0] == 200
    for attempt in (1, 2):
        assert _send(server, {}, payload=payload, retry_num=attempt)[0] == 200
    fake_slack.wait_for(lambda: _finished(fake_slack, "C1", ts))
    time.sleep(0.5)
    assert len(fake_slack.bot_replies("C1", ts)) == 1
    assert len(fake_slack.calls_to("reactions.add")) == 1


def test_bot_messages_edits_and_own_messages_are_ignored(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()
    ignored = []
    for extra in (
        {"bot_id": "BOTHER", "subtype": "bot_message"},
        {"bot_id": "BOTHER"},
        {"user": BOT_USER_ID, "bot_id": BOT_ID},
        {"subtype": "message_changed"},
        {"edited": {"user": "UHUMAN01", "ts": "1.0"}},
    ):
        ts = fake_slack.user_message("D1", "What is LoRA?")
        assert _send(server, dm_event("D1", ts, "What is LoRA?", **extra))[0] == 200
        ignored.append(ts)
    ts = fake_slack.user_message("D1", "What is LoRA?")
    _send(server, dm_event("D1", ts, "What is LoRA?"))  # a person's message, answered
    fake_slack.wait_for(lambda: _finished(fake_slack, "D1", ts))
    time.sleep(0.3)
    assert all(not fake_slack.bot_replies("D1", t) for t in ignored)
    assert [c.args["timestamp"] for c in fake_slack.calls_to("reactions.add")] == [ts]


def test_rate_limited_post_is_retried_after_retry_after(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()  # a plain WebClient: build_app adds the retry policy
    fake_slack.fail("chat.postMessage", status=429, retry_after=1, times=2)
    ts = _ask(fake_slack, server, "C1", "What is 3D Gaussian splatting?")
    posts = fake_slack.calls_to("chat.postMessage")
    assert [c.status for c in posts] == [429, 429, 200]
    assert posts[1].at - posts[0].at >= 1.0  # waited as told
    (reply,) = fake_slack.bot_replies("C1", ts)
    assert GS in _blocks_text(reply)


def test_slack_failures_past_the_retry_limit_end_in_an_apology(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    client = WebClient(
        token=fake_slack.bot_token,
        base_url=fake_slack.base_url,
        retry_handlers=retry_handlers(max_retries=3, backoff=0.01),
    )
    server = make_bot(client=client)
    fake_slack.fail("chat.postMessage", status=503, times=4)  # the answer: 1 try + 3 retries
    ts = _ask(fake_slack, server, "C1", "What is 3D Gaussian splatting?")
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [503] * 4 + [200]
    (reply,) = fake_slack.bot_replies("C1", ts)
    assert reply["text"] == slack_bot.APOLOGY_SLACK


def test_a_failing_llm_gives_the_extractive_answer_and_says_so(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot(backend=ScriptedBackend(fail=BackendError))
    ts = _ask(fake_slack, server, "C1", "What is 3D Gaussian splatting?")
    (reply,) = fake_slack.bot_replies("C1", ts)
    shown = _blocks_text(reply)
    assert "Note: the LLM server did not answer after 3 attempts" in shown
    assert "Answered by *extractive*" in shown and f"1. {GS}" in shown


def test_an_unexpected_failure_ends_in_an_apology_not_silence(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot(backend=ScriptedBackend(fail=RuntimeError))
    ts = _ask(fake_slack, server, "C1", "What is 3D Gaussian splatting?")
    (reply,) = fake_slack.bot_replies("C1", ts)
    assert reply["text"] == slack_bot.APOLOGY_OTHER
    assert "Traceback" not in json.dumps(reply) and "attempts" not in json.dumps(reply)


def test_long_answers_are_split_into_sections_slack_accepts(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    def long_answer(title: str) -> str:
        paragraph = " ".join(f"Point {i} about rendering speed is made here." for i in range(60))
        return "\n\n".join([paragraph] * 4) + f" [{title}]"

    server = make_bot(backend=ScriptedBackend(long_answer))
    ts = _ask(fake_slack, server, "C1", "What is 3D Gaussian splatting?")
    (reply,) = fake_slack.bot_replies("C1", ts)  # the fake refuses over-long sections
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    assert len(sections) >= 4 and all(len(s) <= 3000 for s in sections)
    assert f"1. {GS}" in _blocks_text(reply)


def test_streaming_answer_is_posted_then_updated_and_only_verified_citations_show(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    def answer(title: str) -> str:
        return (
            "Splatting renders in real time with anisotropic Gaussians and a fast rasterizer "
            f"[{title}], unlike earlier work [A Paper That Was Never Retrieved]."
        )

    server = make_bot(backend=ScriptedBackend(answer, pieces=8, delay=0.12), stream_interval=0.2)
    ts = _ask(fake_slack, server, "C1", "What is 3D Gaussian splatting?")
    (reply,) = fake_slack.bot_replies("C1", ts)  # one message, edited in place
    posts = fake_slack.calls_to("chat.postMessage")
    updates = fake_slack.calls_to("chat.update")
    assert len(posts) == 1 and len(updates) >= 2
    assert all(u.args["ts"] == reply["ts"] for u in updates)
    previews = [posts[0], *updates[:-1]]
    assert all("writing" in json.dumps(p.args["blocks"]) for p in previews)
    assert all("[" not in p.args["text"] for p in previews)  # no unverified citation shown
    final = _blocks_text(reply)
    assert "Never Retrieved" not in final and "Never Retrieved" not in reply["text"]
    assert f"*Sources*\n1. {GS}" in final
    assert "Answered by *scripted · scripted-1*" in final


def test_a_bare_mention_gets_a_hint_instead_of_an_empty_question(
    make_bot: MakeBot, fake_slack: FakeSlack
) -> None:
    server = make_bot()
    ts = _ask(fake_slack, server, "C1", "")
    (reply,) = fake_slack.bot_replies("C1", ts)
    assert reply["text"] == slack_bot.HELP
