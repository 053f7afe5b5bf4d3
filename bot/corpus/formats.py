"""Source formats: which files become documents, and what reads each one.

    fmt = format_for("post.md")                      # importer.MARKDOWN
    doc = fmt.parse(path, root, site, problems)      # -> ParsedDocument

A format is a small object meeting `SourceFormat`: a name, the file suffixes it reads, and
`parse`, which turns one file into a `ParsedDocument` (raising ImportProblem to skip it).
`load_corpus` has the walker yield the files `is_source` accepts and asks `format_for`
which format reads each, so another format (Org, reStructuredText) is one module and one
line in FORMATS. Markdown is the first: `importer.py` and `markdown.py` read it, and the
site generators' rules (`generators.py`) apply to it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from bot.corpus.importer import MARKDOWN, Note, ParseCache
from bot.corpus.site import SiteConfig
from bot.models import ParsedDocument, Problem


class SourceFormat(Protocol):
    """One kind of source file."""

    name: str
    suffixes: frozenset[str]  # lower case, with the dot

    def parse(
        self,
        path: Path,
        root: Path,
        site: SiteConfig,
        problems: list[Problem] | None = None,
        *,
        max_file_bytes: int,
        cache: ParseCache | None = None,
        notes: list[Note] | None = None,
    ) -> ParsedDocument:
        """Import one file. Raises ImportProblem if it has to be skipped."""
        ...


FORMATS: tuple[SourceFormat, ...] = (MARKDOWN,)
SUFFIXES = frozenset(suffix for fmt in FORMATS for suffix in fmt.suffixes)


def format_for(name: str | Path) -> SourceFormat | None:
    """The format that reads a file of this name (by its suffix), if any."""
    suffix = os.path.splitext(str(name).lower())[1]
    return next((fmt for fmt in FORMATS if suffix in fmt.suffixes), None)


def is_source(name: str) -> bool:
    return os.path.splitext(name.lower())[1] in SUFFIXES
