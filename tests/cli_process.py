"""Running the CLI as a user does: ``python -m assistant ...`` in its own process and data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str, home: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """``env`` adds variables (e.g. ``ASSISTANT_LLM="extractive"``) to the inherited ones."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "ASSISTANT_HOME": str(home), "NO_COLOR": "1", **env},
        timeout=300,
        input=stdin,
    )
