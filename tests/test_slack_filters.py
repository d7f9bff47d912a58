"""Filters in Slack: written in the message (tokens or "since Monday"), kept for the thread."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from assistant import Assistant
from assistant.slack.app import build_app
from assistant.slack.runner import SlackHttpServer
from tests.fakes.slack_api import BOT_USER_ID, FakeSlack, mention_event
from tests.test_slack_http import _ask, _blocks_text, _finished, _send

OLD = "Glacier Melt Forecasting with Graph Networks"
NEW = "Glacier Calving Detection with Satellite Transformers"
TODAY = date.today()


@pytest.fixture
def server(fresh_home: Path, tmp_path: Path) -> Iterator[tuple[FakeSlack, SlackHttpServer]]:
    papers = [
        {
            "title": OLD,
            "abstract": "Graph networks forecast glacier melt from sparse weather stations.",
            "date": "2019-05-01",
            "categories": ["physics.ao-ph"],
        },
        {
            "title": NEW,
            "abstract": "Transformers detect glacier calving events in satellite images.",
            "date": TODAY.isoformat(),
            "categories": ["cs.CV"],
        },
    ]
    f = tmp_path / "glaciers.jsonl"
    f.write_text("\n".join(json.dumps(p) for p in papers) + "\n")
    assistant = Assistant(home=fresh_home, llm="extractive")
    assistant.ingest([f])
    with FakeSlack() as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.base_url)
        app = build_app(assistant, client, signing_secret="test-signing-secret")
        http = SlackHttpServer(app, "127.0.0.1", 0, signing_secret="test-signing-secret")
        http.start_background()
        try:
            yield slack, http
        finally:
            http.shutdown()
            http.server_close()


def test_since_in_the_question_filters_and_says_so(
    server: tuple[FakeSlack, SlackHttpServer],
) -> None:
    slack, http = server
    unfiltered = _blocks_text(slack.bot_replies("C1", _ask(slack, http, "C1", "glacier melt?"))[0])
    assert OLD in unfiltered

    last_week = (TODAY - timedelta(days=7)).isoformat()
    ts = _ask(slack, http, "C1", f"What is new about glaciers since {last_week}?")
    shown = _blocks_text(slack.bot_replies("C1", ts)[0])
    assert NEW in shown and OLD not in shown
    assert f"only papers since {last_week}" in shown  # the filter is stated in the answer

    ts = _ask(slack, http, "C1", "glacier melt category:physics")
    shown = _blocks_text(slack.bot_replies("C1", ts)[0])
    assert OLD in shown and NEW not in shown


def test_a_thread_keeps_its_filters_for_follow_ups(
    server: tuple[FakeSlack, SlackHttpServer],
) -> None:
    slack, http = server
    root = slack.user_message("C1", f"<@{BOT_USER_ID}> glaciers category:cs.CV")
    _send(http, mention_event("C1", root, "glaciers category:cs.CV"))
    slack.wait_for(lambda: _finished(slack, "C1", root), timeout=45)
    follow = slack.user_message("C1", f"<@{BOT_USER_ID}> and glacier melt?", thread_ts=root)
    _send(http, mention_event("C1", follow, "and glacier melt?", thread_ts=root))
    slack.wait_for(lambda: _finished(slack, "C1", follow), timeout=45)
    first, second = (_blocks_text(m) for m in slack.bot_replies("C1", root))
    assert NEW in first and OLD not in first
    assert "only papers category cs.CV" in second and OLD not in second


def test_an_unreadable_filter_gets_a_helpful_reply(
    server: tuple[FakeSlack, SlackHttpServer],
) -> None:
    slack, http = server
    ts = _ask(slack, http, "C1", "glaciers since:someday")
    (reply,) = slack.bot_replies("C1", ts)
    shown = _blocks_text(reply)
    assert "cannot read 'someday' as a date" in shown and "since:monday" in shown


def test_filters_that_leave_no_paper_are_said_before_answering(
    server: tuple[FakeSlack, SlackHttpServer],
) -> None:
    slack, http = server
    ts = _ask(slack, http, "C1", "glaciers category:cs.CL")
    (reply,) = slack.bot_replies("C1", ts)
    shown = _blocks_text(reply)
    assert "no paper matches category:cs.CL (119 papers have no category)" in shown
    assert OLD not in shown and NEW not in shown
