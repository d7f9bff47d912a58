"""The answering core, before and after, on both dev sets (issue 13), measured in one run.

"Before" is the code at ``BASE_REF`` (answering core v1, whose evaluator already knows the dev2
kinds), exported with ``git archive`` into a temporary folder and run with this environment's
packages; "after" is this checkout. Each runs ``assistant eval`` in its own process and data
directory, extractive, so quality and warm per-question latency are compared on the same
machine in the same minutes.

    python benchmarks/answering.py                # prints the JSON
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import assistant_command, child_env, run_child  # noqa: E402

BASE_REF = "cd7bea7"  # the last commit of answering core v1 (its eval reads dev2)
DATASETS = {
    "dev": REPO.parent / "shared" / "eval" / "dev.jsonl",
    "dev2": REPO.parent / "shared" / "eval" / "dev2.jsonl",
}


def export_ref(ref: str, into: Path) -> Path | None:
    """The tree of ``ref`` as plain files (None when git or the commit is not available)."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", ref],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    into.mkdir(parents=True, exist_ok=True)
    tar_path = into.with_suffix(".tar")
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    return into


def evaluate(dataset: Path, home: Path, out: Path, code: Path | None = None) -> dict[str, Any]:
    """``assistant eval DATASET --llm extractive --json OUT`` in a child process, with the code
    at ``code`` first on the import path when given."""
    extra = {"ASSISTANT_LLM": "extractive"}
    if code is not None:
        extra["PYTHONPATH"] = str(code)
    cmd = ([sys.executable, "-m", "assistant.cli"] if code is not None else assistant_command()) + [
        "eval",
        str(dataset),
        "--llm",
        "extractive",
        "--json",
        str(out),
    ]
    child = run_child(cmd, child_env(home, **extra), cwd=code)
    if child.returncode != 0:
        raise SystemExit(
            f"assistant eval failed ({code or 'this checkout'}): {child.stderr[-800:]}"
        )
    run = json.loads(out.read_text())
    return {"summary": run["summary"], "items": run["items"], "seconds": child.seconds}


def before_after(tmp: Path, base_ref: str = BASE_REF) -> dict[str, Any]:
    """Both dev sets, answered by the code at ``base_ref`` and by this checkout."""
    old = export_ref(base_ref, tmp / "before-code")
    results: dict[str, Any] = {"base_ref": base_ref, "before": {}, "after": {}}
    for name, dataset in DATASETS.items():
        if not dataset.is_file():
            continue
        results["after"][name] = evaluate(dataset, tmp / "home-after", tmp / f"after-{name}.json")
        if old is not None:
            results["before"][name] = evaluate(
                dataset, tmp / "home-before", tmp / f"before-{name}.json", code=old
            )
    return results


def _kinds(run: dict[str, Any], kinds: tuple[str, ...], key: str) -> float | None:
    """Mean of an item score over the items of some kinds (None when nothing applies)."""
    values = [
        i["scores"][key]
        for i in run["items"]
        if i["kind"] in kinds and i["scores"].get(key) is not None and not i.get("error")
    ]
    return sum(float(v) for v in values) / len(values) if values else None


def figures(run: dict[str, Any], name: str) -> dict[str, float | None]:
    """The figures issue 13 names, from one ``assistant eval`` run."""
    overall = run["summary"]["overall"]
    if name == "dev2":
        return {
            "top5_phrasing_anaphora_switch": _kinds(
                run, ("phrasing", "anaphora", "switch"), "gold_in_top5"
            ),
            "recall_list_compare": _kinds(run, ("list", "compare"), "citation_recall"),
            "citation_precision": overall["citation_precision"],
            "absent_abstained": _kinds(run, ("absent_title",), "abstained"),
            "answerable_abstained": overall["false_abstention"],
            "key_facts": overall["key_fact_coverage"],
            "latency_p50_ms": overall["latency_p50_ms"],
        }
    return {
        "key_facts": overall["key_fact_coverage"],
        "citation_precision": overall["citation_precision"],
        "recall_multi_aggregate": _kinds(run, ("multi", "aggregate"), "citation_recall"),
        "unanswerable_abstained": overall["abstention_unanswerable"],
        "answerable_abstained": overall["false_abstention"],
        "latency_p50_ms": overall["latency_p50_ms"],
    }


TARGETS: dict[str, list[tuple[str, str, str, Any]]] = {
    "dev2": [
        ("gold paper in the top-5: phrasing, anaphora, switch", "top5_phrasing_anaphora_switch", "≥ 95%", lambda v: v >= 0.95),
        ("gold recall in citations: list and compare", "recall_list_compare", "≥ 85%", lambda v: v >= 0.85),
        ("citation precision", "citation_precision", "≥ 90%", lambda v: v >= 0.90),
        ("absent titles abstained", "absent_abstained", "≥ 90%", lambda v: v >= 0.90),
        ("answerable questions abstained", "answerable_abstained", "≤ 5%", lambda v: v <= 0.05),
        ("key facts", "key_facts", "≥ 80%", lambda v: v >= 0.80),
        ("extractive answer p50 (warm, digest)", "latency_p50_ms", "≤ 50 ms", lambda v: v <= 50),
    ],
    "dev": [
        ("key facts", "key_facts", "≥ 80%", lambda v: v >= 0.80),
        ("citation precision", "citation_precision", "≥ 95%", lambda v: v >= 0.95),
        ("gold recall in citations: multi and aggregate", "recall_multi_aggregate", "≥ 80%", lambda v: v >= 0.80),
        ("unanswerable questions abstained", "unanswerable_abstained", "≥ 60%", lambda v: v >= 0.60),
        ("answerable questions abstained", "answerable_abstained", "≤ 10%", lambda v: v <= 0.10),
        ("extractive answer p50 (warm, digest)", "latency_p50_ms", "≤ 50 ms", lambda v: v <= 50),
    ],
}  # fmt: skip


def _show(key: str, v: Any) -> str:
    if v is None:
        return "–"
    return f"{float(v):.1f} ms" if key.endswith("_ms") else f"{100 * float(v):.1f}%"


def markdown_section(r: dict[str, Any]) -> str:
    """The issue-13 tables for docs/benchmarks.md."""
    from assistant.evaluation.report import markdown_table, summary_rows

    parts = [
        "## Answering real questions (issue 13): before and after",
        "",
        f"Both dev sets answered extractively by the code at `{r['base_ref']}` (answering core "
        "v1) and by this checkout, each through `assistant eval` in its own process and data "
        "directory, in the same run (`benchmarks/answering.py`).",
        "",
    ]
    for name in ("dev2", "dev"):
        after = r["after"].get(name)
        if after is None:
            continue
        before = r["before"].get(name)
        fa = figures(after, name)
        fb = figures(before, name) if before else {}
        rows = []
        for label, key, target, ok in TARGETS[name]:
            v = fa.get(key)
            rows.append(
                [
                    label,
                    target,
                    _show(key, fb.get(key)),
                    _show(key, v),
                    "–" if v is None else ("yes" if ok(v) else "**no**"),
                ]
            )
        parts += [
            f"### `{name}.jsonl`",
            "",
            markdown_table(["figure", "target", "before", "after", "met"], rows),
            "",
            "Per kind, after:",
            "",
            markdown_table(*summary_rows(after["summary"])),
            "",
        ]
    return "\n".join(parts)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="paperqa-answering-") as tmp:
        print(json.dumps({k: v for k, v in before_after(Path(tmp)).items()}, indent=1)[:20000])
