"""Choosing a backend, and assembling the packaged local model's weights."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.backends import BackendUnavailable, auto_choice, resolve
from assistant.llm import weights
from assistant.settings import Settings


def test_auto_is_extractive_without_an_explicit_endpoint(tmp_path: Path) -> None:
    assert auto_choice(Settings(home=tmp_path)) in {"extractive", "local"}
    assert resolve(Settings(home=tmp_path, llm="extractive")).name == "extractive"


def test_a_stray_openai_key_never_makes_auto_call_a_paid_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-someone-elses")
    assert auto_choice(Settings(home=tmp_path)) != "openai"


@pytest.mark.parametrize(
    "env",
    [
        {"ASSISTANT_OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
        {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
        {"ASSISTANT_OPENAI_API_KEY": "sk-test"},
    ],
)
def test_auto_uses_a_configured_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(home=tmp_path)
    assert auto_choice(settings) == "openai"
    assert resolve(settings).name == "openai"


def test_openai_without_key_or_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable, match="OPENAI_API_KEY"):
        resolve(Settings(home=tmp_path, llm="openai"))


def _fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blobs: list[bytes]) -> None:
    paths = []
    for i, blob in enumerate(blobs, 1):
        path = tmp_path / "parts" / f"part{i:02d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        paths.append(path)
    monkeypatch.setattr(weights, "part_paths", lambda: paths)


def test_weights_are_concatenated_verified_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = [b"GGUF" + bytes(range(256)) * 40, b"middle" * 999, b"tail"]
    whole = b"".join(blobs)
    _fake_parts(tmp_path, monkeypatch, blobs)
    monkeypatch.setattr(weights, "SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(weights, "SIZE", len(whole))
    models = tmp_path / "models"
    path = weights.ensure_model(models)
    assert path.read_bytes() == whole
    assert [p.name for p in models.iterdir() if p.name.startswith(".")] == []  # no leftovers
    monkeypatch.setattr(weights, "part_paths", lambda: None)  # reuse needs no parts
    assert weights.ensure_model(models) == path


def test_corrupt_weights_are_refused_and_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_parts(tmp_path, monkeypatch, [b"GGUF", b"not the real model"])
    with pytest.raises(weights.WeightsError, match="SHA-256"):
        weights.ensure_model(tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_weights_say_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weights, "part_paths", lambda: None)
    with pytest.raises(weights.WeightsError, match=r"\[local\]"):
        weights.ensure_model(tmp_path / "models")
