"""The fake OpenAI server speaks the protocol the real clients expect (so other tests can trust it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import openai
import pytest

if TYPE_CHECKING:
    from tests.fakes import FakeOpenAI

pytest_plugins = ["tests.fakes"]  # the fake_openai fixture


def _client(server: FakeOpenAI, **kw: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="test-key", **kw)  # type: ignore[arg-type]


def test_plain_completion_reports_text_and_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("Hello there.", usage={"prompt_tokens": 11, "completion_tokens": 3})
    resp = _client(fake_openai).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )
    assert resp.choices[0].message.content == "Hello there."
    assert resp.usage is not None
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens) == (11, 3)
    assert fake_openai.requests[0]["messages"][0]["content"] == "hi"


def test_streaming_joins_back_to_the_text_with_usage_last(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply("one two three", chunks=["one ", "two ", "three"])
    stream = _client(fake_openai).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "count"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, usage = [], None
    for event in stream:
        if event.choices and event.choices[0].delta.content:
            pieces.append(event.choices[0].delta.content)
        if event.usage:
            usage = event.usage
    assert pieces == ["one ", "two ", "three"]
    assert usage is not None and usage.completion_tokens == 3


def test_429_with_retry_after_then_success_is_retried_by_the_client(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.fail(429, retry_after=0).fail(500).reply("finally")
    resp = _client(fake_openai, max_retries=2).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}]
    )
    assert resp.choices[0].message.content == "finally"
    assert len(fake_openai.requests) == 3 and fake_openai.pending == 0


def test_hang_longer_than_the_timeout_is_a_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.hang(2.0)
    with pytest.raises(openai.APITimeoutError):
        _client(fake_openai, max_retries=0, timeout=0.3).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )


def test_malformed_stream_chunk_raises(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(*[])  # no-op: scripting nothing is allowed
    fake_openai.malformed()
    with pytest.raises(Exception):  # noqa: B017 - the client surfaces a decode error of its choosing
        stream = _client(fake_openai, max_retries=0).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], stream=True
        )
        for _ in stream:
            pass


def test_default_and_responder(fake_openai: FakeOpenAI) -> None:
    client = _client(fake_openai)
    resp = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert resp.choices[0].message.content == fake_openai.default_text
    fake_openai.responder = lambda body: body["messages"][-1]["content"].upper()
    resp = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "ab"}])
    assert resp.choices[0].message.content == "AB"
