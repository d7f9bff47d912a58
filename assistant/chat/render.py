"""How answers look in the terminal: streamed text, Markdown, a numbered Sources list, a status line.

Shared by ``assistant chat`` and ``assistant ask`` so both show an answer the same way. On a
terminal the answer streams as plain text and is re-drawn as Markdown once complete (the final
text is the *verified* one); elsewhere it is printed once, as plain text.

Everything shown here comes from papers or an LLM, so it goes through :func:`literal`: rich
``Text`` (never markup) with control characters made visible. Markdown links are shown with
their address, never as clickable terminal hyperlinks, and HTML as written: an LLM that obeyed
an injected abstract must not be able to plant a link or hide text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from assistant.display import visible
from assistant.wording import duration

if TYPE_CHECKING:
    from rich.live import Live
    from rich.markdown import Markdown

    from assistant.answer import Answer


class Source(Protocol):
    """A cited paper, as an Answer or the conversation log holds it."""

    @property
    def title(self) -> str: ...
    @property
    def snippet(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...


def literal(text: str, style: str = "", *, multiline: bool = False) -> Text:
    """Untrusted ``text`` exactly as written: no markup, no emoji codes, controls escaped."""
    return Text(visible(text, multiline=multiline), style=style)


def source_line(number: int, source: Source) -> Text:
    """``1. Exact Title (2024-05-01 — https://…)``; the title is never reformatted."""
    line = Text(f"{number}. ")
    line.append_text(literal(source.title, "bold"))
    extra = " — ".join(x for x in (source.date, source.url) if x)
    if extra:
        line.append_text(literal(f" ({extra})", "dim"))
    return line


def sources_plain(sources: Sequence[Source]) -> str:
    return "\n".join(source_line(i, s).plain for i, s in enumerate(sources, start=1))


def print_sources(console: Console, sources: Sequence[Source]) -> None:
    if not sources:
        return
    console.print()
    console.print(Text("Sources", style="bold"))
    for i, source in enumerate(sources, start=1):
        console.print(source_line(i, source), soft_wrap=True)


def print_sources_detail(console: Console, sources: Sequence[Source]) -> None:
    """The sources with the evidence each one contributed (``/sources``)."""
    for i, source in enumerate(sources, start=1):
        if i > 1:
            console.print()
        console.print(source_line(i, source), soft_wrap=True)
        if source.snippet:
            snippet = literal(" ".join(source.snippet.split()), "italic dim")
            if console.is_terminal:
                from rich.padding import Padding

                console.print(Padding(snippet, (0, 0, 0, 3)))
            else:
                console.print(Text("   ") + snippet, soft_wrap=True)


def answer_markdown(text: str) -> Markdown:
    """``text`` as rich Markdown that hides nothing and links nowhere: a link is shown as its
    text and address (no OSC-8 hyperlink), and HTML is shown as written (rich drops it)."""
    from markdown_it import MarkdownIt
    from rich.markdown import Markdown

    markdown = Markdown("", hyperlinks=False)
    markdown.markup = text
    parser = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")
    markdown.parsed = parser.parse(text)
    return markdown


def print_answer_text(console: Console, text: str) -> None:
    """Markdown on a terminal (see ``answer_markdown``); the exact text elsewhere."""
    text = visible(text, multiline=True)
    if console.is_terminal:
        console.print(answer_markdown(text))
    else:
        console.print(Text(text), soft_wrap=True)


def status_text(answer: Answer) -> str:
    """``openai · gpt-4o-mini · 1.2 s · 812 → 64 tokens``."""
    parts = [answer.backend]
    if answer.model and answer.model != answer.backend:
        parts.append(answer.model)
    parts.append(duration(answer.timings_ms.get("total", 0.0)))
    usage = answer.usage
    if usage.prompt_tokens or usage.completion_tokens:
        parts.append(f"{usage.prompt_tokens} → {usage.completion_tokens} tokens")
    if answer.rejected_citations:
        n = len(answer.rejected_citations)
        parts.append(f"{n} unverifiable citation{'s' if n != 1 else ''} removed")
    return visible(" · ".join(parts))


def print_comparison(console: Console, answer: Answer) -> None:
    """A comparison side by side: one row per paper, with the name the question used for it and
    the number of its source."""
    from rich import box
    from rich.table import Table

    number = {c.paper_id: i for i, c in enumerate(answer.citations, start=1)}
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, expand=True)
    table.add_column("", style="bold", ratio=1)
    table.add_column("what its abstract says", ratio=4)
    table.add_column("source", justify="right", no_wrap=True)
    for part in answer.parts:
        table.add_row(
            literal(part.target or part.title),
            literal(part.text),
            str(number.get(part.paper_id, "")),
        )
    console.print(table)


def print_answer(console: Console, answer: Answer, status: Console | None = None) -> None:
    """The answer, its Sources, its notices and a dim status line (on ``status``, default: same).

    On a terminal a comparison is a table; elsewhere the text is printed exactly."""
    if answer.intent == "compare" and len(answer.parts) >= 2 and console.is_terminal:
        print_comparison(console, answer)
    else:
        print_answer_text(console, answer.text)
    print_sources(console, answer.citations)
    info = status or console
    for notice in answer.notices:
        info.print(Text("Note: ", style="yellow") + literal(notice))
    info.print(Text(status_text(answer), style="dim"))


class StreamDisplay:
    """Shows an answer while it streams (the last screenful of it), erased once it is complete.

    Disabled (a no-op) when the console is not a terminal: piped output gets only the final text.
    """

    def __init__(
        self, console: Console, *, enabled: bool = True, waiting: str = "Searching the papers…"
    ) -> None:
        self.console = console
        self.enabled = enabled and console.is_terminal
        self.waiting = waiting
        self.text = ""
        self._live: Live | None = None
        self._last_refresh = 0.0

    def __enter__(self) -> StreamDisplay:
        if self.enabled:
            from rich.live import Live

            self._live = Live(
                self,
                console=self.console,
                auto_refresh=True,
                refresh_per_second=12,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
        return self

    def add(self, chunk: str) -> None:
        self.text += chunk
        now = time.monotonic()
        if self._live is not None and now - self._last_refresh > 0.05:
            self._last_refresh = now
            self._live.refresh()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.text:
            from rich.spinner import Spinner

            yield Spinner("dots", text=Text(self.waiting, style="dim"))
            return
        lines = literal(self.text, multiline=True).wrap(console, options.max_width)
        room = max(1, (options.height or console.height) - 2)
        yield Text("\n").join(lines[-room:])
