"""What every command shares: building the Assistant from options, consoles, user-facing errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from assistant.api import Assistant

# Options several commands share, declared once.
TopKOption = Annotated[
    int | None,
    typer.Option("--top-k", "-k", help="Papers to retrieve.  \\[env: ASSISTANT_TOP_K; default: 6]"),
]
LlmOption = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="Answer backend: auto, extractive, openai, local.  \\[env: ASSISTANT_LLM; default: auto]",
    ),
]

# stdout carries answers (and JSON); everything else (progress, notices, errors) goes to stderr.
out = Console(highlight=False, no_color="NO_COLOR" in os.environ or None)
err = Console(stderr=True, highlight=False, no_color="NO_COLOR" in os.environ or None)


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit code 2."""


def global_overrides(ctx: typer.Context) -> dict[str, Any]:
    root = ctx.find_root()
    return dict(root.obj or {})


def make_assistant(ctx: typer.Context, **overrides: Any) -> Assistant:
    """An Assistant from the global options plus this command's, with progress shown on stderr."""
    from pydantic import ValidationError

    from assistant.api import Assistant

    settings = {**global_overrides(ctx), **{k: v for k, v in overrides.items() if v is not None}}
    try:
        assistant = Assistant(**settings)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise UserError(f"invalid setting: {problems}") from None
    assistant.on_notice = lambda msg: err.print(f"[dim]{msg}[/dim]")
    assistant.on_progress = _progress_printer()
    return assistant


def _progress_printer() -> Any:
    """A rich progress bar on stderr, created on the first report of an ingest."""
    state: dict[str, Any] = {}

    def report(done: int, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        if "bar" not in state:
            bar = Progress(
                TextColumn("Indexing papers"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=err,
                transient=False,
            )
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task("ingest", total=total, rate="")
            import time

            state["t0"] = time.perf_counter()
        import time

        elapsed = max(time.perf_counter() - state["t0"], 1e-6)
        bar = state["bar"]
        bar.update(
            state["task"], completed=done, total=total, rate=f"{done / elapsed:.1f} papers/s"
        )
        if done >= total:
            bar.stop()
            state.clear()

    return report


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one clear line and exit code 2."""
    from assistant.conversations import LogError
    from vectorstore.offline import OfflineAssetError
    from vectorstore.readers import ReaderError
    from vectorstore.store import StoreError

    try:
        yield
    except (UserError, ReaderError, StoreError, OfflineAssetError, LogError) as exc:
        err.print(f"[red]Error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("Interrupted.")
        raise typer.Exit(130) from None


def is_tty() -> bool:
    return sys.stdout.isatty()
