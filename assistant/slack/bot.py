"""The bot's behaviour: which events are questions, and answering one in its thread.

Bolt acknowledges each event before our listener runs; the listener only filters, de-duplicates
and adds the :eyes: reaction, then hands the question to a small pool of answer workers, so
Slack's 3-second limit never waits for retrieval or an LLM.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.answer import Answer
from assistant.answering.request import BackendError
from assistant.filter_messages import inline_spelling, no_match_message
from assistant.inline_filters import InlineFilterError, split_filters
from assistant.slack import blocks
from assistant.slack.dedupe import SeenKeys
from assistant.slack.text import plain_question
from vectorstore.filters import Filters

if TYPE_CHECKING:
    from assistant.api import Assistant

log = logging.getLogger("assistant.slack")

WORKING_REACTION = "eyes"
HISTORY_PAGES = 5  # conversations.replies pages read per thread (200 messages a page)
HISTORY_MESSAGES = 30  # the most recent earlier user messages passed as history
ANSWERED_SUBTYPES = {None, "thread_broadcast"}  # everything else (edits, bots, joins) is ignored

FILTER_HELP = (
    "Filters: `since:monday`, `since:2026-11-20`, `category:cs.CL`, `author:Hinton`, "
    "or just _since Monday_ in the question."
)
HELP = (
    "Ask me about the indexed papers, e.g. _What is 3D Gaussian splatting?_ "
    "I answer in this thread and list the papers I used. " + FILTER_HELP
)
APOLOGY_BACKEND = (
    "Sorry, I couldn't answer this: the language model didn't respond (it may be down or "
    "overloaded). Please try again in a few minutes."
)
APOLOGY_SLACK = (
    "Sorry, I couldn't post my answer because Slack refused or rate-limited it. "
    "Please ask again in a minute."
)
APOLOGY_OTHER = (
    "Sorry, something went wrong while answering this. Please try again; "
    "if it keeps happening, tell whoever runs this bot."
)
NO_HISTORY = (
    "I couldn't read the earlier messages of this thread, so I answered this one on its own."
)


@dataclass(frozen=True)
class Mention:
    """A message addressed to the bot, and where the answer goes."""

    channel: str
    ts: str
    thread_ts: str
    text: str
    user: str
    in_thread: bool
    bot_user_id: str | None = None


def _ts_key(ts: str) -> tuple[int, int]:
    whole, _, frac = ts.partition(".")
    return int(whole or 0), int(frac or 0)


def is_question_event(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's new message: not from a bot (nor us), not an edit, deletion or join."""
    if event.get("subtype") not in ANSWERED_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile") or "edited" in event:
        return False
    user = event.get("user")
    return (
        bool(user) and user != bot_user_id and bool(event.get("channel")) and bool(event.get("ts"))
    )


@dataclass
class StreamingReply:
    """One reply message: posted on the first preview (or the final answer), then updated.

    Previews are throttled to one per ``interval`` seconds and at most ``max_updates``, and
    show no citations; the final update carries the verified answer and its Sources.
    """

    client: WebClient
    channel: str
    thread_ts: str
    interval: float = 1.0
    max_updates: int = 30
    clock: Callable[[], float] = time.monotonic
    ts: str | None = None
    partial: str = ""
    updates: int = 0
    previews_enabled: bool = True
    _last: float | None = None  # when the last preview was shown (or the first chunk came)

    def add(self, chunk: str) -> None:
        """Take a streamed chunk; show a preview once per interval after the first chunk.

        A backend that hands over its whole text at once (then its final answer) never
        triggers a preview: the interval starts with the first chunk.
        """
        self.partial += chunk
        now = self.clock()
        if self._last is None:
            self._last = now
            return
        if (
            self.previews_enabled
            and self.updates < self.max_updates
            and now - self._last >= self.interval
        ):
            try:
                self.show(blocks.preview_message(self.partial))
                self.updates += 1
            except SlackApiError as exc:
                log.warning(
                    "streaming preview failed (%s); sending only the final answer", _why(exc)
                )
                self.previews_enabled = False
            self._last = self.clock()

    def show(self, message: blocks.SlackMessage) -> None:
        """Post or update; Slack is told not to turn names or URLs in the text into links."""
        if self.ts is None:
            resp = self.client.chat_postMessage(
                channel=self.channel,
                thread_ts=self.thread_ts,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                unfurl_media=False,
                parse="none",
                link_names=False,
            )
            self.ts = str(resp["ts"])
        else:
            self.client.chat_update(
                channel=self.channel,
                ts=self.ts,
                text=message.text,
                blocks=message.blocks,
                parse="none",
                link_names=False,
            )


def thread_filters(text: str, history: list[str]) -> tuple[str, list[str], Filters]:
    """The question, the history and the filters, with filter words taken out of both.

    Filters set earlier in a thread stay on for its follow-ups; a later one overrides a field.
    """
    filters = Filters()
    plain_history = []
    for message in history:
        try:
            earlier = split_filters(message)
        except InlineFilterError:
            plain_history.append(message)  # it was answered with the error already
            continue
        filters = filters.merged(earlier.filters)
        plain_history.append(earlier.question)
    asked = split_filters(text)
    return asked.question, plain_history, filters.merged(asked.filters)


def _why(exc: BaseException) -> str:
    """A log-safe description: the API error code or exception type, never request details."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", "?")
        error = exc.response.get("error") if hasattr(exc.response, "get") else None
        return f"Slack API error {error or 'unknown'} (HTTP {status})"
    return type(exc).__name__


class SlackBot:
    """Answers mentions and DMs in threads with a given ``Assistant``."""

    def __init__(
        self,
        assistant: Assistant,
        *,
        workers: int = 4,
        stream_interval: float = 1.0,
        max_stream_updates: int = 30,
    ) -> None:
        self.assistant = assistant
        self.stream_interval = stream_interval
        self.max_stream_updates = max_stream_updates
        self.seen = SeenKeys()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-answer")
        self._warm_lock = threading.Lock()
        self._warm = False

    # -- wiring -------------------------------------------------------------------------------
    def attach(self, app: App) -> App:
        app.middleware(self._drop_redelivered_events)
        app.event("app_mention")(self._on_app_mention)
        app.event("message")(self._on_message)
        return app

    def _drop_redelivered_events(
        self, body: dict[str, Any], next: Callable[[], None]
    ) -> BoltResponse | None:
        """Slack retries (same ``event_id``) are acknowledged and dropped before any listener."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.seen.first_time(("event", event_id)):
            log.info("event %s delivered again; already handled", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    def _on_app_mention(self, event: dict[str, Any], context: BoltContext) -> None:
        self.accept(event, context.bot_user_id, context.client)

    def _on_message(self, event: dict[str, Any], context: BoltContext) -> None:
        if event.get("channel_type") == "im":
            self.accept(event, context.bot_user_id, context.client)

    # -- one question -------------------------------------------------------------------------
    def accept(
        self, event: dict[str, Any], bot_user_id: str | None, client: WebClient | None
    ) -> Future[None] | None:
        """Filter and de-duplicate an event; start answering it. Returns the answer's future."""
        if client is None or not is_question_event(event, bot_user_id):
            return None
        channel, ts = str(event["channel"]), str(event["ts"])
        if not self.seen.first_time(("message", channel, ts)):
            return None  # the same message as another event (a DM mention, a redelivery)
        thread_ts = event.get("thread_ts")
        mention = Mention(
            channel=channel,
            ts=ts,
            thread_ts=str(thread_ts or ts),
            text=plain_question(str(event.get("text") or ""), bot_user_id),
            user=str(event["user"]),
            in_thread=bool(thread_ts) and thread_ts != ts,
            bot_user_id=bot_user_id,
        )
        self._react(client, "reactions_add", mention)
        return self._executor.submit(self.answer, client, mention)

    def answer(self, client: WebClient, mention: Mention) -> None:
        """Answer in the thread; on any failure, a short apology there instead of silence."""
        reply = StreamingReply(
            client,
            mention.channel,
            mention.thread_ts,
            interval=self.stream_interval,
            max_updates=self.max_stream_updates,
        )
        try:
            if not mention.text:
                reply.show(blocks.notice_message(HELP))
                return
            notes: list[str] = []
            history = self.history(client, mention, notes) if mention.in_thread else []
            try:
                asked, history, filters = thread_filters(mention.text, history)
            except InlineFilterError as exc:
                reply.show(blocks.notice_message(f"{blocks.inert(str(exc))}. {FILTER_HELP}"))
                return
            if not asked:
                reply.show(blocks.notice_message(HELP))
                return
            if filters and not (coverage := self.assistant.filter_coverage(filters)).matching:
                reply.show(blocks.notice_message(no_match_message(coverage, inline_spelling) + "."))
                return
            self._warm_up()
            final: Answer | None = None
            for item in self.assistant.stream(asked, history=history, filters=filters):
                if isinstance(item, Answer):
                    final = item
                else:
                    reply.add(item)
            if final is None:
                raise RuntimeError("the assistant returned no answer")
            if filters:
                notes.insert(0, f"only papers {filters.describe()}")
            if notes:
                final.notices.extend(notes)
            reply.show(blocks.answer_message(final))
        except Exception as exc:
            self._apologise(reply, exc, mention)
        finally:
            self._react(client, "reactions_remove", mention)

    def history(self, client: WebClient, mention: Mention, notes: list[str]) -> list[str]:
        """The thread's earlier messages from people, oldest first (``conversations.replies``)."""
        messages: list[dict[str, Any]] = []
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                resp = client.conversations_replies(
                    channel=mention.channel, ts=mention.thread_ts, limit=200, cursor=cursor
                )
                messages.extend(resp.get("messages") or [])
                cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as exc:
            log.warning("could not read thread history: %s", _why(exc))
            notes.append(NO_HISTORY)
            return []
        here = _ts_key(mention.ts)
        earlier = sorted(
            (
                m
                for m in messages
                if m.get("ts")
                and _ts_key(str(m["ts"])) < here
                and is_question_event({**m, "channel": mention.channel}, mention.bot_user_id)
            ),
            key=lambda m: _ts_key(str(m["ts"])),
        )
        texts = [plain_question(str(m.get("text") or ""), mention.bot_user_id) for m in earlier]
        return [t for t in texts if t][-HISTORY_MESSAGES:]

    def _warm_up(self) -> None:
        """Open the store and indexes once, before answer workers share them."""
        if self._warm:
            return
        with self._warm_lock:
            if not self._warm:
                self.assistant.ensure_index()
                self.assistant.retriever.lexical_index()
                _ = self.assistant.backend
                self._warm = True

    def _apologise(self, reply: StreamingReply, exc: Exception, mention: Mention) -> None:
        if isinstance(exc, BackendError):
            text = APOLOGY_BACKEND
        elif isinstance(exc, SlackApiError):
            text = APOLOGY_SLACK
        else:
            text = APOLOGY_OTHER
        log.error(
            "answering %s/%s failed: %s",
            mention.channel,
            mention.ts,
            _why(exc),
            exc_info=not isinstance(exc, (BackendError, SlackApiError)),
        )
        try:
            reply.show(blocks.notice_message(text))  # replaces an unverified preview, if any
        except SlackApiError as again:
            log.error("could not post the apology either: %s", _why(again))

    def _react(self, client: WebClient, method: str, mention: Mention) -> None:
        try:
            getattr(client, method)(
                channel=mention.channel, timestamp=mention.ts, name=WORKING_REACTION
            )
        except SlackApiError as exc:  # cosmetic: never blocks or fails an answer
            log.debug("%s failed: %s", method, _why(exc))

    def close(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)
