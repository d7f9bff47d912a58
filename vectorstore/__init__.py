"""The index: readers -> papers -> chunks -> embeddings -> Chroma -> hybrid retrieval."""

import os

# ONNX Runtime (the embedder's runtime) writes a device id and an event database under
# ~/.cache/Microsoft/DeveloperTools, outside the data directory, unless its telemetry is off
# before it is imported; ORT_TELEMETRY_DISABLED is the name newer releases read.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ORT_TELEMETRY_DISABLED", "1")

from vectorstore.papers import Paper, normalize_title
from vectorstore.readers import ReaderError, read_papers
from vectorstore.retrieval import HybridRetriever, RetrievedPaper
from vectorstore.store import (
    EmptyStoreError,
    IngestInterrupted,
    IngestReport,
    PaperRecord,
    PaperStore,
    StoreError,
)

__all__ = [
    "EmptyStoreError",
    "HybridRetriever",
    "IngestInterrupted",
    "IngestReport",
    "Paper",
    "PaperRecord",
    "PaperStore",
    "ReaderError",
    "RetrievedPaper",
    "StoreError",
    "normalize_title",
    "read_papers",
]
