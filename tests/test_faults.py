"""Faults below the store, as a user meets them through the CLI: a full disk, the Chroma server
killed mid-ingest, damaged or emptied files, a lock path that is a folder, a truncated model.

Each gives one clear line (cause and remedy), a non-zero exit code and no traceback, and
loses nothing that was stored before it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant import Assistant
from tests.chroma_server import chroma_server
from tests.cli_process import run_cli
from tests.store_checks import check_complete, check_consistent, check_searchable, write_papers

N_DISK = 260  # papers: the CLI writes them in batches of 128, the tmpfs holds about one


def one_error_line(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The run failed with exactly one "Error:" line naming ``needles``, and no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _can_mount_tmpfs() -> str | None:
    """Why a private tmpfs cannot be mounted here (None if it can)."""
    if shutil.which("unshare") is None:
        return "`unshare` (util-linux) is not installed"
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return f"cannot mount a tmpfs in a private namespace: {probe.stderr.strip()[:200]}"
    return None


@pytest.mark.slow
def test_disk_full_during_ingest(tmp_path: Path, built_home: Path) -> None:
    """The store's folder is a 1.2 MB tmpfs (in a private mount namespace: nothing to clean up):
    the ingest stops with one line saying the disk is full and how many papers it stored; those
    are consistent and searchable; with more room, the same command finishes the job."""
    reason = _can_mount_tmpfs()
    if reason:
        pytest.skip(reason)
    papers = write_papers(tmp_path / "papers.jsonl", "dsk", N_DISK, sentences=1)
    home = tmp_path / "home"
    (home / "chroma").mkdir(parents=True)
    shutil.copytree(built_home / "models", home / "models")  # the model is not what fills up
    after_failure, after_rerun = tmp_path / "after-failure", tmp_path / "after-rerun"
    cli = f"{sys.executable} -m assistant ingest {papers}"
    script = textwrap.dedent(
        f"""
        set -u
        mount -t tmpfs -o size=1200k,mode=0700 tmpfs {home}/chroma || exit 99
        {cli} > {tmp_path}/out1 2> {tmp_path}/err1; echo $? > {tmp_path}/rc1
        cp -a {home} {after_failure}
        mount -o remount,size=64m {home}/chroma
        {cli} > {tmp_path}/out2 2> {tmp_path}/err2; echo $? > {tmp_path}/rc2
        cp -a {home} {after_rerun}
        """
    )
    env = {"ASSISTANT_HOME": str(home), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], env=env, timeout=600)
    assert done.returncode == 0

    failed = subprocess.CompletedProcess(
        [], int((tmp_path / "rc1").read_text()), "", (tmp_path / "err1").read_text()
    )
    line = one_error_line(failed, "is full", "free some space")
    a = Assistant(home=after_failure, llm="extractive", auto_ingest=False)
    stored, _ = check_consistent(a)
    assert 0 < len(stored) < N_DISK, "the tmpfs size no longer stops the ingest midway"
    assert f"{len(stored)} papers were added" in line
    check_searchable(a, papers, "dsk", sample=[0, 5, 77, 127])

    assert (tmp_path / "rc2").read_text().strip() == "0", (tmp_path / "err2").read_text()
    summary = " ".join((tmp_path / "out2").read_text().split())
    assert f"{N_DISK - len(stored)} added, 0 updated, {len(stored)} unchanged" in summary
    b = Assistant(home=after_rerun, llm="extractive", auto_ingest=False)
    check_complete(b, [papers])
    check_searchable(b, papers, "dsk", sample=[1, 150, N_DISK - 1])


@pytest.mark.slow
def test_chroma_server_killed_mid_ingest(tmp_path: Path) -> None:
    """The server dies after the first batch: one line naming the server and the remedy, and
    the count of papers stored; after a restart they are there, consistent and searchable, and
    the same command finishes the job."""
    import chromadb

    papers = write_papers(tmp_path / "papers.jsonl", "srv", 260, sentences=1)
    home = tmp_path / "home"
    data = tmp_path / "server-data"
    with chroma_server(data, tmp_path / "server1.log", kill=True) as url:
        host, port = url.rsplit(":", 1)
        args = ["ingest", str(papers), "--chroma-url", url, "--collection", "lost"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", *args],
            env={"ASSISTANT_HOME": str(home), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        client = chromadb.HttpClient(host=host.split("//")[1], port=int(port))
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if client.get_collection("lost-catalog").count() >= 128:
                    break
            except Exception:
                pass  # not created yet
            time.sleep(0.05)
        time.sleep(0.5)  # the first batch's answer reaches the client (else it cannot count it)
        assert proc.poll() is None, "the ingest finished before the server could be stopped"
    # leaving the block killed the server (SIGKILL)
    out, err = proc.communicate(timeout=300)
    failed = subprocess.CompletedProcess([], proc.returncode, out, err)
    line = one_error_line(failed, "Chroma server", url, "chroma run")

    with chroma_server(data, tmp_path / "server2.log") as url2:
        a = Assistant(
            home=home, llm="extractive", auto_ingest=False, chroma_url=url2, collection="lost"
        )
        stored, _ = check_consistent(a)
        assert len(stored) >= 128
        assert f"{len(stored)} papers were added" in line
        check_searchable(a, papers, "srv", sample=[0, 64, 127])
        r = run_cli("ingest", str(papers), "--chroma-url", url2, "--collection", "lost", home=home)
        assert r.returncode == 0, r.stderr
        check_complete(a, [papers])
        check_searchable(a, papers, "srv", sample=[0, 200, 259])


def test_damaged_store_file_is_one_line(fresh_home: Path, tmp_path: Path) -> None:
    (fresh_home / "chroma" / "chroma.sqlite3").write_bytes(b"not a database at all" * 200)
    papers = write_papers(tmp_path / "mine.jsonl", "dmg", 2)
    for args in (["papers"], ["ask", "What is CrossSplit?"], ["ingest", str(papers)]):
        r = run_cli(*args, home=fresh_home)
        one_error_line(r, "damaged", "move that folder aside")


def test_emptied_store_says_so_and_ingest_still_works(fresh_home: Path, tmp_path: Path) -> None:
    """Not refilled with the bundled digest without a word: the digest is for a first run."""
    (fresh_home / "chroma" / "chroma.sqlite3").write_bytes(b"")
    for args in (["papers"], ["ask", "What is CrossSplit?"]):
        one_error_line(run_cli(*args, home=fresh_home), "has no papers", "assistant ingest")
    papers = write_papers(tmp_path / "mine.jsonl", "emp", 3)
    r = run_cli("ingest", str(papers), home=fresh_home)
    assert r.returncode == 0 and "3 added" in " ".join(r.stdout.split()), r.stderr
    listed = run_cli("papers", "--json", home=fresh_home)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 3


def test_a_store_whose_papers_were_all_removed_is_not_refilled(fresh_home: Path) -> None:
    from assistant.resources import bundled_digest

    r = run_cli("papers", "remove", "--source", str(bundled_digest()), home=fresh_home)
    assert r.returncode == 0 and "119 removed" in r.stdout, r.stderr
    for _ in range(2):
        one_error_line(run_cli("papers", home=fresh_home), "has no papers", "assistant ingest")
    assert Assistant(home=fresh_home, llm="extractive").store.count_papers() == 0


def test_damaged_and_emptied_conversation_log(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    log = home / "logs.db"
    log.write_bytes(b"SQLite format 3\x00" + b"\xff" * 3000)
    one_error_line(run_cli("logs", home=home), "conversation log", "damaged", "mv ")
    log.write_bytes(b"")
    one_error_line(run_cli("logs", home=home), "conversation log", "is empty")


def test_lock_path_that_is_a_directory(fresh_home: Path, tmp_path: Path) -> None:
    lock = fresh_home / "locks" / "papers.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir(parents=True)
    papers = write_papers(tmp_path / "mine.jsonl", "lck", 2)
    some_id = Assistant(home=fresh_home, llm="extractive").store.papers()[0].paper_id
    for args in (["ingest", str(papers)], ["papers", "remove", some_id]):
        one_error_line(run_cli(*args, home=fresh_home), str(lock), "is a directory", "rmdir")


def test_truncated_model_file_is_copied_again(fresh_home: Path) -> None:
    """A full disk once cut model.onnx short, under the marker saying it was checked."""
    model = fresh_home / "models" / "all-MiniLM-L6-v2" / "onnx" / "model.onnx"
    size = model.stat().st_size
    with model.open("r+b") as fh:
        fh.truncate(size // 3)
    r = run_cli("ask", "--json", "What is CrossSplit?", home=fresh_home, ASSISTANT_LLM="extractive")
    assert r.returncode == 0, r.stderr
    assert "CrossSplit" in r.stdout
    assert model.stat().st_size == size


def test_a_failed_ingest_leaves_its_papers_searchable_and_says_how_many(
    empty_home: Path, tmp_path: Path
) -> None:
    """The second batch's write fails (as Chroma fails on a full disk): the first batch's papers
    are seen at once by keyword search and filters, in this process and the next, and the
    re-run writes the rest without calling the stored ones anything but unchanged."""
    from chromadb.errors import InternalError

    papers = write_papers(tmp_path / "papers.jsonl", "flt", 24)
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    a.store.batch_papers = 8
    chunks = a.store.chunks
    calls = [0]
    upsert = chunks.upsert

    def failing_upsert(*args: object, **kwargs: object) -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise InternalError(
                "Query error: Database error: error returned from database: (code: 13) "
                "database or disk is full"
            )
        upsert(*args, **kwargs)

    chunks.upsert = failing_upsert  # type: ignore[method-assign]
    from vectorstore.store import IngestInterrupted

    with pytest.raises(IngestInterrupted, match=r"is full .*\(8 papers were added before it"):
        a.ingest([papers])
    chunks.upsert = upsert  # type: ignore[method-assign]
    stored, _ = check_consistent(a)
    assert len(stored) == 8
    check_searchable(a, papers, "flt", sample=list(range(8)))
    other = Assistant(home=empty_home, llm="extractive", auto_ingest=False)  # the next command
    check_searchable(other, papers, "flt", sample=list(range(8)))
    report = other.ingest([papers])
    assert (report.added, report.unchanged) == (16, 8)
    check_complete(other, [papers])


def test_chunks_lost_by_an_older_removal_are_written_again(
    empty_home: Path, tmp_path: Path
) -> None:
    """A store left by the older removal order (chunks deleted, the kill came before the
    catalog record went): re-ingesting does not call that paper unchanged."""
    papers = write_papers(tmp_path / "papers.jsonl", "old", 4)
    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    a.ingest([papers])
    victim = a.store.papers()[1]
    a.store.chunks.delete(where={"paper_id": victim.paper_id})
    report = a.ingest([papers])
    assert (report.updated + report.added, report.unchanged) == (1, 3)
    check_complete(a, [papers])
    check_searchable(a, papers, "old", sample=[1])


def test_a_reader_failing_midway_says_how_many_were_stored(empty_home: Path) -> None:
    from vectorstore.papers import Paper
    from vectorstore.readers import ReaderError
    from vectorstore.store import IngestInterrupted

    def papers():
        for i in range(12):
            yield Paper(f"Streamed Paper {i}", f"Streamed abstract number {i} about sea ice.")
        raise ReaderError("big.jsonl", 13, "cannot read the rest")

    a = Assistant(home=empty_home, llm="extractive", auto_ingest=False)
    a.store.batch_papers = 5
    with pytest.raises(IngestInterrupted) as info:
        a.store.ingest(papers())
    assert isinstance(info.value.cause, ReaderError)
    assert str(info.value).startswith("big.jsonl:13: cannot read the rest (10 papers were added")
    assert a.store.count_papers() == 10
    assert a.retriever.lexical_index().num_docs == a.store.count_chunks()
