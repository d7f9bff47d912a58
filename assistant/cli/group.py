"""The command groups' parsing rules: an implied default command, typo suggestions, one-line errors.

* ``assistant "question"`` and ``assistant -k 3 "question"`` mean ``assistant ask …``;
  ``assistant papers lora`` means ``assistant papers list lora``.
* A first word one edit away from a command (``injest``), followed only by what looks like file
  paths or options, is a typo, not a question: "did you mean ingest?", exit 2, nothing asked.
  Edits are counted by rapidfuzz's optimal string alignment distance (insertion, deletion,
  substitution or swap of neighbours), so "one edit" means exactly that; difflib's similarity
  ratio has no such meaning and its cut-off would treat short and long command names unlike.
* Flags show no value type in ``--help`` (typer labels them ``<bool>``, as if they took a value,
  and ``--json true "q"`` then asked "true q"); ``--json true`` is refused with a hint.
* Usage errors are one line, ``Error: …``, exit code 2, like every other user error.

Typer vendors its own click since 0.26 (not to be imported), so parameters and errors are used
through the attributes and methods both share (``opts``, ``is_flag``, ``ctx.fail`` …).
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import typer
from typer.core import TyperGroup

_FILE_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}")
_BOOLEAN_WORDS = {"true", "false"}


def one_edit_away(word: str, names: Sequence[str]) -> str | None:
    """The one name ``word`` is a single edit from (case ignored), if there is exactly one."""
    from rapidfuzz.distance import OSA

    folded = word.casefold()
    close = [n for n in names if n != word and OSA.distance(folded, n, score_cutoff=1) <= 1]
    return close[0] if len(close) == 1 else None


def looks_like_paths(args: Sequence[str]) -> bool:
    """Every argument is an option or looks like a file: exists, has a folder or a file suffix."""
    return all(
        a.startswith("-")
        or "/" in a
        or _FILE_SUFFIX.fullmatch(Path(a).suffix) is not None
        or Path(a).exists()
        for a in args
    )


def _options(command: Any, ctx: typer.Context) -> dict[str, Any]:
    """A command's options (help included) by each of their names."""
    return {
        name: p
        for p in command.get_params(ctx)
        if getattr(p, "param_type_name", "") == "option"
        for name in (*p.opts, *p.secondary_opts)
    }


def _flags(command: Any, ctx: typer.Context) -> dict[str, Any]:
    return {n: p for n, p in _options(command, ctx).items() if p.is_flag and not p.count}


def _hide_flag_types(command: Any, ctx: typer.Context) -> None:
    for option in _flags(command, ctx).values():
        option.metavar = ""  # typer's help shows a metavar when set: an empty one shows nothing


def _refuse_flag_values(command: Any, ctx: typer.Context, args: Sequence[str]) -> None:
    flags = _flags(command, ctx)
    for arg, following in itertools.pairwise(args):
        if arg == "--":
            return
        if arg in flags and following.lower() in _BOOLEAN_WORDS:
            ctx.fail(
                f"{arg} is a flag and takes no value: write {arg} alone to turn it on, or leave it "
                f"out (here {following!r} would have become part of the text)"
            )


class AssistantGroup(TyperGroup):
    """A group whose command name may be left out: ``default_command`` is then meant."""

    default_command: ClassVar[str | None] = None
    default_when_empty: ClassVar[bool] = False  # no arguments at all: run the default command
    typos_need_paths: ClassVar[bool] = False  # a typo is only suspected before path-like args

    # -- which command -------------------------------------------------------------------------
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._with_default_command(ctx, list(args)))

    def _with_default_command(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if not self.default_command:
            return args
        if not args:
            return [self.default_command] if self.default_when_empty else args
        at = self._first_command_word(ctx, args)
        if at is None or args[at] in self.commands:
            return args
        word = args[at]
        if not word.startswith("-"):
            self._reject_typo(ctx, word, args[at + 1 :])
        return [*args[:at], self.default_command, *args[at:]]

    def _first_command_word(self, ctx: typer.Context, args: list[str]) -> int | None:
        """Where the command name is (or would be): after the group's own options."""
        own = _options(self, ctx)
        i = 0
        while i < len(args):
            arg = args[i]
            option = own.get(arg.split("=", 1)[0]) if arg.startswith("-") else None
            if option is None:
                return i
            i += 1 if option.is_flag or "=" in arg else 2
        return None

    def _reject_typo(self, ctx: typer.Context, word: str, rest: list[str]) -> None:
        names = [n for n in self.list_commands(ctx) if not getattr(self.commands[n], "hidden", 0)]
        meant = one_edit_away(word, names)
        if meant is None or (self.typos_need_paths and not looks_like_paths(rest)):
            return
        typed = " ".join([word, *rest])
        ctx.fail(
            f"{word!r} is not a command; did you mean {meant}? (to use it as text, name the "
            f'command: {ctx.command_path} {self.default_command} "{typed}")'
        )

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not hasattr(command, "commands"):  # a command, not a group
            _refuse_flag_values(command, type(ctx)(command, info_name=name, parent=ctx), rest)
        return name, command, rest

    # -- help ----------------------------------------------------------------------------------
    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _hide_flag_types(command, ctx)
        return command

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)
        for p in params:
            if getattr(p, "param_type_name", "") == "option" and getattr(p, "is_flag", False):
                p.metavar = ""
        return params

    # -- errors --------------------------------------------------------------------------------
    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's main, with usage errors printed as one ``Error:`` line (exit code 2)."""
        run = functools.partial(
            super().main,
            args,
            prog_name,
            complete_var,
            standalone_mode=False,
            windows_expand_args=windows_expand_args,
            **extra,
        )
        if not standalone_mode:
            return run()
        try:
            code = run()
        except typer.Abort:
            print("Aborted.", file=sys.stderr)
            sys.exit(1)
        except Exception as exc:
            if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
                raise  # not click's family of user-facing errors
            _print_error(exc)
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _print_error(exc: Any) -> None:
    from assistant.cli.common import print_error

    message = exc.format_message().rstrip(".")
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and exc.exit_code == 2 and "did you mean" not in message.lower():
        message += f" (see: {ctx.command_path} --help)"  # a usage error: point at the help
    print_error(message)
