"""The index: readers -> papers -> chunks -> embeddings -> Chroma -> hybrid retrieval."""

from vectorstore.papers import Paper, normalize_title
from vectorstore.readers import ReaderError, read_papers
from vectorstore.retrieval import HybridRetriever, RetrievedPaper
from vectorstore.store import IngestReport, PaperRecord, PaperStore, StoreError

__all__ = [
    "HybridRetriever",
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
