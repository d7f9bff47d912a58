"""``build_app(assistant, client)``: the Bolt app, for ``assistant slack`` or your own deployment.

Embedding: pass the returned ``App`` to any Bolt adapter (e.g.
``slack_bolt.adapter.fastapi.SlackRequestHandler(app)``) or to ``SocketModeHandler``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient

from assistant.slack.bot import SlackBot
from assistant.slack.retries import ensure_retries
from assistant.slack.verify import VerifySlackSignature

if TYPE_CHECKING:
    from assistant.api import Assistant


def build_app(
    assistant: Assistant,
    client: WebClient,
    *,
    signing_secret: str | None = None,
    workers: int = 4,
    stream_interval: float = 1.0,
) -> App:
    """A Bolt app answering mentions and DMs with ``assistant``, talking to Slack via ``client``.

    ``client`` carries the bot token and the Web API base URL; it is checked with auth.test
    here (a bad token fails now, not on the first question) and given retry limits for 429
    and 5xx if it has none. ``signing_secret`` verifies HTTP requests (Socket Mode needs none;
    without one every HTTP request is refused): by ``VerifySlackSignature`` in place of Bolt's
    own check, so a malformed timestamp is a 401, not a 500, and no rejected body is logged.
    ``workers`` questions are answered at once.
    """
    ensure_retries(client)
    app = App(
        name="paper-qa-assistant",
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=False,
        before_authorize=VerifySlackSignature(signing_secret),  # where Bolt's check would run
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-listener"),
    )
    SlackBot(assistant, workers=workers, stream_interval=stream_interval).attach(app)
    return app
