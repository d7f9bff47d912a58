"""Run in its own process by run_all.py: index the bundled digest into an empty data directory
(embedder and tokenizer loaded first, outside the timing), then embed the same chunk texts
with the raw embedder, the upper bound. Prints one JSON object; its process's peak RSS is
the ingest's."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(home: Path) -> None:
    from assistant import Assistant
    from assistant.resources import bundled_digest
    from vectorstore.readers import read_papers
    from vectorstore.tokens import count_tokens

    a = Assistant(home=home, llm="extractive", auto_ingest=False)
    papers = read_papers(bundled_digest())
    a.store.embedder.warm_up()
    count_tokens("warm up tiktoken")
    a.store.count_papers()  # open Chroma outside the timed part
    t0 = time.perf_counter()
    a.ingest([bundled_digest()])
    ingest_s = time.perf_counter() - t0
    _, _, texts = a.store.all_chunks()
    t0 = time.perf_counter()
    a.store.embedder(texts)  # one pass: a second would add ~20 s to the run on this machine
    raw_s = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "papers": len(papers),
                "chunks": len(texts),
                "ingest_s": ingest_s,
                "ingest_papers_per_s": len(papers) / ingest_s,
                "ingest_chunks_per_s": len(texts) / ingest_s,
                "raw_s": raw_s,
                "raw_chunks_per_s": len(texts) / raw_s,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
