"""The book-like corpus of `python -m bench --corpus book`, and its query mix.

The blog corpus is friendly to search: short posts, short paragraphs, few very common words.
A book is not: 《红楼梦》 (bench/data/honglou.txt.xz, public domain, see its NOTICE) has long
paragraphs (median 226 characters), one a line, full of words such as 宝玉, 说道 or 一个
that occur in thousands of passages. Each of its 120 chapters becomes a Markdown article
(front matter title and author, the chapter heading as `#`, paragraphs separated by blank
lines). A size of N× is N × 0.96 M characters (the blog corpus's unit, so sizes compare):
copy 0 is the book as written, every further copy has 3% of its CJK characters replaced by
characters drawn from the book, so copies are near-duplicates, never identical; the last
copy stops at the chapter where the size is reached.

The query mix (the same at every size, so the figures compare):

- bench/data/book-queries.yaml, written by reading the book, never from the system's output
  (the kinds of /work/notes/QUERY-WRITING.md: exact, typo, trad, keyword, heading,
  misremembered, chatter, negative);
- 200 random cuts of the text, 2 to 20 characters long (a fixed seed): a reader's remembered
  run of characters, including the short and common ones that cost a search the most.
"""

from __future__ import annotations

import json
import lzma
import random
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.text import normalize

DATA = Path(__file__).resolve().parent / "data"
BOOK = DATA / "honglou.txt.xz"
QUERIES = DATA / "book-queries.yaml"
AUTHOR = "曹雪芹"
UNIT_CHARS = 960_000  # one × of the book corpus, as of the blog corpus
PERTURB = 0.03  # share of CJK characters replaced in every copy after the first
CUTS = 200
CUT_SEED = 14
CUT_LENGTHS = (2, 20)
_VERSION = "book-corpus 1"  # bump when the corpus a size stands for changes
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A chapter heading: 第…回, then spaces, then the couplet. (The transcription repeats a few
# headings inside the text without the spaces; those stay text.)
_HEADING = re.compile(r"^第[一二三四五六七八九十百零〇]+回[ \u3000]+\S")


@dataclass(frozen=True, slots=True)
class Chapter:
    title: str
    paragraphs: tuple[str, ...]


@cache
def load_book() -> tuple[Chapter, ...]:
    """The 120 chapters of the shipped book, as written."""
    text = lzma.decompress(BOOK.read_bytes()).decode("utf-8")
    chapters: list[Chapter] = []
    title: str | None = None
    paragraphs: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())  # also turns U+3000 inside a heading into a space
        if not line:
            continue
        if _HEADING.match(line):
            if title is not None:
                chapters.append(Chapter(title, tuple(paragraphs)))
            title, paragraphs = line, []
        elif title is not None:  # the book's own title line comes before chapter one
            paragraphs.append(line)
    if title is not None:
        chapters.append(Chapter(title, tuple(paragraphs)))
    return tuple(chapters)


def render(chapter: Chapter) -> str:
    """One chapter as a Markdown article. JSON strings are valid YAML scalars."""
    head = f"---\ntitle: {json.dumps(chapter.title, ensure_ascii=False)}\nauthor: {AUTHOR}\n---\n"
    return head + f"\n# {chapter.title}\n\n" + "\n\n".join(chapter.paragraphs) + "\n"


class Perturber:
    """Replaces a share of CJK characters with characters drawn from the corpus's own
    `texts` (so by their frequency in it), deterministically for a given random generator."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.pool = [c for text in texts for c in _CJK.findall(text)]

    def text(self, text: str, rng: random.Random) -> str:
        chars: list[str] | None = None
        for match in _CJK.finditer(text):
            if rng.random() < PERTURB:
                if chars is None:
                    chars = list(text)
                chars[match.start()] = rng.choice(self.pool)
        return text if chars is None else "".join(chars)

    def chapter(self, chapter: Chapter, rng: random.Random) -> Chapter:
        return Chapter(
            self.text(chapter.title, rng), tuple(self.text(p, rng) for p in chapter.paragraphs)
        )


def _articles(size: int, seed: int) -> Iterator[tuple[str, str]]:
    """(relative path, Markdown) of the articles of an N× corpus, in order."""
    chapters = load_book()
    perturber = Perturber(p for ch in chapters for p in ch.paragraphs)
    budget = size * UNIT_CHARS
    written = 0
    copy = 0
    while written < budget:
        rng = random.Random(seed * 1_000_003 + copy)
        for number, chapter in enumerate(chapters, start=1):
            if written >= budget:
                return
            markdown = render(perturber.chapter(chapter, rng) if copy else chapter)
            written += len(markdown)
            yield f"copy{copy:03d}/{number:03d}.md", markdown
        copy += 1


def make_book_corpus(target: Path, size: int, seed: int = 1) -> int:
    """Write the N× book corpus under `target` (reused if already there); returns its
    character count."""
    wanted = f"{_VERSION} size={size} seed={seed} perturb={PERTURB} unit={UNIT_CHARS}"
    return write_corpus(target, wanted, lambda: _articles(size, seed))


def write_corpus(
    target: Path, wanted: str, articles: Callable[[], Iterator[tuple[str, str]]]
) -> int:
    """The (relative path, Markdown) of `articles()` written under `target`, unless the
    corpus there was written for the same `wanted` description; its character count."""
    stamp = target / ".bench-corpus"
    if stamp.is_file():
        recorded, _, count = stamp.read_text(encoding="utf-8").rpartition(" chars=")
        if recorded == wanted:
            return int(count)
    shutil.rmtree(target, ignore_errors=True)
    characters = 0
    for relative, markdown in articles():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        characters += len(markdown)
    # Not a Markdown file, so the importer does not read it.
    stamp.write_text(f"{wanted} chars={characters}", encoding="utf-8")
    return characters


def random_cuts(
    n: int = CUTS, seed: int = CUT_SEED, lengths: tuple[int, int] = CUT_LENGTHS
) -> list[dict[str, Any]]:
    """`n` runs of 2-20 characters cut at random places of the book's paragraphs (see
    `cuts_of`)."""
    return cuts_of([p for chapter in load_book() for p in chapter.paragraphs], n, seed, lengths)


def cuts_of(
    paragraphs: list[str], n: int, seed: int, lengths: tuple[int, int] = CUT_LENGTHS
) -> list[dict[str, Any]]:
    """`n` runs of 2-20 characters cut at random places of these paragraphs (a place is as
    likely as any other, so long paragraphs are cut more often). The length counts the
    letters and characters a search sees (punctuation inside a cut is kept, as copied, but
    not counted), so every length class gets its share. The expectation is the cut itself:
    any passage holding it answers the reader."""
    rng = random.Random(seed)
    weights: list[int] = []
    total = 0
    for paragraph in paragraphs:
        total += len(paragraph)
        weights.append(total)
    cuts: list[dict[str, Any]] = []
    while len(cuts) < n:
        paragraph = rng.choices(paragraphs, cum_weights=weights)[0]
        length = rng.randint(*lengths)
        start = rng.randrange(len(paragraph))
        if not paragraph[start].isalnum():
            continue
        end, counted = start, 0
        while end < len(paragraph) and counted < length:
            counted += paragraph[end].isalnum()
            end += 1
        cut = paragraph[start:end]
        if counted < length or len(normalize(cut)) < 2:
            continue  # ran off the end of the paragraph: draw again
        cuts.append({"kind": "cut", "q": cut, "expect": [normalize(cut)]})
    return cuts


def book_queries() -> list[dict[str, Any]]:
    """The book's query mix: the written set, then the random cuts."""
    written: list[dict[str, Any]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    return written + random_cuts()
