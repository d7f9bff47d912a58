"""``assistant slack``: run the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from assistant.chat.render import literal
from assistant.cli.common import UserError, err, make_assistant, user_errors
from assistant.cli.settings_options import setting_options


@setting_options("top_k", "llm", slack_port=("--port", "-p"), slack_workers=("--workers",))
def slack(
    ctx: typer.Context,
    settings: dict[str, Any],
    host: Annotated[
        str, typer.Option("--host", metavar="ADDRESS", help="HTTP mode: address to listen on.")
    ] = "0.0.0.0",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logging (tokens stay masked).")
    ] = False,
) -> None:
    """Run the Slack bot: answers @-mentions and DMs in threads, with the papers it used.

    Needs SLACK_BOT_TOKEN (xoxb-) and either SLACK_APP_TOKEN (xapp-, Socket Mode) or
    SLACK_SIGNING_SECRET (HTTP mode on --port). SLACK_API_URL points at another Web API.
    """
    from assistant.slack.config import SlackConfig, SlackConfigError
    from assistant.slack.runner import configure_logging, serve_http, serve_socket_mode, start_app

    with user_errors():
        try:
            config = SlackConfig.from_env()
            assistant = make_assistant(ctx, **settings)
            configure_logging(config, verbose)
            chosen = assistant.settings
            app = start_app(assistant, config, chosen.slack_workers)
            assistant.ensure_index()  # index the digest before the first question, not during it
            if config.app_token is not None:
                err.print("Slack bot: Socket Mode. Ctrl-C stops it.", style="dim")
                serve_socket_mode(app, config.app_token, config.secrets())
            else:
                err.print(
                    literal(
                        f"Slack bot: HTTP mode, events at http://{host}:{chosen.slack_port}"
                        "/slack/events. Ctrl-C stops it.",
                        "dim",
                    )
                )
                serve_http(app, host, chosen.slack_port, config.signing_secret)
        except SlackConfigError as exc:
            raise UserError(str(exc)) from None
