"""The digest reader: the bundled file, tolerated variations, and one clear error per malformed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectorstore.readers import ReaderError, read_papers

DIGEST = Path(__file__).resolve().parent.parent / "data" / "trending-papers-digest.txt"

ABSTRACT = "We study a thing in depth and report that it works better than the baseline on every benchmark tried."


def write(tmp_path: Path, text: str | bytes, name: str = "digest.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_bundled_digest_has_119_papers_with_exact_titles() -> None:
    papers = read_papers(DIGEST)
    assert len(papers) == 119
    titles = [p.title for p in papers]
    assert titles[0].startswith(
        "ARMOR v0.1: Empowering Autoregressive"
    )  # "Subscribe" glued on in the file
    assert not any(t.startswith("Subscribe") for t in titles)
    assert "3D Gaussian Splatting for Real-Time Radiance Field Rendering" in titles
    assert len(set(titles)) == 119
    assert all(len(p.abstract.split()) > 20 for p in papers)
    lines = DIGEST.read_text().splitlines()
    assert set(titles[1:]) <= set(lines)  # titles are the file's lines, untouched


def test_crlf_blank_lines_and_trailing_whitespace_are_tolerated(tmp_path: Path) -> None:
    text = (
        "Get trending papers in your email inbox once a day!\r\n"
        "Get trending papers in your email inbox!\r\n"
        "\r\n"
        "SubscribeFirst Title: A Study   \r\n"
        f"{ABSTRACT}  \r\n"
        "\r\n\r\n"
        "Second Title\t\r\n"
        f"{ABSTRACT}\r\n"
    )
    papers = read_papers(write(tmp_path, text))
    assert [p.title for p in papers] == ["First Title: A Study", "Second Title"]
    assert papers[0].abstract == ABSTRACT
    assert papers[1].line == 8


def test_file_without_headers_reads_as_pairs(tmp_path: Path) -> None:
    papers = read_papers(write(tmp_path, f"Only Title\n{ABSTRACT}\n"))
    assert [p.title for p in papers] == ["Only Title"]


def test_title_without_abstract_names_the_line(tmp_path: Path) -> None:
    text = f"Title One\n{ABSTRACT}\nTitle Two\nTitle Three\n{ABSTRACT}\n"
    with pytest.raises(ReaderError) as err:
        read_papers(write(tmp_path, text))
    assert err.value.line == 3
    assert "digest.txt:3" in str(err.value) and "Title Two" in str(err.value)


def test_odd_number_of_lines_names_the_last_title(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match=r"digest\.txt:3: .*has no abstract"):
        read_papers(write(tmp_path, f"Title One\n{ABSTRACT}\nDangling Title\n"))


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match=r"empty\.txt: the file is empty"):
        read_papers(write(tmp_path, "\n  \n", name="empty.txt"))


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    data = (
        f"Title One\n{ABSTRACT}\nTitle Two\n".encode()
        + b"caf\xe9 is not utf-8 "
        + ABSTRACT.encode()
        + b"\n"
    )
    with pytest.raises(ReaderError, match=r"bad\.txt:4: not valid UTF-8"):
        read_papers(write(tmp_path, data, name="bad.txt"))


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="no such file"):
        read_papers(tmp_path / "nope.txt")
    with pytest.raises(ReaderError, match="unknown file type"):
        read_papers(write(tmp_path, "x", name="papers.xyz"))


def test_paper_id_is_stable_and_content_hash_tracks_edits() -> None:
    from vectorstore.papers import Paper

    a = Paper(title="A Title", abstract="One.")
    assert a.paper_id == Paper(title="a  title", abstract="Two.").paper_id
    assert a.content_hash != Paper(title="A Title", abstract="Two.").content_hash
