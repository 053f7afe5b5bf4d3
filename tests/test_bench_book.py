"""The book corpus of `python -m bench --corpus book`: its shipped data and its query set."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bench.book import BOOK, QUERIES, load_book, make_book_corpus, random_cuts
from bot.text import normalize


def test_the_shipped_book_has_its_120_chapters_and_a_notice() -> None:
    chapters = load_book()
    assert len(chapters) == 120
    assert chapters[0].title.startswith("第一回")
    assert sum(len(p) for c in chapters for p in c.paragraphs) > 800_000
    notice = (BOOK.parent / "NOTICE.md").read_text(encoding="utf-8")
    assert BOOK.name in notice and "public domain" in notice


def test_every_written_expectation_is_in_the_book() -> None:
    """The written set says what answers each query; a slip in an expectation would count a
    right answer as a miss, so each one must occur in the text (headings in a title)."""
    paragraphs = [normalize(p) for c in load_book() for p in c.paragraphs]
    titles = [c.title for c in load_book()]
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    assert len(queries) >= 60
    for query in queries:
        if query["kind"] == "negative":
            assert not query.get("expect") and not query.get("heading")
            continue
        for piece in query.get("expect") or ():
            assert any(normalize(piece) in p for p in paragraphs), (query["q"], piece)
        for heading in query.get("heading") or ():
            assert any(heading in t for t in titles), (query["q"], heading)


def test_random_cuts_are_fixed_and_cut_from_the_text() -> None:
    cuts = random_cuts()
    assert cuts == random_cuts()
    assert len(cuts) == 200
    lengths = {len(normalize(c["q"])) for c in cuts}
    assert min(lengths) == 2 and max(lengths) >= 17
    text = "".join(p for c in load_book() for p in c.paragraphs)
    assert all(c["q"] in text for c in cuts)


def test_a_size_is_near_duplicate_copies_of_the_book(tmp_path: Path) -> None:
    characters = make_book_corpus(tmp_path / "book", 2)
    files = sorted((tmp_path / "book").rglob("*.md"))
    assert 1_900_000 <= characters <= 2_000_000
    assert sum(len(f.read_text(encoding="utf-8")) for f in files) == characters
    original = (tmp_path / "book" / "copy000" / "001.md").read_text(encoding="utf-8")
    copy = (tmp_path / "book" / "copy001" / "001.md").read_text(encoding="utf-8")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert len(original) == len(copy)
    changed = sum(a != b for a, b in zip(original, copy, strict=True))
    assert 0.01 < changed / len(cjk.findall(original)) < 0.05
    # Reused when asked again: same count, files untouched.
    mtime = files[0].stat().st_mtime_ns
    assert make_book_corpus(tmp_path / "book", 2) == characters
    assert files[0].stat().st_mtime_ns == mtime


def test_a_heading_expectation_is_matched_normalized_like_the_text() -> None:
    """A set names a heading in Simplified, without its punctuation; the collection writes
    it in Traditional, with a question mark: it is the same heading."""
    from bench.relevance import text_hits

    query = {"q": "BarberShop 值不值得一试", "heading": ["barbershop是否值得一试"]}
    assert text_hits("去过很多家。", ["理髮", "BarberShop 是否值得一試？"], query)
    assert not text_hits("去过很多家。", ["理发", "BarberShop 在哪里"], query)
