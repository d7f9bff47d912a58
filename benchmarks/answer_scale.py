"""Extractive answer latency on a large store: the dev questions asked of a 10,000-paper store.

    python benchmarks/answer_scale.py --papers 10000 --out benchmarks/results/answer_scale.json

The store holds the digest's 119 real papers plus papers recombined from them (seeded): a title
of six digest title words, an abstract of 4-6 digest sentences in which every name-shaped word
("CrossSplit", "GPT-4o") is replaced by a made-up one, so that, as in a real collection, topics
recur across papers but a paper's name belongs to that paper alone. As in scale.py, chunks are embedded by a proxy (each unique sentence embedded once by the real
model, a chunk's vector the normalised mean of its sentences'), which makes a 10k store quick
to build; questions are embedded by the real model, so the timed path is the real one: plan,
hybrid retrieval, candidates, selection, evidence, composition and citation verification.
Every dev and dev2 item is asked (with its history) ``--reps`` times in a warm process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DATASETS = [REPO.parent / "shared" / "eval" / n for n in ("dev.jsonl", "dev2.jsonl")]


def recombined(digest: list[Any], n: int, seed: int = 11) -> list[Any]:
    """``n`` papers made of the digest's words and sentences, names replaced (see above)."""
    import random
    import re

    from assistant.answering.words import name_shaped
    from vectorstore.papers import Paper
    from vectorstore.text import split_sentences

    rng = random.Random(seed)
    sentences = sorted({s for p in digest for s in split_sentences(p.abstract) if len(s) > 20})
    words = sorted({w for p in digest for w in p.title.split() if w.isalpha() and len(w) > 3})

    def unnamed(sentence: str) -> str:
        return re.sub(
            r"[^\s(),;:]+",
            lambda m: f"Zq{rng.randrange(10**6)}" if name_shaped(m.group(0)) else m.group(0),
            sentence,
        )

    return [
        Paper(
            title=" ".join(rng.sample(words, 6)).capitalize() + f" ({i})",
            abstract=" ".join(unnamed(s) for s in rng.sample(sentences, rng.randint(4, 6))),
            source="recombined",
        )
        for i in range(n)
    ]


def build(home: Path, n: int) -> Any:
    """An extractive Assistant over an ``n``-paper store (the digest plus recombined papers)."""
    from scale import ProxyEmbedder

    from assistant import Assistant
    from assistant.resources import bundled_digest
    from vectorstore.readers import read_papers
    from vectorstore.text import split_sentences

    assistant = Assistant(home=home, llm="extractive", auto_ingest=False)
    digest = read_papers(bundled_digest())
    papers = digest + recombined(digest, max(0, n - len(digest)))
    sentences = sorted({s for p in papers for s in split_sentences(p.abstract)})
    store = assistant.store
    store.count_papers()  # opens the collections with the real embedding function
    real = store.embedder
    vectors = dict(zip(sentences, real(sentences)))
    store.embedder = ProxyEmbedder(real, vectors)
    try:
        store.ingest(papers, total=len(papers))
    finally:
        store.embedder = real
    assistant.retriever.lexical_index()  # built once, as an ingest does
    assistant.retriever.filter_index()
    return assistant


def measure(assistant: Any, reps: int) -> dict[str, Any]:
    from assistant.evaluation import load_items

    items = [i for path in DATASETS if path.is_file() for i in load_items(path).items]
    for item in items[:5]:  # warm: embedder, caches, wordfreq lists
        assistant.ask(item.question, history=list(item.history))
    times = []
    for _ in range(reps):
        for item in items:
            t0 = time.perf_counter()
            assistant.ask(item.question, history=list(item.history))
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "questions": len(items),
        "runs": len(times),
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
    }


def run(papers: int, reps: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="paperqa-answer-scale-") as tmp:
        t0 = time.perf_counter()
        assistant = build(Path(tmp), papers)
        built = time.perf_counter() - t0
        result = measure(assistant, reps)
        result.update(papers=assistant.store.count_papers(), build_s=built)
        return result


def markdown_section(r: dict[str, Any]) -> str:
    from assistant.evaluation.report import markdown_table

    ok = r["p50_ms"] <= 80
    return "\n".join(
        [
            "### Extractive answers on a large store",
            "",
            markdown_table(
                ["store", "questions × runs", "answer p50", "answer p95", "target (p50)", "met"],
                [
                    [
                        f"{r['papers']:,} papers (the digest + recombined papers)",
                        f"{r['questions']} × {r['runs'] // max(r['questions'], 1)}",
                        f"{r['p50_ms']:.1f} ms",
                        f"{r['p95_ms']:.1f} ms",
                        "≤ 80 ms",
                        "yes" if ok else "**no**",
                    ]
                ],
            ),
            "",
            "Every dev and dev2 question (with its history) asked of the store in a warm process, "
            "`Assistant.ask` end to end: plan, retrieval, selection, evidence, composition, "
            "citation check (`benchmarks/answer_scale.py`; chunks embedded by the proxy of "
            "`benchmarks/scale.py`, questions by the real model).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON result here")
    ns = parser.parse_args()
    result = run(ns.papers, ns.reps)
    text = json.dumps(result, indent=1)
    if ns.out:
        ns.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
