"""Opening the two Chroma collections (embedded folder or ``chroma run`` server), and reopening
them when another process changed an embedded store.

An embedded Chroma client keeps its vector index in memory and would not see another
process's new chunks, so every change is announced through a stamp file beside the write lock
and a reader reopens the store when the stamp moved.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from vectorstore.errors import StoreError
from vectorstore.private import owner_only, private_dir, private_file, tighten
from vectorstore.store.faults import connection_lost, one_line, translated


class StoreConnection:
    def __init__(
        self,
        path: Path,
        *,
        chroma_url: str | None,
        collection: str,
        embedder: Any,
        stamp_path: Path,
    ) -> None:
        self.path = path
        self.chroma_url = chroma_url
        self.collection_name = collection
        self.embedder = embedder
        self.stamp_path = stamp_path
        self.client: Any = None
        self.chunks: Any = None
        self.catalog: Any = None
        self._lock = threading.Lock()
        self._seen_stamp: int | None = None

    @property
    def location(self) -> str:
        return self.chroma_url or str(self.path)

    @property
    def catalog_name(self) -> str:
        return f"{self.collection_name}-catalog"

    def connect(self) -> bool:
        """Open the collections unless open; returns whether this call opened them."""
        with self._lock:
            if self.client is not None:
                return False
            self._seen_stamp = self._stamp()
            with translated(self.location, server=bool(self.chroma_url)), owner_only():
                try:
                    client = self._client()
                    chunks = client.get_or_create_collection(
                        f"{self.collection_name}-chunks",
                        embedding_function=self.embedder,
                        configuration={"hnsw": {"space": "cosine"}},
                    )
                    catalog = client.get_or_create_collection(
                        self.catalog_name, embedding_function=None, metadata={"generation": 0}
                    )
                except StoreError:
                    raise
                except Exception as exc:
                    if self.chroma_url and connection_lost(exc):
                        raise StoreError(
                            f"cannot open the paper store at {self.chroma_url}: no Chroma server "
                            f"answers there ({one_line(exc)}); start it (chroma run --path FOLDER "
                            "--port PORT) or check --chroma-url"
                        ) from exc
                    raise
            self.client, self.chunks, self.catalog = client, chunks, catalog
            return True

    def _client(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise StoreError(
                    f"invalid Chroma URL {self.chroma_url!r}; expected http://host:port"
                )
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        private_dir(self.path)
        tighten(self.path)  # a store an older version created world-readable
        private_file(self.path / "chroma.sqlite3")
        return chromadb.PersistentClient(path=str(self.path), settings=chroma_settings)

    def close(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        with self._lock:
            self.client = self.chunks = self.catalog = None
            SharedSystemClient.clear_system_cache()

    def reopen(self) -> None:
        """Drop the embedded client's in-memory state and open the store again."""
        if self.chroma_url:
            return
        self.close()
        self.connect()

    def catalog_metadata(self) -> dict[str, Any]:
        """The catalog collection's metadata as stored now (another process may have changed it)."""
        self.connect()
        return dict(self.client.get_collection(self.catalog_name).metadata or {})

    # -- cross-process refresh (embedded stores) ----------------------------------------------
    def _stamp(self) -> int:
        try:
            return self.stamp_path.stat().st_mtime_ns
        except OSError:
            return 0

    def refresh(self) -> bool:
        """Reopen the embedded store if another process changed it since we opened it."""
        if self.chroma_url or self.client is None:
            return False
        if self._stamp() == self._seen_stamp:
            return False
        self.reopen()
        return True

    def announce_change(self, generation: int) -> None:
        """Tell other processes on this machine that the store changed (they reopen it)."""
        if self.chroma_url:
            return
        private_dir(self.stamp_path.parent)
        tmp = self.stamp_path.with_name(self.stamp_path.name + ".tmp")
        with owner_only():
            tmp.write_text(str(generation))
        tmp.replace(self.stamp_path)
        self._seen_stamp = self._stamp()
