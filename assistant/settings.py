"""All configuration in one object. Every field is an env var ``ASSISTANT_<NAME>`` and a CLI flag."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "ASSISTANT_"


def _default_home() -> Path:
    return Path(user_data_dir("paper-qa-assistant", appauthor=False))


class Settings(BaseSettings):
    """Settings for the assistant; ``Assistant(**settings)`` takes the same names."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", validate_assignment=True
    )

    home: Path = Field(
        default_factory=_default_home, description="Data directory: the store, caches, logs."
    )
    llm: Literal["auto", "extractive", "openai", "local"] = Field(
        "auto",
        description="Answer backend; auto: the OpenAI-compatible server configured for this tool, "
        "if any, else extractive (offline).",
    )
    top_k: int = Field(
        6, ge=1, le=100, description="How many papers retrieval passes to the answerer."
    )
    chroma_url: str | None = Field(
        None, description="Use a Chroma server (http://host:port) instead of the local store."
    )
    collection: str = Field(
        "papers",
        min_length=3,
        max_length=60,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$",
        description="Name of the paper collection (letters, digits, . _ -): one store can hold several.",
    )
    chunk_tokens: int = Field(
        160,
        ge=32,
        le=220,
        description="Chunk size in tiktoken tokens (MiniLM reads 256 word pieces).",
    )
    chunk_overlap: int = Field(
        32, ge=0, le=100, description="Tokens a chunk repeats from the end of the one before."
    )
    auto_ingest: bool = Field(
        True, description="Index the bundled digest on a data directory's first use."
    )
    shipped_embeddings: bool = Field(
        True,
        description="Take the digest's chunk embeddings from the package instead of computing "
        "them (the same vectors; chunks they do not cover are embedded as usual).",
    )

    # LLM backends (issue: LLM answer chain)
    openai_model: str = Field("gpt-4o-mini", description="Model name for the openai backend.")
    openai_base_url: str | None = Field(
        None, description="OpenAI-compatible server URL (else OPENAI_BASE_URL)."
    )
    openai_api_key: str | None = Field(
        None, description="API key (else OPENAI_API_KEY).", repr=False
    )
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before one LLM call times out.")
    llm_max_retries: int = Field(
        2, ge=0, le=10, description="Retries of a failing LLM call (429/5xx/timeouts)."
    )
    evidence_tokens: int = Field(
        450, ge=50, le=8000, description="Token budget for the evidence an LLM reads."
    )
    grounding: Literal["flag", "drop", "replace"] = Field(
        "replace",
        description="What to do with an LLM sentence whose numbers are not in its cited abstracts.",
    )
    local_model_path: Path | None = Field(
        None, description="A GGUF file for the local backend (default: the packaged Qwen2.5 1.5B)."
    )
    local_threads: int = Field(2, ge=1, le=64, description="CPU threads of the local backend.")
    local_ctx: int = Field(
        2048, ge=512, le=32768, description="Context window of the local backend, in tokens."
    )
    max_tokens: int = Field(
        300, ge=16, le=4096, description="Longest answer an LLM may write, in tokens."
    )

    # Slack bot (issue: Slack bot); its tokens come from SLACK_* env vars, never from here
    slack_port: int = Field(
        3000, ge=1, le=65535, description="HTTP mode: port serving the Events API /slack/events."
    )
    slack_workers: int = Field(
        4, ge=1, le=32, description="Slack questions answered at the same time."
    )

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: object) -> object:
        return Path(str(value)).expanduser() if value not in (None, "") else _default_home()

    @field_validator("llm", mode="before")
    @classmethod
    def _folded_llm(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    # -- derived paths: everything a user creates lives under ``home`` ---------------------
    @property
    def store_path(self) -> Path:
        return self.home / "chroma"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def lock_path(self) -> Path:
        return self.home / "locks" / f"{self.collection}.lock"
