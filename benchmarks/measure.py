"""Measurements that need care: the machine, child processes' time and peak memory, ingest."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def machine() -> dict[str, str]:
    """What the numbers were measured on, including how busy the machine was."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for pkg in ("chromadb", "onnxruntime", "bm25s", "tiktoken", "langchain-chroma"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{pkg} {metadata.version(pkg)}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "CPU": f"{cpu} × {os.cpu_count()} logical cores",
        "memory": mem,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "packages": ", ".join(versions),
        "load average at start (1/5/15 min)": load,
        "commit": _git_commit(),
    }


def _git_commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "?"
    return f"{sha}{' (with uncommitted changes)' if dirty else ''}" if sha else "?"


def assistant_command() -> list[str]:
    """The installed ``assistant`` console script (what users run), next to this Python."""
    script = Path(sys.executable).parent / "assistant"
    if script.exists():
        return [str(script)]
    found = shutil.which("assistant")
    if found:
        return [found]
    return [sys.executable, "-c", "from assistant.cli import main; main()"]


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_rss_mib: float
    returncode: int
    stdout: str
    stderr: str


# Linux keeps a process's peak RSS across fork and exec, so a child forked from this big
# process would report this process's peak. A small Python trampoline forks the measured
# command instead and reports its wall time and its own peak from wait4.
_TRAMPOLINE = """
import os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    f.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_child(
    args: list[str], env: dict[str, str], timeout: float = 300, cwd: Path | None = None
) -> ChildRun:
    """Run a process (in ``cwd``, default the repository); its wall time and its own peak RSS.
    Killed after ``timeout`` seconds."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rusage"
        proc = subprocess.run(
            [sys.executable, "-c", _TRAMPOLINE, str(report), *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=cwd or REPO,
            timeout=timeout,
        )
        if not report.exists():
            return ChildRun(0.0, 0.0, proc.returncode or 1, proc.stdout, proc.stderr)
        seconds, maxrss_kib, code = report.read_text().split()
    return ChildRun(float(seconds), int(maxrss_kib) / 1024, int(code), proc.stdout, proc.stderr)


def self_peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    env.update({"ASSISTANT_HOME": str(home), "NO_COLOR": "1", **extra})
    return env
