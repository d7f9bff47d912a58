"""Socket Mode: the real Bolt SocketModeHandler connects to a local websocket endpoint
(apps.connections.open hands out its ws:// URL), acks envelopes and answers in threads."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from assistant import Assistant
from assistant.slack.app import build_app
from assistant.slack.runner import socket_mode_handler
from tests.fakes.slack_api import (
    BOT_USER_ID,
    FakeSlack,
    FakeSocketMode,
    dm_event,
    event_callback,
    mention_event,
)

GS = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"


@pytest.fixture
def slack_and_socket(built_home: Path) -> Iterator[tuple[FakeSlack, FakeSocketMode]]:
    with FakeSlack() as slack, FakeSocketMode() as sock:
        slack.socket_url = sock.url
        client = WebClient(token=slack.bot_token, base_url=slack.base_url)
        app = build_app(Assistant(home=built_home, llm="extractive"), client)
        handler = socket_mode_handler(app, slack.app_token)
        handler.connect()
        try:
            yield slack, sock
        finally:
            handler.close()


def _done(slack: FakeSlack, ts: str) -> bool:
    return any(c.args.get("timestamp") == ts for c in slack.calls_to("reactions.remove"))


def test_socket_mode_connects_with_the_app_token_and_answers_in_thread(
    slack_and_socket: tuple[FakeSlack, FakeSocketMode],
) -> None:
    slack, sock = slack_and_socket
    opened = slack.calls_to("apps.connections.open")
    assert opened and opened[0].ok  # the fake only accepts the xapp- token here
    assert sock.connected.wait(10)

    ts = slack.user_message("C9", f"<@{BOT_USER_ID}> What is 3D Gaussian splatting?")
    sent = time.perf_counter()
    envelope = sock.send_events_api(
        event_callback(mention_event("C9", ts, "What is 3D Gaussian splatting?"))
    )
    ack = sock.wait_ack(envelope, timeout=3)  # Slack's limit
    assert ack == {"envelope_id": envelope}
    assert time.perf_counter() - sent < 3
    slack.wait_for(lambda: _done(slack, ts), timeout=45)
    (reply,) = slack.bot_replies("C9", ts)
    assert reply["thread_ts"] == ts
    assert any(
        GS in e["text"] for b in reply["blocks"] if b["type"] == "context" for e in b["elements"]
    )


def test_socket_mode_redelivery_is_acked_but_answered_once(
    slack_and_socket: tuple[FakeSlack, FakeSocketMode],
) -> None:
    slack, sock = slack_and_socket
    ts = slack.user_message("D9", "What is LoRA?")
    payload = event_callback(dm_event("D9", ts, "What is LoRA?"))
    first = sock.send_events_api(payload)
    again = sock.send_events_api(payload, retry_attempt=1)
    sock.wait_ack(first)
    sock.wait_ack(again)
    slack.wait_for(lambda: _done(slack, ts), timeout=45)
    time.sleep(0.3)
    assert len(slack.bot_replies("D9", ts)) == 1
