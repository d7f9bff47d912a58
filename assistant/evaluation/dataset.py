"""Evaluation questions: the JSONL format of ``dev.jsonl`` (see docs/evaluation.md), read strictly.

A typo in a question file should stop the run with the file and line, not skew the numbers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = (
    # dev.jsonl: clean phrasing
    "single",
    "multi",
    "lookup",
    "aggregate",
    "unanswerable",
    "followup",
    # dev2.jsonl: phrasing as people type it
    "phrasing",
    "anaphora",
    "switch",
    "list",
    "compare",
    "absent_title",
)
# Kinds whose right answer says the collection does not cover the question and cites nothing.
UNANSWERABLE_KINDS = frozenset({"unanswerable", "absent_title"})
# Kinds that continue a conversation and need earlier turns.
CONVERSATION_KINDS = frozenset({"followup", "anaphora", "switch"})


class DatasetError(ValueError):
    """The question file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class EvalItem:
    """One question with what a good answer cites (``gold_titles``) and says (``key_facts``)."""

    id: str
    kind: str
    question: str
    history: tuple[str, ...] = ()
    gold_titles: tuple[str, ...] = ()
    key_facts: tuple[str, ...] = ()
    notes: str = ""

    @property
    def answerable(self) -> bool:
        return self.kind not in UNANSWERABLE_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "question": self.question,
            "history": list(self.history),
            "gold_titles": list(self.gold_titles),
            "key_facts": list(self.key_facts),
            "notes": self.notes,
        }


@dataclass
class Dataset:
    path: Path
    items: list[EvalItem] = field(default_factory=list)


def _strings(value: Any, name: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatasetError(f"{where}: '{name}' must be a list of strings")
    return tuple(value)


def parse_item(obj: Any, where: str) -> EvalItem:
    if not isinstance(obj, dict):
        raise DatasetError(f"{where}: expected a JSON object")
    for key in ("id", "kind", "question"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise DatasetError(f"{where}: missing or empty '{key}'")
    kind = obj["kind"].strip().lower()
    if kind not in KINDS:
        raise DatasetError(
            f"{where}: unknown kind {obj['kind']!r} (expected one of {', '.join(KINDS)})"
        )
    item = EvalItem(
        id=obj["id"].strip(),
        kind=kind,
        question=obj["question"],
        history=_strings(obj.get("history"), "history", where),
        gold_titles=_strings(obj.get("gold_titles"), "gold_titles", where),
        key_facts=_strings(obj.get("key_facts"), "key_facts", where),
        notes=str(obj.get("notes") or ""),
    )
    if kind in UNANSWERABLE_KINDS and item.gold_titles:
        raise DatasetError(f"{where}: an {kind} item cannot have gold_titles")
    if kind in CONVERSATION_KINDS and not item.history:
        raise DatasetError(f"{where}: a {kind} item needs a non-empty 'history'")
    return item


def load_items(path: str | Path, kinds: Sequence[str] = (), limit: int | None = None) -> Dataset:
    """Read a JSONL question file; ``kinds`` and ``limit`` select a subset (in file order)."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{p}: is a directory, expected a .jsonl file") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{p}: not UTF-8 text ({exc.reason})") from None
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise DatasetError(f"unknown kind {unknown[0]!r} (expected one of {', '.join(KINDS)})")
    items: list[EvalItem] = []
    seen: set[str] = set()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{p}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: invalid JSON ({exc.msg})") from None
        item = parse_item(obj, where)
        if item.id in seen:
            raise DatasetError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{p}: no questions in the file")
    if kinds:
        items = [i for i in items if i.kind in kinds]
    if limit is not None:
        items = items[:limit]
    return Dataset(path=p, items=items)
