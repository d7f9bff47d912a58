"""Malformed paper files for every reader, generated from valid ones with a fixed seed.

Each file is a valid file of its format (digest, JSON Lines, JSON array, CSV, TSV, BibTeX, arXiv
snapshot) put through one to three mutations: generic ones (truncation, byte flips, invalid
UTF-8, control characters, BOMs, markup, huge lines, line shuffles) and ones aimed at the
format (lone surrogate escapes, 5,000-digit numbers, deep nesting and wrong value types in JSON;
unclosed quotes and ragged rows in CSV; @string doubling bombs, unbalanced braces, entries
inside entries in BibTeX). A few special files complete the set: empty, whitespace only, random
bytes, and a directory named like a paper file.

Used by tests/test_readers_fuzz.py and benchmarks/reader_fuzz.py (the published figures).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ABSTRACT = (
    "We propose a method that improves accuracy by seven points on three benchmarks, "
    "and we release the code. Experiments on {n} datasets confirm the gains."
)
TITLES = [
    "LoRA: Low-Rank Adaptation of Large Language Models",
    "QLoRA: Efficient Finetuning of Quantized LLMs",
    "Attention Is All You Need",
    "C++ for Machine Learning",
    "[Re] BERT Revisited",
    "Caf\u00e9 Networks for Tuning",
    "Closing [/dim] tag and [bold]markup[/bold]",
    "Graph Neural Networks at Scale",
]
FORMATS = ("digest", "jsonl", "json", "csv", "tsv", "bibtex", "arxiv")
SUFFIX = {
    "digest": ".txt",
    "jsonl": ".jsonl",
    "json": ".json",
    "csv": ".csv",
    "tsv": ".tsv",
    "bibtex": ".bib",
    "arxiv": ".json",
}


@dataclass(frozen=True)
class HostileFile:
    path: Path
    fmt: str  # the format it was made from
    mutations: tuple[str, ...]


def _records(n: int) -> list[dict[str, str]]:
    return [
        {
            "title": TITLES[i % len(TITLES)] + ("" if i < len(TITLES) else f" {i}"),
            "abstract": ABSTRACT.format(n=i + 2),
            "authors": "Ada Lovelace; Alan Turing",
            "date": f"2024-0{1 + i % 9}-1{i % 9}",
            "id": f"2106.{9685 + i:05d}",
        }
        for i in range(n)
    ]


def valid_file(fmt: str, n: int = 8) -> str:
    """A valid file of ``fmt`` with ``n`` papers."""
    recs = _records(n)
    if fmt == "digest":
        head = "Get trending papers in your email inbox once a day!\n\n"
        return head + "".join(f"{r['title']}\n{r['abstract']}\n\n" for r in recs)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    if fmt == "json":
        return json.dumps(recs, indent=2, ensure_ascii=False) + "\n"
    if fmt in ("csv", "tsv"):
        import csv
        import io

        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
        writer.writerow(["title", "abstract", "authors", "date", "id"])
        for r in recs:
            writer.writerow([r["title"], r["abstract"], r["authors"], r["date"], r["id"]])
        return buf.getvalue()
    if fmt == "bibtex":
        out = ['@string{venue = "Proceedings of {ML}"}\n', "% exported by hand\n"]
        for i, r in enumerate(recs):
            title = r["title"].replace("\u00e9", "{\\'e}")
            out.append(
                f"@article{{key{i},\n  title = {{{title}}},\n  author = {{Lovelace, Ada and Turing, Alan}},\n"
                f"  journal = venue # {{ 2024}},\n  year = 2024, month = mar,\n"
                f"  abstract = {{{r['abstract']}}},\n  eprint = {{{r['id']}}}, archivePrefix = {{arXiv}}\n}}\n\n"
            )
        return "".join(out)
    if fmt == "arxiv":
        return "".join(
            json.dumps(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "abstract": "  " + r["abstract"].replace(", ", ",\n  "),
                    "authors": "A. Lovelace, A. Turing",
                    "categories": "cs.LG cs.CL",
                    "update_date": r["date"],
                    "doi": None,
                },
                ensure_ascii=False,
            )
            + "\n"
            for r in recs
        )
    raise ValueError(fmt)


Mutation = Callable[[random.Random, str], str]


def _at(rng: random.Random, text: str) -> int:
    return rng.randrange(len(text) + 1)


def _insert(rng: random.Random, text: str, piece: str) -> str:
    i = _at(rng, text)
    return text[:i] + piece + text[i:]


def _lines(text: str) -> list[str]:
    return text.split("\n")


# -- generic mutations (text level; byte-level ones are marked and applied when writing) -------
def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text))] if text else text


def controls(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        piece = rng.choice(
            ["\x00", "\x1b[2J", "\x0b", "\x1c", "\u2028", "\u0085", "\r", "\x7f", "\t"]
        )
        text = _insert(rng, text, piece)
    return text


def markup(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        piece = rng.choice(
            [
                "[/dim]",
                "[bold red]",
                "[link=https://evil.example]x[/link]",
                "<script>",
                "<@U123>",
                "click [here](https://evil.example/phish)",
                "\\x1b[31m",
                "%s%n",
                "{{7*7}}",
            ]
        )
        text = _insert(rng, text, piece)
    return text


def bom(rng: random.Random, text: str) -> str:
    return "\ufeff" + text if rng.random() < 0.5 else _insert(rng, text, "\ufeff")


def shuffle_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    rng.shuffle(lines)
    return "\n".join(lines)


def drop_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, max(1, len(lines) // 4))):
        if lines:
            lines.pop(rng.randrange(len(lines)))
    return "\n".join(lines)


def duplicate_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    return "\n".join(lines)


def huge_line(rng: random.Random, text: str) -> str:
    size = rng.choice([70_000, 300_000, 1_200_000])
    lines = _lines(text)
    lines.insert(rng.randrange(len(lines) + 1), "x" * size)
    return "\n".join(lines)


def long_abstract(rng: random.Random, text: str) -> str:
    words = " ".join(rng.choice(["data", "model", "loss", "token"]) for _ in range(50_000))
    return text.replace(ABSTRACT.format(n=rng.randint(2, 9)).split(",")[0], words, 1)


# byte-level markers: replaced by invalid UTF-8 when the file is written
_BAD_BYTES = {
    "\ue000": b"\xff",
    "\ue001": b"\xc3",
    "\ue002": b"\xed\xa0\x80",
    "\ue003": b"\xc0\xaf",
}


def invalid_utf8(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        text = _insert(rng, text, rng.choice(list(_BAD_BYTES)))
    return text


def byte_flips(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 8)):
        if chars:
            chars[rng.randrange(len(chars))] = rng.choice(
                ["{", "}", '"', ",", "[", "]", "@", "#", "\\", "\n", "=", "(", ")", "\ue000", "%"]
            )
    return "".join(chars)


GENERIC: list[Mutation] = [
    truncate,
    controls,
    markup,
    bom,
    shuffle_lines,
    drop_lines,
    duplicate_lines,
    invalid_utf8,
    byte_flips,
    huge_line,
    long_abstract,
]


# -- JSON family -------------------------------------------------------------------------------
def _replace_value(rng: random.Random, text: str, key: str, value: str) -> str:
    needle = f'"{key}": '
    positions = [i for i in range(len(text)) if text.startswith(needle, i)]
    if not positions:
        return _insert(rng, text, f"{needle}{value}, ")
    i = rng.choice(positions) + len(needle)
    end = text.find('"', text.find('"', i) + 1) + 1 if text[i : i + 1] == '"' else i
    return text[:i] + value + text[end:]


def json_surrogate(rng: random.Random, text: str) -> str:
    key = rng.choice(["title", "abstract", "authors"])
    return _replace_value(
        rng, text, key, rng.choice(['"Poison \\ud800 title"', '"\\udfff"', '"a\\ud83d"'])
    )


def json_huge_number(rng: random.Random, text: str) -> str:
    digits = "9" * rng.choice([400, 5000])
    return _replace_value(rng, text, rng.choice(["title", "date", "id", "extra"]), digits)


def json_nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice([70, 5000, 100_000])
    open_, close = rng.choice([("[", "]"), ('{"a":', "}")])
    value = open_ * depth + "1" + close * (depth if rng.random() < 0.5 else 0)
    return _replace_value(rng, text, rng.choice(["title", "authors", "extra"]), value)


def json_wrong_type(rng: random.Random, text: str) -> str:
    value = rng.choice(
        ["12", "3.5", "[1, 2]", '{"name": "x"}', "null", "true", '["A", 3]', "1e999"]
    )
    key = rng.choice(["title", "abstract", "authors", "date", "categories", "id", "url", "doi"])
    return _replace_value(rng, text, key, value)


def json_syntax(rng: random.Random, text: str) -> str:
    return _insert(rng, text, rng.choice(["{", "}", ",,", '"', "NaN", "Infinity", "'", "\\"]))


JSON: list[Mutation] = [
    json_surrogate,
    json_huge_number,
    json_nesting,
    json_wrong_type,
    json_syntax,
]


# -- CSV ---------------------------------------------------------------------------------------
def csv_unclosed_quote(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    i = rng.randrange(1, max(2, len(lines)))
    if i < len(lines):
        lines[i] = '"' + lines[i]
    return "\n".join(lines)


def csv_ragged(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        lines[i] = lines[i] + rng.choice([",extra", "\textra", ",", '"x"y', ',"a""b'])
    return "\n".join(lines)


def csv_header(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    choice = rng.randrange(3)
    if choice == 0:
        lines.pop(0)  # no header: the first row is taken for one
    elif choice == 1:
        lines[0] = lines[0].replace("abstract", "summary")
    else:
        lines = lines[:1]
    return "\n".join(lines)


def csv_cell_date(rng: random.Random, text: str) -> str:
    return text.replace("2024-0", rng.choice(["not-a-date-", "2024-13-", "99999-0"]), 2)


CSV: list[Mutation] = [csv_unclosed_quote, csv_ragged, csv_header, csv_cell_date]


# -- BibTeX ------------------------------------------------------------------------------------
def bib_macro_bomb(rng: random.Random, text: str) -> str:
    levels = rng.randint(12, 30)
    bomb = ['@string{b0 = "' + "lol" * 300 + '"}']
    bomb += [f"@string{{b{i} = b{i - 1} # b{i - 1}}}" for i in range(1, levels)]
    use = rng.choice([f"b{levels - 1}", " # ".join(["b5"] * rng.randint(2, 80))])
    bomb.append(f"@misc{{bomb, title = {{Bomb}}, abstract = {use}}}")
    return "\n".join(bomb) + "\n" + text


def bib_unbalanced(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        target = rng.choice(["}", "{", '"', ","])
        positions = [i for i, ch in enumerate(text) if ch == target]
        if positions:
            i = rng.choice(positions)
            text = text[:i] + rng.choice(["", target * 2]) + text[i + 1 :]
    return text


def bib_entry_inside(rng: random.Random, text: str) -> str:
    inner = "@misc{inner, title = {Inner}, abstract = {An entry inside another.}}"
    return text.replace("title = {", "title = {Unclosed " + inner + " ", 1)


def bib_deep_braces(rng: random.Random, text: str) -> str:
    depth = rng.choice([200, 20_000])
    return text.replace("abstract = {", "abstract = {" + "{" * depth + "x" + "}" * depth, 1)


def bib_latex(rng: random.Random, text: str) -> str:
    piece = rng.choice(
        ["\\", "\\href{", "\\cite{", "$$", '\\"{', "\\c", "~~~", "\\begin{x}", "\\'", "\\u"]
    )
    return text.replace("abstract = {", "abstract = {" + piece, rng.randint(1, 3))


def bib_comment(rng: random.Random, text: str) -> str:
    return rng.choice(["@comment{\n", "@preamble{", "@comment(", "@string{x = "]) + text


def bib_undefined_macro(rng: random.Random, text: str) -> str:
    return text.replace(
        "venue # {", rng.choice(["nomacro # {", "# {", "venue ## {", "venue # # {"])
    )


BIBTEX: list[Mutation] = [
    bib_macro_bomb,
    bib_unbalanced,
    bib_entry_inside,
    bib_deep_braces,
    bib_latex,
    bib_comment,
    bib_undefined_macro,
]


# -- digest ------------------------------------------------------------------------------------
def digest_pairs(rng: random.Random, text: str) -> str:
    lines = [line for line in _lines(text) if line]
    i = rng.randrange(len(lines))
    op = rng.randrange(3)
    if op == 0:
        lines.pop(i)  # a title without abstract (or an abstract without title)
    elif op == 1:
        lines.insert(i, "A Title Line Without Any Abstract")
    else:
        lines.insert(i, "word " * rng.randint(100, 300))  # prose where a title is expected
    return "\n".join(lines) + "\n"


def digest_separators(rng: random.Random, text: str) -> str:
    return text.replace(
        "\n", rng.choice(["\u2028", "\x85", "\x0b", "\x1c", "\r\n", "\r"]), rng.randint(1, 6)
    )


DIGEST: list[Mutation] = [digest_pairs, digest_separators]

SPECIFIC: dict[str, list[Mutation]] = {
    "digest": DIGEST,
    "jsonl": JSON,
    "json": JSON,
    "arxiv": JSON,
    "csv": CSV,
    "tsv": CSV,
    "bibtex": BIBTEX,
}


def _encode(text: str) -> bytes:
    out = text.encode("utf-8", "surrogatepass")
    for marker, raw in _BAD_BYTES.items():
        out = out.replace(marker.encode(), raw)
    return out


def generate(folder: Path, per_format: int = 45, seed: int = 14) -> list[HostileFile]:
    """``per_format`` mutated files for each format, plus the special files, in ``folder``."""
    rng = random.Random(seed)
    files: list[HostileFile] = []
    folder.mkdir(parents=True, exist_ok=True)
    heavy = {huge_line, long_abstract}
    for fmt in FORMATS:
        base = valid_file(fmt)
        for k in range(per_format):
            pool = SPECIFIC[fmt] * 2 + GENERIC  # the format's own mutations are drawn more often
            chosen = [rng.choice(pool) for _ in range(rng.randint(1, 3))]
            if sum(m in heavy for m in chosen) > 1 or (k % 9 and any(m in heavy for m in chosen)):
                chosen = [m for m in chosen if m not in heavy] or [truncate]  # few big files
            text = base
            for mutation in chosen:
                text = mutation(rng, text)
            path = folder / f"{fmt}-{k:03d}{SUFFIX[fmt]}"
            path.write_bytes(_encode(text))
            files.append(HostileFile(path, fmt, tuple(m.__name__ for m in chosen)))
        for name, data in (
            ("empty", b""),
            ("blank", b" \n\t\r\n\n"),
            ("bom-only", b"\xef\xbb\xbf"),
            ("random-bytes", rng.randbytes(3000)),
        ):
            path = folder / f"{fmt}-{name}{SUFFIX[fmt]}"
            path.write_bytes(data)
            files.append(HostileFile(path, fmt, (name,)))
    for fmt in ("jsonl", "bibtex"):
        path = folder / f"{fmt}-directory{SUFFIX[fmt]}"
        path.mkdir()
        files.append(HostileFile(path, fmt, ("directory",)))
    return files
