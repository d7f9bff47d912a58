"""Nothing is downloaded: tiktoken and the embedder load from files shipped in PyPI packages."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_tiktoken_and_embedder_work_with_network_calls_forbidden(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import socket
        def refuse(*a, **k):
            raise RuntimeError("network access attempted")
        socket.create_connection = refuse
        socket.socket.connect = refuse
        import os
        os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        from pathlib import Path
        from vectorstore import tokens
        from vectorstore.embeddings import MiniLMEmbedding
        tokens.configure(Path({str(tmp_path)!r}) / "tiktoken")
        assert tokens.count_tokens("hello world") == 2
        assert len(tokens.encoding("o200k_base").encode("hello")) == 1
        vec = MiniLMEmbedding(Path({str(tmp_path)!r}) / "minilm")(["offline embeddings"])[0]
        assert len(vec) == 384
        print("ok")
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("ok")
    assert len(list((tmp_path / "tiktoken").iterdir())) == 2
    assert (tmp_path / "minilm" / "onnx" / "model.onnx").exists()


def test_tampered_model_file_is_refused(tmp_path: Path) -> None:
    import pytest

    from vectorstore import offline

    good = offline.MINILM_MODEL_SHA256
    offline.MINILM_MODEL_SHA256 = "0" * 64
    try:
        with pytest.raises(offline.OfflineAssetError, match="wrong sha256"):
            offline.seed_minilm(tmp_path / "m")
    finally:
        offline.MINILM_MODEL_SHA256 = good
