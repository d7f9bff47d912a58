"""The command line's shape: generated options, flags, --version, the shorthand, typos, help."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from assistant.cli import app
from assistant.cli.group import looks_like_paths, one_edit_away
from assistant.settings import Settings
from assistant.wording import duration, plural
from tests.cli_process import run_cli as run


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _commands(group: Any = None, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command and group of the CLI with its path, the root first."""
    group = group or typer.main.get_command(app)
    found = [(path, group)]
    for name, command in getattr(group, "commands", {}).items():
        found.extend(_commands(command, (*path, name)) if hasattr(command, "commands") else [])
        if not hasattr(command, "commands"):
            found.append(((*path, name), command))
    return found


def test_every_option_is_described_and_no_flag_looks_like_it_takes_a_value() -> None:
    for path, command in _commands():
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option":
                assert param.help, f"assistant {' '.join(path)} {param.opts[0]} has no help"
        shown = cli(*path, "--help")
        assert shown.exit_code == 0, shown.output
        assert "<bool>" not in shown.output, path
        assert f"Usage: assistant {' '.join(path)}".rstrip() in shown.output


def test_each_help_paragraph_wraps_to_the_window_not_to_the_docstring() -> None:
    # in a wide window each paragraph of a command's description is one line: none breaks
    # where its docstring happened to
    for path, command in _commands():
        shown = cli(*path, "--help").output
        for paragraph in (command.help or "").split("\n\n"):
            assert " ".join(paragraph.split()) in shown, (path, paragraph)


def test_options_mirroring_settings_take_name_default_bounds_and_help_from_it() -> None:
    shown = cli("eval", "--help").output
    flat = " ".join(shown.replace("│", " ").split())
    fields = Settings.model_fields
    for name in ("openai_model", "openai_base_url", "evidence_tokens", "max_tokens", "top_k"):
        flag = "--" + name.replace("_", "-")
        assert flag in flat
        assert str(fields[name].description).split()[0] in flat  # described, from Settings
        assert f"ASSISTANT_{name.upper()}" in flat
    assert f"default: {fields['evidence_tokens'].default}]" in flat
    assert "50<=x<=8000" in flat  # the Field's ge/le
    assert "flag|drop|replace" in flat  # a Literal's values
    slack = " ".join(cli("slack", "--help").output.replace("│", " ").split())
    assert "--port -p N [1<=x<=65535] HTTP mode" in slack  # a setting renamed for its command
    assert all(f.description for f in fields.values()), "every setting needs a description"


def test_flags_refuse_a_value(tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = cli("--home", str(home), "ask", "--json", "true", "What is MIO?")
    assert r.exit_code == 2
    assert r.output.startswith("Error: --json is a flag and takes no value")
    assert not home.exists()  # nothing asked, nothing logged


def test_version_is_the_package_version() -> None:
    r = cli("--version")
    assert r.exit_code == 0 and r.output.strip().endswith(version("paper-qa-assistant"))


def test_the_shorthand_takes_asks_options(fresh_home: Path) -> None:
    logged = len(json.loads(run("logs", "-n", "0", "--json", home=fresh_home).stdout))
    r = run("-k", "3", "--json", "--no-log", "What is MIO?", home=fresh_home)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert len(d["retrieved"]) == 3 and d["question"] == "What is MIO?"
    after = json.loads(run("logs", "-n", "0", "--json", home=fresh_home).stdout)
    assert len(after) == logged  # --no-log held


def test_a_misspelled_command_is_not_asked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = run("injest", "foo.bib", home=home)
    assert r.returncode == 2
    assert r.stderr.startswith("Error: 'injest' is not a command; did you mean ingest?")
    assert 'assistant ask "injest foo.bib"' in r.stderr and "Traceback" not in r.stderr
    assert not home.exists()  # nothing asked, nothing logged
    r = cli("--home", str(home), "papers", "remvoe", "2301.00001")
    assert r.exit_code == 2 and "did you mean remove?" in r.output


@pytest.mark.parametrize(
    ("words", "meant"),
    [
        (["injest", "a.bib", "b.jsonl"], "ingest"),
        (["Ingest", "papers/list.txt"], "ingest"),
        (["igest", "--strict", "x.csv"], "ingest"),
        (["chta"], "chat"),
        (["pappers", "--json"], "papers"),
        (["chta", "about", "LoRA"], None),  # the rest reads as a question: it is asked
        (["gist", "x.bib"], None),  # two edits from ingest
        (["loss", "of", "GANs?"], None),  # one edit from logs, but a question follows
    ],
)
def test_typo_rule(words: list[str], meant: str | None) -> None:
    commands = ["ask", "chat", "logs", "ingest", "papers", "eval", "slack"]
    found = one_edit_away(words[0], commands)
    assert (found if found and looks_like_paths(words[1:]) else None) == meant


def test_papers_is_a_group_with_list_as_its_default(built_home: Path) -> None:
    shown = cli("papers", "--help").output
    assert re.search(r"\blist\b", shown) and re.search(r"\bremove\b", shown)
    assert "Usage: assistant papers remove" in cli("papers", "remove", "--help").output
    listed = run("papers", "lora", home=built_home)
    assert listed.returncode == 0 and "LQ-LoRA" in listed.stdout
    assert re.search(r"^\d+ papers · ", listed.stderr)
    as_json = run("papers", "--json", home=built_home)
    assert len(json.loads(as_json.stdout)) == 119


def test_a_bad_setting_names_its_flag_or_env_var(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    r = cli("--home", home, "ask", "--llm", "gpt-17", "What is MIO?")
    assert r.exit_code == 2 and r.output.startswith("Error: invalid setting: --llm: Input should")
    r = run("ask", "What is MIO?", home=tmp_path / "home", ASSISTANT_TOP_K="0")
    assert r.returncode == 2
    assert r.stderr.startswith("Error: invalid setting: ASSISTANT_TOP_K: Input should be greater")


def test_wording() -> None:
    assert [plural(n, "paper") for n in (0, 1, 2)] == ["0 papers", "1 paper", "2 papers"]
    assert [duration(ms) for ms in (0.2, 12.4, 999.4, 999.6, 1240)] == [
        "<1 ms",
        "12 ms",
        "999 ms",
        "1.0 s",
        "1.2 s",
    ]
