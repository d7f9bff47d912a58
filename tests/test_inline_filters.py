"""Filters written in a question (the Slack bot's only way to pass them)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.inline_filters import InlineFilterError, split_filters
from vectorstore.filters import parse_day


def test_since_phrase_is_a_filter_only_when_it_names_a_day() -> None:
    asked = split_filters("What's new since Monday about LoRA?")
    assert asked.question == "What's new about LoRA?"
    assert asked.filters.since == parse_day("monday")
    assert split_filters("since 7 days ago, anything on diffusion?").filters.since == (
        date.today() - timedelta(days=7)
    )
    assert split_filters("Papers since 2026-11-20 on agents").question == "Papers on agents"
    for question in ("What changed since the transformer?", "Since when is RLHF used?"):
        asked = split_filters(question)
        assert asked.question == question and not asked.filters


def test_tokens_set_each_filter_and_leave_the_question() -> None:
    asked = split_filters(
        'LoRA since:2026-11-20 category:cs.CL cat:cs.LG author:"Geoffrey Hinton" author:LeCun?'
    )
    assert asked.question == "LoRA?"
    f = asked.filters
    assert f.since == date(2026, 11, 20)
    assert f.categories == ("cs.CL", "cs.LG")
    assert f.authors == ("Geoffrey Hinton", "LeCun")
    # Slack turns typed quotes into curly ones
    assert split_filters("author:“Ada Lovelace” engines").filters.authors == ("Ada Lovelace",)
    # a token wins over a phrase; an e-mail-like word is not a token
    assert split_filters("since:2026-01-01 what's new since monday").filters.since == date(
        2026, 1, 1
    )
    assert not split_filters("write to me:author@example.org").filters


def test_unreadable_day_is_an_error_naming_it() -> None:
    with pytest.raises(InlineFilterError, match="someday"):
        split_filters("LoRA since:someday")
