"""What every command shares: building the Assistant from options, consoles, user-facing errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from assistant.chat.render import literal

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.settings import Settings

# stdout carries answers (and JSON); everything else (progress, notices, errors) goes to stderr.
# Text from papers, LLMs or the user is printed as ``literal(...)`` (never as a markup string).
out = Console(highlight=False, no_color="NO_COLOR" in os.environ or None)
err = Console(stderr=True, highlight=False, no_color="NO_COLOR" in os.environ or None)


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit code 2."""


def global_overrides(ctx: typer.Context) -> dict[str, Any]:
    root = ctx.find_root()
    return dict(root.obj or {})


def make_settings(ctx: typer.Context, **overrides: Any) -> Settings:
    """The Settings of the global options plus this command's; a bad value is a UserError."""
    from pydantic import ValidationError

    from assistant.settings import Settings

    settings = {**global_overrides(ctx), **{k: v for k, v in overrides.items() if v is not None}}
    try:
        return Settings(**settings)
    except ValidationError as exc:
        raise invalid_settings(ctx, exc, given=set(settings)) from None


def make_assistant(ctx: typer.Context, **overrides: Any) -> Assistant:
    """An Assistant from the global options plus this command's, with progress shown on stderr."""
    from assistant.api import Assistant

    assistant = Assistant(settings=make_settings(ctx, **overrides))
    assistant.on_notice = lambda msg: err.print(literal(msg, "dim"), soft_wrap=True)
    assistant.on_progress = _progress_printer()
    return assistant


def invalid_settings(ctx: typer.Context, exc: Any, given: set[str]) -> UserError:
    """A ValidationError of Settings as one line naming what was at fault: the flag, the setting
    (``--set NAME=…``) or the env var."""
    from assistant.cli.settings_options import env_var

    flags = {str(p.name): p.opts[0] for c in (ctx.find_root(), ctx) for p in c.command.params}
    problems = []
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else ""
        if not name:
            where = "settings"
        elif name not in given:
            where = env_var(name)
        else:
            where = flags.get(name, name)
        problems.append(f"{where}: {e['msg']}")
    return UserError("invalid setting: " + "; ".join(problems))


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
        print_error(str(exc))
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("Interrupted.")
        raise typer.Exit(130) from None


def print_error(message: str) -> None:
    """``Error: message`` on stderr; the message is shown as is (a ``[x]`` in it stays)."""
    err.print(Text("Error: ", style="red") + literal(message), highlight=False, soft_wrap=True)


def is_tty() -> bool:
    return sys.stdout.isatty()
