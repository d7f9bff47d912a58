"""The process the kill tests kill: one store command, run as the CLI runs it, that dies by
SIGKILL at a chosen point.

Children are forked from a multiprocessing forkserver that has the heavy modules imported, so
a kill cycle costs a fork, not a Python start. Every write call to Chroma (upsert, delete,
update, or a collection metadata change) counts itself in a shared counter first; with
``kill_at_write=K`` the child SIGKILLs itself just before its K-th write (the points between
two writes), otherwise the parent watches the counter and SIGKILLs it a random few
milliseconds after its K-th write began (the points inside Chroma's calls).
"""

from __future__ import annotations

import os
import signal
from typing import Any

WRITES = ("upsert", "delete", "update", "modify")
PRELOAD = ["chromadb", "onnxruntime", "assistant.api", "vectorstore.store", "vectorstore.ingest"]


def _count_writes(counter: Any, kill_at: int) -> None:
    from chromadb.api.models.Collection import Collection

    for name in WRITES:
        original = getattr(Collection, name)

        def wrapped(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with counter.get_lock():
                counter.value += 1
                reached = counter.value == kill_at
            if reached:
                os.kill(os.getpid(), signal.SIGKILL)
            return _original(self, *args, **kwargs)

        setattr(Collection, name, wrapped)


def run(spec: dict[str, Any], ready: Any, counter: Any) -> None:
    """``spec``: home, chroma_url, collection, command ("ingest" or "remove"), file,
    batch_papers, kill_at_write (0: the parent kills)."""
    from assistant import Assistant

    _count_writes(counter, int(spec.get("kill_at_write") or 0))
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
    with counter.get_lock():
        counter.value = 0  # opening the store may have repaired (written) already
    ready.set()
    if spec["command"] == "ingest":
        a.ingest([spec["file"]])  # what `assistant ingest FILE` runs
    else:
        a.remove(a.store.ids_from_source(spec["file"]))  # `assistant papers remove --source FILE`
