"""One conversation's state: the assistant, the turns so far, the last answer, the log.

Front ends (the REPL, ``assistant ask -c``) call :meth:`ChatSession.ask`; it streams the answer
to the console, passes the earlier turns as history (earlier answers with the papers they
cited, so "it" means the paper the last answer was about) and saves the exchange.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console

from assistant.chat.render import StreamDisplay, literal, print_answer
from assistant.conversations import ConversationLog, new_conversation_id

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.api import Assistant

# Only this many earlier questions are passed on: follow-ups refer to the recent turns.
HISTORY_TURNS = 6


class Cancelled(Exception):
    """The user pressed Ctrl-C while an answer was being produced."""


class AnswerFailed(Exception):
    """The backend (or retrieval) failed; the message is short and meant for the user."""


class NoMatchingPapers(AnswerFailed):
    """The filters leave no paper to answer from (said before answering, with the reason)."""


@dataclass
class ChatSession:
    assistant: Assistant
    log: ConversationLog
    out: Console
    info: Console  # status lines, notices and errors (stderr when output is piped)
    conversation_id: str = field(default_factory=new_conversation_id)
    # earlier turns, oldest first: Answers (and saved exchanges), or bare questions (-H)
    turns: list[Any] = field(default_factory=list)
    last_answer: Answer | None = None
    save: bool = True
    cited: dict[str, str] = field(default_factory=dict)  # paper id -> title, cited so far (/export)

    # -- conversations ------------------------------------------------------------------------
    def new_conversation(self) -> None:
        self.conversation_id = new_conversation_id()
        self.turns = []
        self.last_answer = None
        self.cited = {}

    def resume(self, conversation_id: str | None = None) -> bool:
        """Continue a saved conversation (default: the last one); False if there is none."""
        cid = conversation_id or self.log.last_conversation_id()
        if cid is None:
            return False
        exchanges = self.log.exchanges(cid)
        if not exchanges:
            return False
        self.conversation_id = cid
        self.turns = list(exchanges)
        self.last_answer = None
        self.cited = {c.paper_id: c.title for e in exchanges for c in e.citations}
        return True

    @property
    def questions(self) -> list[str]:
        return [t if isinstance(t, str) else t.question for t in self.turns]

    @property
    def history(self) -> list[Any]:
        return self.turns[-HISTORY_TURNS:]

    # -- settings -----------------------------------------------------------------------------
    def reconfigure(self, **overrides: Any) -> None:
        """Switch backend or top_k. Raises pydantic's ValidationError or BackendError.

        The new backend is resolved at once, so a misconfigured one is reported now and the
        current one stays; the open store and retriever are reused (opening them is slow).
        """
        new = self.assistant.with_settings(**overrides)
        if "llm" in overrides:
            new.backend  # noqa: B018 - resolve now to report a bad configuration
        self.assistant = new

    # -- answering ----------------------------------------------------------------------------
    def ask(self, question: str, *, show: bool = True) -> Answer:
        """Stream one answer, print it with its sources (unless ``show`` is False), save it.

        Raises Cancelled on Ctrl-C, NoMatchingPapers when the filters leave no paper, and
        AnswerFailed when the backend fails; the conversation is unchanged in all three cases.
        """
        from assistant.answer import Answer

        if self.assistant.filters:
            from assistant.filter_messages import no_match_message

            coverage = self.assistant.filter_coverage()
            if not coverage.matching:
                raise NoMatchingPapers(no_match_message(coverage))
        final: Answer | None = None
        stream = self.assistant.stream(question, self.history)
        try:
            with StreamDisplay(self.out, enabled=show) as display:
                for item in stream:
                    if isinstance(item, Answer):
                        final = item
                    else:
                        display.add(item)
        except KeyboardInterrupt:
            raise Cancelled() from None
        except Exception as exc:
            raise AnswerFailed(_short_error(exc)) from exc
        finally:
            stream.close()  # release an HTTP stream the backend may still hold
        if final is None:
            raise AnswerFailed("the backend ended without an answer")
        if show:
            print_answer(self.out, final, status=self.info)
        self.turns.append(final)
        self.last_answer = final
        self.cited.update((c.paper_id, c.title) for c in final.citations)
        if self.save:
            try:
                self.log.record(self.conversation_id, final)
            except Exception as exc:  # a full disk must not cost the user the answer
                self.info.print(literal(f"Not saved: {_short_error(exc)}", "yellow"))
        return final


def _short_error(exc: BaseException) -> str:
    from assistant.backends import BackendError
    from vectorstore.offline import OfflineAssetError
    from vectorstore.store import StoreError

    message = " ".join(str(exc).split()) or type(exc).__name__
    if len(message) > 300:
        message = message[:297] + "…"
    if isinstance(exc, (BackendError, StoreError, OfflineAssetError, ValueError)):
        return message
    return f"{type(exc).__name__}: {message}"
