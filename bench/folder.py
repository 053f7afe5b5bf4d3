"""Any folder of Markdown as the scale benchmark's corpus: `python -m bench --corpus DIR`.

The blog and book corpora are shipped and were tuned on. A collection nobody here tuned on
says more, so the bench takes one from you: a folder of Markdown files (a blog's source, a
collection of essays) and, optionally, a query set written by reading it
(`--queries SET.yaml`, the format of bench/data/book-queries.yaml: kind, q, expect or
heading). A size of N× is N × 0.96 M characters, like the other corpora: copy 0 is the
folder as it is, every further copy has 3% of its CJK characters replaced by characters
drawn from the folder (bench/book.py's near-duplicates), and the last copy stops at the file
where the size is reached. The query mix is the set, if any, then 200 random cuts of 2 to 20
characters of the folder's paragraphs (a fixed seed), as for the book.

Measured this way on Lu Xun's essays (190 files, 0.43 M characters; a collection used for
relevance, never for speed), copied to 24 M characters: see the README's "Measuring".
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bench.book import (
    CUT_SEED,
    CUTS,
    PERTURB,
    UNIT_CHARS,
    Perturber,
    cuts_of,
    write_corpus,
)
from bot.corpus.errors import ImportProblem
from bot.corpus.frontmatter import split_front_matter

_VERSION = "folder-corpus 1"  # bump when the corpus a size stands for changes


def markdown_files(folder: Path) -> list[Path]:
    """The folder's Markdown files, in a fixed order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".markdown") and p.is_file())


# Inline Markdown a reader never sees as text: a link or image keeps its text, and what
# cannot be copied from the page (addresses, tags, footnote marks) ends a run of prose.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_NOT_PROSE = re.compile(r"https?://\S+|<[^>]*>|\[\^[^\]]*\]|`[^`]*`")


def paragraphs(folder: Path) -> list[str]:
    """The runs of prose in the folder's files (what random cuts are taken from): the body's
    blocks, without headings, code, lists, quotes, tables or HTML; links by their text; a
    web address, a tag, inline code or a footnote mark splits a block in two."""
    found: list[str] = []
    for path in markdown_files(folder):
        try:
            body = split_front_matter(path.read_text(encoding="utf-8", errors="replace")).body
        except ImportProblem:
            continue  # the importer skips it too
        for block in re.split(r"\n\s*\n", body):
            block = " ".join(block.split())
            if block.startswith(("#", "```", "-", "*", ">", "|", "<", "!")):
                continue
            for run in _NOT_PROSE.split(_LINK.sub(r"\1", block)):
                run = run.strip()
                if len(run) >= 20:
                    found.append(run)
    return found


def _copies(folder: Path, size: int, seed: int) -> Iterator[tuple[str, str]]:
    """(relative path, Markdown) of the files of an N× corpus, in order."""
    files = markdown_files(folder)
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    perturber = Perturber(texts)
    if not files or not perturber.pool:
        raise SystemExit(f"{folder}: no Markdown files with Chinese text to copy")
    budget = size * UNIT_CHARS
    written = 0
    copy = 0
    while written < budget:
        rng = random.Random(seed * 1_000_003 + copy)
        for number, (file, text) in enumerate(zip(files, texts, strict=True)):
            if written >= budget:
                return
            if copy:
                text = perturber.text(text, rng)
            written += len(text)
            yield f"copy{copy:03d}/{number:05d}-{file.name}", text
        copy += 1


def make_folder_corpus(target: Path, folder: Path, size: int, seed: int = 1) -> int:
    """Write the N× corpus of `folder` under `target` (reused if already there); returns its
    character count."""
    wanted = (
        f"{_VERSION} folder={folder.resolve()} size={size} seed={seed} perturb={PERTURB}"
        f" unit={UNIT_CHARS}"
    )
    return write_corpus(target, wanted, lambda: _copies(folder, size, seed))


def folder_queries(folder: Path, written: Path | None) -> list[dict[str, Any]]:
    """The folder's query mix: the written set (pinyin left out: the bench's peer cannot
    read it either way), then the random cuts."""
    queries: list[dict[str, Any]] = []
    if written is not None:
        loaded = yaml.safe_load(written.read_text(encoding="utf-8")) or []
        queries = [q for q in loaded if q.get("kind") != "pinyin"]
    return queries + cuts_of(paragraphs(folder), CUTS, CUT_SEED)
