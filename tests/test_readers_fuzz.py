"""Fuzz: 345 malformed files (fixed seed) through every reader, and 30 of them into a real store.

For every file, read leniently and strictly: no exception but ReaderError; every report names
the file and, for a record, its line; papers carry clean, valid text within the limits; strict
either raises naming the file or yields exactly the lenient papers. In line-based files every
non-blank line (and in BibTeX every line starting an entry) is a paper or a report: nothing is
dropped silently. A sample of 30 files then goes into one real store (real embedder), 26 through
``assistant ingest`` (exit code 0 or 2, no traceback, every report line names file:line) and 4
through ``Assistant.ingest`` (ReaderError naming the file); the store stays consistent (every
paper has its chunks, every chunk its paper, nothing read is missing, and the keyword index
and the filters see every stored paper).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli_process import run_cli
from tests.hostile_files import FORMATS, HostileFile, generate
from vectorstore.papers import Paper
from vectorstore.readers import ReaderError, ReadOptions, iter_papers
from vectorstore.readers.limits import MAX_ABSTRACT_CHARS, MAX_RECORD_BYTES, MAX_TITLE_CHARS

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ENTRY_LINE = re.compile(rb"\s*@(\w+)[ \t]*[{(]")


@dataclass
class Outcome:
    papers: list[Paper] = field(default_factory=list)
    problems: list[ReaderError] = field(default_factory=list)
    error: ReaderError | None = None


def read(path: Path, strict: bool = False) -> Outcome:
    outcome = Outcome()
    options = ReadOptions(strict=strict, on_problem=outcome.problems.append)
    try:
        for paper in iter_papers(path, options=options):
            outcome.papers.append(paper)
    except ReaderError as exc:
        outcome.error = exc
    return outcome


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> list[HostileFile]:
    return generate(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def outcomes(hostile: list[HostileFile]) -> dict[Path, Outcome]:
    return {f.path: read(f.path) for f in hostile}


def _paper_faults(paper: Paper, n_lines: int) -> list[str]:
    faults = []
    texts = [paper.title, paper.abstract, paper.url or "", paper.doi or "", paper.external_id or ""]
    texts += [*paper.authors, *paper.categories, paper.original or ""]
    try:
        for text in texts:
            text.encode("utf-8")
    except UnicodeEncodeError:
        faults.append(f"text that is not valid Unicode in {paper.title!r}")
    if not paper.title or not paper.abstract:
        faults.append("a paper without title or abstract")
    if _CONTROL.search(paper.title + paper.abstract):
        faults.append(f"control characters in {paper.title!r}")
    if len(paper.title) > MAX_TITLE_CHARS or len(paper.abstract) > MAX_ABSTRACT_CHARS + 2:
        faults.append(f"a title or abstract beyond the limits ({paper.title[:40]!r})")
    if paper.line is None or not 1 <= paper.line <= n_lines:
        faults.append(f"line {paper.line} outside the file ({n_lines} lines)")
    return faults


def _unaccounted_lines(f: HostileFile, outcome: Outcome, data: bytes) -> list[int]:
    """Lines that should each be a paper or a report, and are neither."""
    accounted = {p.line for p in outcome.papers} | {e.line for e in outcome.problems}
    lines = data.split(b"\n")
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    expected: list[int] = []
    if f.path.suffix in (".jsonl", ".json") and not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(
        b"["
    ):
        for number, raw in enumerate(lines, start=1):
            try:
                blank = not raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                blank = False
            if not blank or len(raw) > MAX_RECORD_BYTES:
                expected.append(number)
    elif f.path.suffix == ".bib":
        for number, raw in enumerate(lines, start=1):
            m = _ENTRY_LINE.match(raw)
            if m and not m.group(1).lower().startswith((b"comment", b"preamble", b"string")):
                expected.append(number)
    return [n for n in expected if n not in accounted]


def test_every_hostile_file_is_read_or_refused_with_file_and_line(
    hostile: list[HostileFile], outcomes: dict[Path, Outcome]
) -> None:
    failures: list[str] = []
    for f in hostile:
        outcome = outcomes[f.path]
        name = f"{f.path.name} {f.mutations}"
        data = f.path.read_bytes() if f.path.is_file() else b""
        n_lines = data.count(b"\n") + 1
        for problem in [*outcome.problems, *([outcome.error] if outcome.error else [])]:
            if not str(problem).startswith(f"{f.path}"):
                failures.append(f"{name}: report without the file: {problem}")
            if "bug" in str(problem):
                failures.append(f"{name}: a reader failed: {problem}")
        for problem in outcome.problems:
            if problem.line is None or not 1 <= problem.line <= n_lines:
                failures.append(f"{name}: record report without a line in the file: {problem}")
            elif not str(problem).startswith(f"{f.path}:{problem.line}: "):
                failures.append(f"{name}: report does not start with file:line: {problem}")
        for paper in outcome.papers:
            failures.extend(f"{name}: {fault}" for fault in _paper_faults(paper, n_lines))
        if outcome.error is None:
            missing = _unaccounted_lines(f, outcome, data)
            if missing:
                failures.append(f"{name}: lines neither read nor reported: {missing[:5]}")
        strict = read(f.path, strict=True)
        if strict.error is None:
            if [(p.title, p.line) for p in strict.papers] != [
                (p.title, p.line) for p in outcome.papers
            ]:
                failures.append(f"{name}: --strict read other papers than the lenient read")
        elif not str(strict.error).startswith(str(f.path)):
            failures.append(f"{name}: strict error without the file: {strict.error}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:30])


def test_the_fuzz_covers_every_format_and_every_outcome(
    hostile: list[HostileFile], outcomes: dict[Path, Outcome]
) -> None:
    assert len(hostile) >= 300
    kinds: Counter[tuple[str, str]] = Counter()
    for f in hostile:
        o = outcomes[f.path]
        kinds[f.fmt, "error" if o.error else "reports" if o.problems else "clean"] += 1
        kinds[f.fmt, "with papers"] += bool(o.papers)
    for fmt in FORMATS:
        # not vacuous: for each format some files still gave papers, some records were
        # reported, and some files were refused as a whole (empty, random bytes...)
        assert kinds[fmt, "with papers"] >= 10, (fmt, kinds)
        assert kinds[fmt, "reports"] >= 10, (fmt, kinds)
        assert kinds[fmt, "error"] >= 1, (fmt, kinds)


_REPORT = re.compile(r"^(skipped|warning) (?P<path>\S+?):(?P<line>\d+): ")
_ERROR = re.compile(r"^Error: (?P<path>\S+?)(:\d+)?: ")


def _sample(
    hostile: list[HostileFile], outcomes: dict[Path, Outcome]
) -> tuple[list[list[Path]], list[Path]]:
    """30 files: 24 readable ones (mixed formats) in three ``ingest`` runs, a directory and a CSV
    without a usable header in one run each; four files refused as a whole (empty, blank, BOM
    only, random bytes) go through ``Assistant.ingest`` (one process start each would cost more
    than all the reading)."""
    rng = random.Random(14)
    readable = [f.path for f in hostile if not outcomes[f.path].error]
    chosen = rng.sample(readable, 24)
    runs = [chosen[i::3] for i in range(3)]
    runs.append([rng.choice([f.path for f in hostile if f.mutations == ("directory",)])])
    runs.append(
        [next(f.path for f in hostile if "csv_header" in f.mutations and outcomes[f.path].error)]
    )
    refused = [
        rng.choice([f.path for f in hostile if f.mutations == (kind,)])
        for kind in ("empty", "blank", "bom-only", "random-bytes")
    ]
    return runs, refused


def test_a_sample_through_the_cli_exits_cleanly_and_keeps_the_store_consistent(
    hostile: list[HostileFile], outcomes: dict[Path, Outcome], tmp_path: Path
) -> None:
    from assistant import Assistant
    from vectorstore.identity import identity, identity_of

    home = tmp_path / "home"
    expected: list[Paper] = []
    runs, refused_in_api = _sample(hostile, outcomes)
    assert sum(map(len, runs)) + len(refused_in_api) == 30
    for run in runs:
        r = run_cli("ingest", *map(str, run), home=home)
        refused = [p for p in run if outcomes[p].error]
        assert r.returncode == (2 if refused else 0), (run, r.stderr[-2000:])
        assert "Traceback" not in r.stderr, r.stderr[-2000:]
        for line in r.stderr.splitlines():
            if line.startswith(("skipped", "warning")):
                m = _REPORT.match(line)
                assert m and Path(m.group("path")) in run, line
            elif line.startswith("Error"):
                m = _ERROR.match(line)
                assert m and Path(m.group("path")) == refused[0], line
        if not refused:
            expected.extend(p for path in run for p in outcomes[path].papers)

    assistant = Assistant(home=home, llm="extractive")
    for path in refused_in_api:
        with pytest.raises(ReaderError) as exc:
            assistant.ingest([path])
        assert str(exc.value).startswith(f"{path}: ")
    store = assistant.store
    catalog = {r.paper_id for r in store.papers()}
    chunk_ids, chunk_papers, _ = store.all_chunks()
    # nothing read was lost: every paper read is stored (as itself, or as the same paper that
    # another record of the sample gave first: same arXiv id, DOI or title)
    stored = [identity(r.title, r.external_id, r.doi, r.url) for r in store.papers()]
    assert expected
    for paper in expected:
        assert any(identity_of(paper).same_paper(s) for s in stored), paper.title
    assert set(chunk_papers) == catalog  # every paper has chunks, every chunk its paper
    per_paper = Counter(chunk_papers)
    assert sorted(chunk_ids) == sorted(
        f"{pid}:{i}" for pid, n in per_paper.items() for i in range(n)
    )
    # the keyword index and the filters see every stored paper, and nothing else
    assert set(assistant.retriever.lexical_index().paper_ids) == catalog
    assert set(assistant.retriever.filter_index().row) == catalog
