"""Command-line options generated from ``Settings``: one place for names, types, limits and help.

A command lists the settings it offers: ``@setting_options("top_k", "llm")``. Each becomes an
option named after the field (``--top-k``, plus the short name in ``SHORT_NAMES``; a command may
rename one: ``slack_port=("--port", "-p")``), typed and bounded as the field, described by its
``Field(description=...)`` with its env var and default. The values given on the command line
reach the command as one ``settings`` dict; an option left out is absent from it, so the env var
or the default applies when ``Settings`` is built. (pydantic-settings' own CLI source is
argparse-based and has no default command, which ``assistant "question"`` needs.)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, TypeVar, get_args, get_origin

import annotated_types
import typer

from assistant.settings import ENV_PREFIX, Settings

F = TypeVar("F", bound=Callable[..., Any])

SHORT_NAMES = {"top_k": ("-k",)}


def flag_names(name: str) -> tuple[str, ...]:
    """The default option names of a setting: ``top_k`` -> ``("--top-k", "-k")``."""
    return (f"--{name.replace('_', '-')}", *SHORT_NAMES.get(name, ()))


def env_var(name: str) -> str:
    return f"{ENV_PREFIX}{name.upper()}"


def _value_type(annotation: Any) -> Any:
    """The field's type without ``None``; a ``Literal`` stays as is (its values become the metavar)."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not Literal and len(args) == 1:
        return args[0]
    return annotation


def _metavar(name: str, kind: Any) -> str:
    if get_origin(kind) is Literal:
        return "|".join(str(v) for v in get_args(kind))
    if name.endswith("_url"):
        return "URL"
    return {int: "N", float: "SECONDS" if "timeout" in name else "X", Path: "PATH"}.get(
        kind, "TEXT"
    )


def _shown_default(name: str, kind: Any, flags: tuple[str, ...]) -> str | None:
    field = Settings.model_fields[name]
    value = field.get_default(call_default_factory=True)
    if value is None:
        return None
    if kind is bool:
        positive = flags[0].split("/")[0]
        return positive if value else f"--no-{positive.removeprefix('--')}"
    return str(value)


def describe(name: str, flags: tuple[str, ...] | None = None) -> str:
    """An option's help: the field's description, its env var and its default."""
    field = Settings.model_fields[name]
    kind = _value_type(field.annotation)
    default = _shown_default(name, kind, flags or flag_names(name))
    extra = f"env: {env_var(name)}" + (f"; default: {default}" if default is not None else "")
    return f"{field.description or ''}  \\[{extra}]".strip()


def option(name: str, flags: tuple[str, ...] | None = None) -> Any:
    """The typed, described ``typer.Option`` annotation for one setting."""
    flags = flags or flag_names(name)
    field = Settings.model_fields[name]
    kind = _value_type(field.annotation)
    bounds: dict[str, Any] = {}
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            bounds["min"] = rule.ge
        elif isinstance(rule, annotated_types.Le):
            bounds["max"] = rule.le
    if kind is bool:
        positive = flags[0]
        decls: tuple[str, ...] = (f"{positive}/--no-{positive.removeprefix('--')}", *flags[1:])
        return Annotated[
            Optional[bool],  # noqa: UP045 - typer reads this annotation at run time
            typer.Option(*decls, help=describe(name, flags), show_default=False),
        ]
    cli_type = str if get_origin(kind) is Literal else kind
    return Annotated[
        Optional[cli_type],  # noqa: UP045 - typer reads this annotation at run time
        typer.Option(
            *flags,
            help=describe(name, flags),
            metavar=_metavar(name, kind),
            show_default=False,
            **bounds,
        ),
    ]


def setting_options(*names: str, **renamed: tuple[str, ...]) -> Callable[[F], F]:
    """Add an option per named setting to a typer command; the given ones arrive as ``settings``."""
    specs = {**{n: flag_names(n) for n in names}, **renamed}
    unknown = set(specs) - set(Settings.model_fields)
    if unknown:
        raise TypeError(f"not settings: {', '.join(sorted(unknown))}")

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        if "settings" not in signature.parameters:
            raise TypeError(f"{func.__name__} needs a `settings` parameter")
        kept = [p for p in signature.parameters.values() if p.name != "settings"]
        added = [
            inspect.Parameter(
                n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=option(n, f)
            )
            for n, f in specs.items()
        ]

        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            given = {n: kwargs.pop(n) for n in specs if n in kwargs}
            chosen = {n: v for n, v in given.items() if v is not None}
            return func(*args, settings=chosen, **kwargs)

        command.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
        return command  # type: ignore[return-value]

    return decorate
