"""paper-QA assistant: answers questions about research papers, citing the exact titles it used.

from assistant import Assistant
answer = Assistant(llm="extractive").ask("What is 3D Gaussian splatting?")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Answer", "Assistant", "Citation", "Settings"]

if TYPE_CHECKING:
    from assistant.answer import Answer, Citation
    from assistant.api import Assistant
    from assistant.settings import Settings


def __getattr__(name: str) -> Any:  # lazy: `import assistant` stays cheap for the CLI's --help
    if name == "Assistant":
        from assistant.api import Assistant

        return Assistant
    if name in ("Answer", "Citation"):
        from assistant import answer

        return getattr(answer, name)
    if name == "Settings":
        from assistant.settings import Settings

        return Settings
    raise AttributeError(name)
