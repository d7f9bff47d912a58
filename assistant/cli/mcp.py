"""``assistant mcp``: serve the assistant to MCP clients (Claude Desktop, IDE agents) over stdio,
or over Streamable HTTP with ``--http [HOST:]PORT``."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from assistant.cli.common import UserError, err, make_settings, user_errors
from assistant.cli.settings_options import setting_options

if TYPE_CHECKING:
    from assistant.api import Assistant


@setting_options("top_k", "llm")
def mcp(
    ctx: typer.Context,
    http: Annotated[
        str | None,
        typer.Option(
            "--http",
            metavar="[HOST:]PORT",
            help="Serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio "
            "(HOST defaults to 127.0.0.1; only loopback hosts are protected from DNS rebinding).",
        ),
    ] = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Run an MCP server with the tools ask, search_papers, get_paper, list_papers, export_bibtex.

    By default it speaks MCP over stdin/stdout, as MCP clients launch it; stdout carries only
    the protocol. See the README for a client configuration.
    """
    from assistant.mcp_server import parse_http, serve

    with user_errors():
        address = None
        if http is not None:
            try:
                address = parse_http(http)
            except ValueError as exc:
                raise UserError(str(exc)) from None
            _check_free(*address)
        chosen = make_settings(ctx, **(settings or {}))

        def assistant() -> Assistant:  # made as the server starts, without delaying it
            from assistant.api import Assistant

            made = Assistant(settings=chosen)
            made.on_notice = lambda msg: err.print(Text(msg, style="dim"))
            return made  # no progress bar: stderr may be a client's log file

        if address is not None:
            err.print(
                f"[dim]MCP server: http://{_url_host(address[0])}:{address[1]}/mcp "
                "(Streamable HTTP). Ctrl-C stops it.[/dim]"
            )
        serve(assistant, address)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _check_free(host: str, port: int) -> None:
    """A port in use (or a host that is not ours) is a one-line error, not a server traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
