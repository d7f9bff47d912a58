"""Scale benchmark: ingest throughput vs the raw embedder, store size, peak RSS, query latency at 1k-100k.

    python benchmarks/scale.py                       # both modes: real ingest, latency at 1k-100k
    python benchmarks/scale.py --real 1000 --sizes 1000,10000 --out /tmp/scale.json

The corpus is generated offline from the bundled digest: every paper gets a unique title (a
digest title plus a serial number and a random pair of digest title words) and an abstract of
4-6 sentences drawn at random from the pool of the digest's abstract sentences; dates, categories
and authors are drawn from small fixed lists. Seeded, so every run builds the same corpus.

Real ingest (``--real``) embeds every chunk with the int8 MiniLM, in embedded mode and against
a ``chroma run`` server, and compares papers/s with the raw embedder on the same chunk texts.
Latency points (``--sizes``) are built through the same ``PaperStore.ingest`` path but with a
*proxy embedder*: each unique sentence is embedded once with the real model and a chunk's vector
is the normalised mean of its sentences' vectors. Queries are embedded by the real model, so the
measured latency is the real query path (embed + HNSW + BM25 + catalog) on a store of that size.
Each phase runs in its own process, so peak RSS is per phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "cs.RO", "q-bio.NC", "eess.AS"]
AUTHORS = [
    f"{f} {s}"
    for f in ("Ana", "Ben", "Chen", "Dana", "Emil", "Fatima", "Goro", "Hana")
    for s in ("Ito", "Jones", "Kumar", "Lopez", "Moreau", "Nowak", "Okafor", "Park")
]


def corpus(n: int, seed: int = 7) -> list[Any]:
    """``n`` papers recombined from the bundled digest (see the module docstring)."""
    from assistant.resources import bundled_digest
    from vectorstore.papers import Paper
    from vectorstore.readers import read_papers
    from vectorstore.text import split_sentences

    digest = read_papers(bundled_digest())
    sentences = sorted({s for p in digest for s in split_sentences(p.abstract) if len(s) > 20})
    words = sorted({w for p in digest for w in p.title.split() if w.isalpha() and len(w) > 3})
    rng = random.Random(seed)
    papers = []
    for i in range(n):
        base = digest[i % len(digest)].title
        title = f"{base} ({rng.choice(words)} {rng.choice(words)} #{i})"
        abstract = " ".join(rng.sample(sentences, rng.randint(4, 6)))
        papers.append(
            Paper(
                title=title,
                abstract=abstract,
                date=f"{rng.choice((2025, 2026))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                authors=tuple(rng.sample(AUTHORS, rng.randint(1, 4))),
                categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 2))),
                source=f"generated-{n}.jsonl",
            )
        )
    return papers


def make_store(folder: Path, url: str | None = None, collection: str = "papers") -> Any:
    from assistant.settings import Settings
    from vectorstore.store import PaperStore

    s = Settings(home=folder)
    return PaperStore(
        s.store_path,
        model_dir=s.models_dir / "all-MiniLM-L6-v2",
        lock_path=s.lock_path,
        chroma_url=url,
        collection=collection,
    )


def du_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- phases (each in its own process) -----------------------------------------------------------
def phase_raw(n: int) -> dict[str, Any]:
    """The raw embedder alone on exactly the chunk texts an ingest of ``n`` papers embeds."""
    from vectorstore.chunking import chunk_paper

    with tempfile.TemporaryDirectory() as tmp:
        store = make_store(Path(tmp))
        texts = [c.text for p in corpus(n) for c in chunk_paper(p)]
        store.embedder(texts[:8])  # load the model outside the timing
        t0 = time.perf_counter()
        for i in range(0, len(texts), 160):  # about one store batch (64 papers) of chunks
            store.embedder(texts[i : i + 160])
        seconds = time.perf_counter() - t0
    return {
        "papers": n,
        "chunks": len(texts),
        "seconds": seconds,
        "papers_per_s": n / seconds,
        "chunks_per_s": len(texts) / seconds,
        "peak_rss_mib": peak_rss_mib(),
    }


def ingest_vs_raw(store: Any, papers: list[Any]) -> dict[str, float]:
    """One real ingest of ``papers``, then the raw embedder on exactly the same calls.

    The raw embedder gets the calls an ingest makes (one per store batch of papers), in the
    same process, right after: on a shared machine single runs move by +-5 %, so callers report
    the median ratio over interleaved rounds.
    """
    from vectorstore.chunking import chunk_paper

    size = store.batch_papers
    calls = [
        [c.text for p in papers[i : i + size] for c in chunk_paper(p)]
        for i in range(0, len(papers), size)
    ]
    store.embedder(["warm up"])
    before = store.count_papers()
    t0 = time.perf_counter()
    report = store.ingest(papers)
    seconds = time.perf_counter() - t0
    assert report.added == len(papers) and store.count_papers() == before + len(papers)
    t0 = time.perf_counter()
    for texts in calls:
        store.embedder(texts)
    raw = time.perf_counter() - t0
    return {"papers_before": before, "ingest_s": seconds, "raw_s": raw, "vs_raw": raw / seconds}


def summarise_rounds(n: int, pairs: list[dict[str, float]]) -> dict[str, Any]:
    import statistics

    return {
        "rounds": pairs,
        "papers_per_s": n / statistics.median(p["ingest_s"] for p in pairs),
        "raw_papers_per_s": n / statistics.median(p["raw_s"] for p in pairs),
        "vs_raw": statistics.median(p["vs_raw"] for p in pairs),
    }


def phase_ingest(n: int, url: str | None, rounds: int) -> dict[str, Any]:
    """Real ingests of ``n`` generated papers into fresh collections (embedded, or the server)."""
    papers = corpus(n)
    with tempfile.TemporaryDirectory() as tmp:
        pairs = []
        for r in range(rounds):  # one store (and embedder) at a time: peak RSS is one ingest's
            store = make_store(Path(tmp), url, collection=f"scale{n}-r{r}")
            pairs.append(ingest_vs_raw(store, papers))
        store_mib = du_mib(Path(tmp) / "chroma") / rounds if url is None else None
        chunks = store.count_chunks()
    return {
        "mode": "server" if url else "embedded",
        "papers": n,
        "chunks": chunks,
        **summarise_rounds(n, pairs),
        "store_mib": store_mib,
        "peak_rss_mib": peak_rss_mib(),
    }


class ProxyEmbedder:
    """Chunk texts -> normalised mean of their (pre-embedded) sentences; anything else -> real model."""

    def __init__(self, real: Any, sentence_vectors: dict[str, Any]) -> None:
        self.real, self.vectors = real, sentence_vectors

    def __call__(self, texts: list[str]) -> list[Any]:
        import numpy as np

        from vectorstore.text import split_sentences

        out = []
        for text in texts:
            body = text.split("\n", 1)[-1]
            vecs = [self.vectors[s] for s in split_sentences(body) if s in self.vectors]
            if not vecs:
                out.append(np.asarray(self.real([text])[0], dtype=np.float32))
                continue
            v = np.mean(vecs, axis=0)
            out.append((v / np.linalg.norm(v)).astype(np.float32))
        return out


# Filters of decreasing selectivity (the share of papers they keep is measured and reported):
# each takes a different dense path (see vectorstore.retrieval.HybridRetriever.dense_search).
FILTERS = {
    "category": {"category": "cs.LG"},
    "since+category": {"since": "2026-06-01", "category": "cs.CL"},
    "author": {"author": "Ana Ito"},
    "author+category+since": {"author": "Ana Ito", "category": "cs.CV", "since": "2026-09-01"},
}


def percentiles(ms: list[float]) -> dict[str, float]:
    import numpy as np

    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


def phase_latency(
    n: int, queries: int, url: str | None = None, grow: int = 0, rounds: int = 3
) -> dict[str, Any]:
    """Build an ``n``-paper store with the proxy embedder, then time real hybrid queries.

    With ``grow``, then ingest ``rounds`` slices of ``grow`` new papers into that store with
    the real embedder, each against the raw embedder: ingest speed into a large store, where
    Chroma's writes cost more than in a fresh one.
    """

    from assistant.resources import bundled_digest
    from vectorstore.filters import Filters
    from vectorstore.readers import read_papers
    from vectorstore.retrieval import HybridRetriever
    from vectorstore.text import split_sentences

    with tempfile.TemporaryDirectory() as tmp:
        store = make_store(Path(tmp), url, collection=f"latency{n}")
        batch_papers = store.batch_papers
        store.batch_papers = 1000  # fewer, larger Chroma writes; the path is the same
        papers = corpus(n)
        sentences = sorted({s for p in papers for s in split_sentences(p.abstract)})
        t0 = time.perf_counter()
        vectors = dict(zip(sentences, store.embedder(sentences)))
        embed_sentences = time.perf_counter() - t0
        store.connect()
        real = store.embedder
        store.embedder = ProxyEmbedder(real, vectors)
        t0 = time.perf_counter()
        store.ingest(papers)
        build = time.perf_counter() - t0
        store.embedder = real
        retriever = HybridRetriever(store, Path(tmp) / "bm25")
        t0 = time.perf_counter()
        retriever.lexical_index()
        bm25_build = time.perf_counter() - t0
        questions = [f"What does {p.title} propose?" for p in read_papers(bundled_digest())]
        questions = (questions * (queries // len(questions) + 1))[:queries]
        retriever.retrieve(questions[0], 6)  # warm up
        timings = []
        for q in questions:
            t0 = time.perf_counter()
            retriever.retrieve(q, 6)
            timings.append((time.perf_counter() - t0) * 1000)
        embed_ms = []
        for q in questions[:50]:
            t0 = time.perf_counter()
            real([q])
            embed_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        retriever.filter_index()
        filter_index_build = time.perf_counter() - t0
        filtered: dict[str, Any] = {}
        for name, spec in FILTERS.items():
            filters = Filters.of(**spec)
            retriever.retrieve(questions[0], 6, filters=filters)  # builds the filter index once
            ms = []
            for q in questions[:100]:
                t0 = time.perf_counter()
                retriever.retrieve(q, 6, filters=filters)
                ms.append((time.perf_counter() - t0) * 1000)
            share = float(retriever.filter_index().paper_mask(filters).mean())
            filtered[name] = {"share": share, **percentiles(ms)}
        size = du_mib(Path(tmp) / "chroma") if url is None else None
        bm25_size = du_mib(Path(tmp) / "bm25")
        chunks = store.count_chunks()
        peak_rss = peak_rss_mib()
        grown: dict[str, Any] | None = None
        if grow:
            store.batch_papers = batch_papers
            extra = corpus(n + grow * rounds)[n:]
            pairs = [ingest_vs_raw(store, extra[r * grow : (r + 1) * grow]) for r in range(rounds)]
            grown = {"papers": grow, **summarise_rounds(grow, pairs)}
    return {
        "mode": "server" if url else "embedded",
        "papers": n,
        "chunks": chunks,
        "unique_sentences": len(sentences),
        "embed_sentences_s": embed_sentences,
        "build_s": build,
        "bm25_build_s": bm25_build,
        "filter_index_build_s": filter_index_build,
        **percentiles(timings),
        "query_embed_p50_ms": percentiles(embed_ms)["p50_ms"],
        "filtered": filtered,
        "store_mib": size,
        "bm25_mib": bm25_size,
        "peak_rss_mib": peak_rss,
        "ingest_into": grown,
    }


# -- orchestration ------------------------------------------------------------------------------
def child(phase: str, **kwargs: Any) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} {kwargs} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result), file=sys.stderr)
    return result


PHASES = {"raw": phase_raw, "ingest": phase_ingest, "latency": phase_latency}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--real", type=int, default=1000, help="papers for the real-ingest phases (0: skip)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved ingest/raw rounds")
    parser.add_argument("--sizes", default="1000,10000,100000", help="store sizes for latency")
    parser.add_argument(
        "--grow",
        type=int,
        default=1280,
        help="papers per real-ingest round into the largest latency store (0: skip)",
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--modes", default="embedded,server", help="embedded, server (a `chroma run` on 127.0.0.1)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "scale.json")
    parser.add_argument("--phase", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        kind, kwargs = args.phase
        print(json.dumps(PHASES[kind](**json.loads(kwargs))))
        return

    from benchmarks.measure import machine
    from tests.chroma_server import chroma_server

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results: dict[str, Any] = {"machine": machine(), "ingest": [], "latency": []}

    def run_mode(url: str | None, data: Path | None = None) -> None:
        if args.real:
            results["ingest"].append(child("ingest", n=args.real, url=url, rounds=args.rounds))
        for n in sizes:
            before = du_mib(data) if data else 0.0
            grow = args.grow if n == max(sizes) else 0
            result = child(
                "latency", n=n, queries=args.queries, url=url, grow=grow, rounds=args.rounds
            )
            if data:  # the server's own files, less the slices grown into it (size is linear)
                result["store_mib"] = (du_mib(data) - before) * n / (n + grow * args.rounds)
            results["latency"].append(result)

    for mode in modes:
        if mode == "embedded":
            run_mode(None)
            continue
        server = Path(tempfile.mkdtemp(prefix="scale-chroma-"))
        with chroma_server(server / "data", server / "server.log") as url:
            run_mode(url, server / "data")
        shutil.rmtree(server, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    main()
