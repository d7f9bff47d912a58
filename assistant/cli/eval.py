"""``assistant eval``: measure a configuration on a question set, or compare two saved runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.chat.render import literal
from assistant.cli.common import UserError, err, make_assistant, out, user_errors
from assistant.cli.settings_options import setting_options
from assistant.display import visible
from assistant.wording import plural

if TYPE_CHECKING:
    from assistant.evaluation.runner import ItemResult


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    """``--set NAME=VALUE`` pairs for any setting (validated by Settings like env vars)."""
    from assistant.settings import Settings

    fields = Settings.model_fields
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not sep or not name:
            raise UserError(f"--set expects NAME=VALUE, got {pair!r}")
        if name not in fields or name == "home":
            known = ", ".join(sorted(f for f in fields if f != "home"))
            raise UserError(f"--set: unknown setting {name!r} (known: {known})")
        values[name] = value
    return values


def _table(header: list[str], rows: list[list[str]], title: str) -> None:
    from rich import box
    from rich.table import Table

    table = Table(
        title=literal(title), title_justify="left", header_style="bold", box=box.SIMPLE_HEAD
    )
    for i, name in enumerate(header):
        table.add_column(literal(name), justify="left" if i == 0 else "right", no_wrap=True)
    for row in rows:
        table.add_row(*(literal(cell) for cell in row))
    # Never cut numbers: a table wider than the terminal (or a pipe's 80 columns) is printed whole.
    from rich.console import Console
    from rich.measure import Measurement

    needed = Measurement.get(out, out.options.update(width=400), table).maximum
    console = out if needed <= out.width else Console(file=out.file, width=needed, highlight=False)
    console.print(table)


def _compare(a_path: Path, b_path: Path, markdown: bool) -> None:
    from assistant.evaluation.report import (
        compare_rows,
        item_changes,
        load_run,
        markdown_table,
    )

    a, b = load_run(a_path), load_run(b_path)
    header, rows = compare_rows(a["summary"], b["summary"])
    changed = item_changes(a, b)
    if markdown:
        print(visible(markdown_table(header, rows), multiline=True))
        if changed:
            print()
            print(visible(markdown_table(["item", "kind", "changes"], changed), multiline=True))
        return
    _table(header, rows, f"A = {a_path}   B = {b_path}   (overall)")
    if changed:
        _table(["item", "kind", "changes"], changed, "Items that changed")
    else:
        out.print("No item changed its abstention, top-5 hit, precision or key-fact coverage.")


def _progress() -> tuple[Any, Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("Evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        console=err,
        transient=True,
    )
    task = bar.add_task("eval", total=None, last="")

    def report(done: int, total: int, result: ItemResult) -> None:
        note = " error" if result.error else ""
        bar.update(task, completed=done, total=total, last=visible(f"{result.item.id}{note}"))

    return bar, report


@setting_options(
    "llm",
    "top_k",
    "openai_model",
    "openai_base_url",
    "grounding",
    "evidence_tokens",
    "max_tokens",
)
def eval_command(
    ctx: typer.Context,
    settings: dict[str, Any],
    questions: Annotated[
        Path | None,
        typer.Argument(
            help="Question file (JSONL: id, kind, question, history, gold_titles, key_facts).",
            metavar="QUESTIONS.jsonl",
            show_default=False,
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="FILE",
            help="Write the run (settings, summary, per-item answers and scores) here.",
        ),
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            "--compare",
            metavar="A.json B.json",
            help="Compare two saved runs instead of running.",
            show_default=False,
        ),
    ] = None,
    extra_settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="NAME=VALUE",
            help="Any other setting, NAME=VALUE (repeatable), e.g. --set local_threads=2.",
            show_default=False,
        ),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Only items of this kind (repeatable).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, metavar="N", help="Only the first N items.")
    ] = None,
    support: Annotated[
        bool,
        typer.Option(
            "--support/--no-support",
            help="NLI-free support check: share of answer sentences backed by cited abstracts.",
        ),
    ] = True,
    judge: Annotated[
        bool,
        typer.Option(
            "--judge",
            help="LLM-JUDGE MODE: also ask the openai_* model whether each cited sentence is "
            "supported (costs tokens; needs an OpenAI-compatible server).",
        ),
    ] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print Markdown tables instead of boxes.")
    ] = False,
) -> None:
    """Measure answers on a question set: retrieval recall, citations, key facts, abstention, latency.

    Every item goes through the public API (follow-ups with their history).

    Measure: assistant eval dev.jsonl --llm extractive --json run.json

    Compare two runs: assistant eval --compare before.json after.json
    """
    with user_errors():
        if compare is not None:
            if questions is not None:
                raise UserError("give either a question file or --compare A.json B.json, not both")
            from assistant.evaluation.report import RunFileError

            try:
                _compare(compare[0], compare[1], markdown)
            except RunFileError as exc:
                raise UserError(str(exc)) from None
            return
        if questions is None:
            raise UserError(
                "give a question file, e.g. assistant eval dev.jsonl (or --compare A.json B.json)"
            )
        from assistant.evaluation.dataset import DatasetError, load_items

        try:
            dataset = load_items(questions, kinds=kinds or (), limit=limit)
        except DatasetError as exc:
            raise UserError(str(exc)) from None
        if not dataset.items:
            raise UserError(f"{questions}: no items of kind {', '.join(kinds or [])}")
        assistant = make_assistant(ctx, **{**_parse_sets(extra_settings or []), **settings})
        support_judge = None
        if judge:
            from assistant.evaluation.judge import JudgeError, SupportJudge

            try:
                support_judge = SupportJudge(assistant.settings)
            except JudgeError as exc:
                raise UserError(str(exc)) from None
        if json_path is not None and json_path.is_dir():
            raise UserError(f"--json {json_path}: is a directory, expected a file path")

        from assistant.evaluation.report import markdown_table, summary_rows
        from assistant.evaluation.runner import run

        assistant.ensure_index()  # a first-run ingest shows its own progress bar, before ours
        bar, report = _progress()
        with bar:
            result = run(
                assistant,
                dataset.items,
                dataset=str(questions),
                support=support,
                judge=support_judge,
                progress=report,
            )
        data = result.to_dict()
        header, rows = summary_rows(data["summary"])
        setting_line = (
            f"{questions} · llm={assistant.settings.llm} · top_k={assistant.settings.top_k}"
        )
        if markdown:
            print(visible(markdown_table(header, rows), multiline=True))
        else:
            _table(header, rows, setting_line)
        if support_judge is not None:
            err.print(
                literal(f"LLM judge: {support_judge.model}, {support_judge.tokens} tokens", "dim")
            )
        errors = [r for r in result.results if r.error]
        for r in errors[:5]:
            err.print(literal(f"{r.item.id} failed:", "yellow") + literal(f" {r.error}"))
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            err.print(literal(f"Wrote {plural(len(result.results), 'item')} to {json_path}", "dim"))
