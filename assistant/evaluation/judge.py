"""LLM-JUDGE MODE (optional, uses an LLM): ALCE-style support of each cited sentence.

Unlike ``support.check_support`` this asks a model, so its scores depend on that model and
cost tokens; reports label it "LLM judge". It talks to any OpenAI-compatible server with the
``openai_*`` settings; the client's own retries (``llm_max_retries``) cover 429/5xx/timeouts,
and a call that still fails raises ``JudgeError`` (the item is reported as an error).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from assistant.evaluation.support import statements
from assistant.resources import prompt
from assistant.settings import Settings
from vectorstore.papers import normalize_title

PROMPT_NAME = "eval_support_judge"


class JudgeError(RuntimeError):
    """The judge model could not be reached or gave no usable verdict."""


class SupportJudge:
    """Asks a model, per sentence, whether its cited abstracts support it; score = share of yes."""

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.model = settings.openai_model
        self.template = prompt(PROMPT_NAME)
        self.tokens = 0
        if client is None:
            from openai import OpenAI

            key = settings.openai_api_key or os.environ.get("OPENAI_API_KEY")
            base = settings.openai_base_url or os.environ.get("OPENAI_BASE_URL")
            if not key and not base:
                raise JudgeError(
                    "the LLM judge needs ASSISTANT_OPENAI_API_KEY or ASSISTANT_OPENAI_BASE_URL"
                )
            client = OpenAI(
                api_key=key or "not-needed",
                base_url=base,
                timeout=settings.llm_timeout,
                max_retries=settings.llm_max_retries,
            )
        self.client = client

    def verdict(self, statement: str, evidence: str) -> bool:
        text = self.template.replace("<<EVIDENCE>>", evidence).replace("<<STATEMENT>>", statement)
        try:
            reply = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "user", "content": text}],
                temperature=0,
                max_tokens=3,
            )
        except Exception as exc:
            raise JudgeError(f"the LLM judge failed: {exc}") from exc
        usage = getattr(reply, "usage", None)
        if usage is not None:
            self.tokens += int(usage.prompt_tokens or 0) + int(usage.completion_tokens or 0)
        word = (reply.choices[0].message.content or "").strip().strip(".\"'").lower()
        if word not in ("yes", "no"):
            raise JudgeError(f"the LLM judge replied {word[:40]!r}, expected yes or no")
        return word == "yes"

    def score(self, answer_text: str, evidence: Mapping[str, str]) -> float | None:
        """Share of the answer's sentences the judge finds supported (uncited ones: not)."""
        by_key = {normalize_title(t): f"[{t}] {a}" for t, a in evidence.items()}
        sentences = statements(answer_text)
        if not sentences:
            return None
        supported = 0
        for st in sentences:
            texts = [by_key[k] for k in (normalize_title(c) for c in st.cited) if k in by_key]
            if texts and self.verdict(st.sentence, "\n\n".join(texts)):
                supported += 1
        return supported / len(sentences)
