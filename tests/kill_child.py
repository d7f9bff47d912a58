"""The process the kill tests kill: one store command, run as the CLI runs it, that dies by
SIGKILL at a chosen point.

Children are forked from a multiprocessing forkserver that has the heavy modules imported, so
a kill cycle costs a fork, not a Python start. ``kill_at_write=K`` makes the child SIGKILL
itself just before its K-th write call to Chroma (upsert, delete, update, or a collection
metadata change), which reaches the points between two writes that a timer rarely hits; the
parent's timed ``kill -9`` reaches the points inside them.
"""

from __future__ import annotations

import os
import signal
from typing import Any

WRITES = ("upsert", "delete", "update", "modify")
PRELOAD = ["chromadb", "onnxruntime", "assistant.api", "vectorstore.store", "vectorstore.ingest"]


def _die_at_write(k: int) -> None:
    from chromadb.api.models.Collection import Collection

    count = [0]
    for name in WRITES:
        original = getattr(Collection, name)

        def wrapped(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            count[0] += 1
            if count[0] == k:
                os.kill(os.getpid(), signal.SIGKILL)
            return _original(self, *args, **kwargs)

        setattr(Collection, name, wrapped)


def run(spec: dict[str, Any], ready: Any) -> None:
    """``spec``: home, chroma_url, collection, command ("ingest" or "remove"), file,
    batch_papers, kill_at_write (0: none)."""
    from assistant import Assistant

    if spec.get("kill_at_write"):
        _die_at_write(int(spec["kill_at_write"]))
    a = Assistant(
        home=spec["home"],
        llm="extractive",
        auto_ingest=False,
        chroma_url=spec.get("chroma_url"),
        collection=spec.get("collection", "papers"),
    )
    a.store.batch_papers = int(spec.get("batch_papers", 8))
    a.store.connect()
    a.store.embedder(["warm up"])
    ready.set()
    if spec["command"] == "ingest":
        a.ingest([spec["file"]])  # what `assistant ingest FILE` runs
    else:
        a.remove(a.store.ids_from_source(spec["file"]))  # `assistant papers remove --source FILE`
