"""``assistant slack`` as a user runs it: a real process, configured only by env vars and flags."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.slack_api import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    FakeSlack,
    FakeSocketMode,
    deliver,
    dm_event,
    event_callback,
    mention_event,
)

SECRET = "cli-test-signing-secret-0123456789"
VERIFICATION_TOKEN = "legacy-verification-token"  # inside every fake event payload
GS = "3D Gaussian Splatting for Real-Time Radiance Field Rendering"


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from assistant.cli import main; main()", *args]


def _env(**slack: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(slack)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def _stop(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C the bot; return everything it wrote to stderr."""
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


def _assert_no_secrets(text: str) -> None:
    for secret in (BOT_TOKEN, APP_TOKEN, SECRET, VERIFICATION_TOKEN):
        assert secret not in text


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "set SLACK_APP_TOKEN (xapp-..., Socket Mode) or"),
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "x", "SLACK_API_URL": "ftp://x"},
            "SLACK_API_URL must be an http(s) URL",
        ),
    ],
)
def test_missing_or_malformed_settings_fail_at_start_in_one_line(
    env: dict[str, str], message: str
) -> None:
    done = subprocess.run(
        _cmd("slack"), env=_env(**env), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"Error: {done.stderr.strip()[7:]}"]
    assert message in done.stderr and "Traceback" not in done.stderr
    _assert_no_secrets(done.stderr)


def test_a_rejected_bot_token_fails_at_start_without_printing_it(
    fake_slack: FakeSlack, built_home: Path
) -> None:
    wrong = "xoxb-9999-8888-wrongtokenvalue"
    done = subprocess.run(
        _cmd("--home", str(built_home), "slack", "--llm", "extractive"),
        env=_env(
            SLACK_BOT_TOKEN=wrong, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake_slack.base_url
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: Slack rejected SLACK_BOT_TOKEN") and "invalid_auth" in last
    assert wrong not in done.stderr and "Traceback" not in done.stderr


def test_http_mode_answers_signed_events_and_never_logs_secrets(
    fake_slack: FakeSlack, built_home: Path
) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        _cmd("--home", str(built_home), "slack", "--port", str(port), "--llm", "extractive", "-v"),
        env=_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake_slack.base_url,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # bounded wait for the server to come up
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "the bot did not start within 60 s"
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}/slack/events"
        ts = fake_slack.user_message("C1", f"<@{BOT_USER_ID}> What is 3D Gaussian splatting?")
        event = event_callback(mention_event("C1", ts, "What is 3D Gaussian splatting?"))
        assert deliver(url, event, secret="wrong-secret").status == 401
        assert deliver(url, event, secret=SECRET).status == 200
        fake_slack.wait_for(lambda: fake_slack.bot_replies("C1", ts), timeout=45)
    finally:
        err = _stop(proc)
    (reply,) = fake_slack.bot_replies("C1", ts)
    assert GS in reply["text"]
    (refused,) = [line for line in err.splitlines() if "refused a request" in line]
    # one short line, without the request's body
    assert re.search(r"refused a request from 127\.0\.0\.1: 401 bad signature, \d+ bytes$", refused)
    _assert_no_secrets(err)  # every secret masked
    assert "Traceback" not in err


def test_socket_mode_is_used_when_the_app_token_is_set(
    fake_slack: FakeSlack, built_home: Path
) -> None:
    with FakeSocketMode() as sock:
        fake_slack.socket_url = sock.url
        proc = subprocess.Popen(
            _cmd("--home", str(built_home), "slack", "--llm", "extractive"),
            env=_env(
                SLACK_BOT_TOKEN=BOT_TOKEN,
                SLACK_APP_TOKEN=APP_TOKEN,
                SLACK_API_URL=fake_slack.base_url,
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert sock.connected.wait(60), "no Socket Mode connection within 60 s"
            ts = fake_slack.user_message("D1", "What is 3D Gaussian splatting?")
            envelope = sock.send_events_api(
                event_callback(dm_event("D1", ts, "What is 3D Gaussian splatting?"))
            )
            sock.wait_ack(envelope, timeout=3)
            fake_slack.wait_for(lambda: fake_slack.bot_replies("D1", ts), timeout=45)
        finally:
            err = _stop(proc)
    assert [c.ok for c in fake_slack.calls_to("apps.connections.open")][:1] == [True]
    assert GS in fake_slack.bot_replies("D1", ts)[0]["text"]
    _assert_no_secrets(err)
