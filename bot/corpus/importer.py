"""Build ParsedDocuments from Markdown files: the importer's entry points."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from bot.corpus.attribution import Attribution, host_name, parse_line
from bot.corpus.errors import CorpusConfigError, ImportProblem
from bot.corpus.files import decode, iter_markdown_files, read_bytes
from bot.corpus.frontmatter import FrontMatter, read_fields, split_front_matter
from bot.corpus.hexo_tags import preprocess
from bot.corpus.markdown import Block, Line, RawSection, parse_body
from bot.corpus.permalink import AnchorMaker, post_url, with_anchor
from bot.corpus.site import SiteConfig, load_site_config
from bot.corpus.text import is_meaningful, is_wide, scrub, split_long
from bot.models import (
    Document,
    ImportResult,
    ParsedDocument,
    Passage,
    PassageKind,
    Problem,
    Section,
)

DEFAULT_MAX_FILE_BYTES = 5_000_000
_FULL_WIDTH_INDENT = "\u3000"
_MAX_WARNINGS = 10
# markdown-it-py costs ~10-40 us a line; past this a file is machine-made, not a post, and
# would take minutes. A 5 MB book with one paragraph per line has ~20,000 lines.
MAX_LINES = 200_000


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _paragraphs(lines: list[Line]) -> list[tuple[str, int]]:
    """Join a block's lines into paragraphs: a hard break or a line indented with full-width
    spaces starts a new one (one-paragraph-per-line Chinese text); soft breaks join, with a
    space only between non-CJK characters. Parts are collected in a list, not by repeated
    string concatenation, so a paragraph of a million lines stays linear."""
    out: list[tuple[str, int]] = []
    parts: list[str] = []
    start = 0
    for line in lines:
        if (line.hard or line.text.startswith(_FULL_WIDTH_INDENT)) and parts:
            out.append(("".join(parts), start))
            parts = []
        piece = line.text.strip()
        if not piece:
            continue
        if not parts:
            start = line.line
        elif not (is_wide(parts[-1][-1]) or is_wide(piece[0])):
            parts.append(" ")
        parts.append(piece)
    if parts:
        out.append(("".join(parts), start))
    return out


class _PassageBuilder:
    """Turns blocks into passages, taking attribution lines out as it goes."""

    def __init__(self, parents: list[int | None]) -> None:
        self.parents = parents
        self.own = [Attribution() for _ in parents]
        # True until a section has a passage: its first blocks may still be attributions.
        self.leading = [True] * len(parents)
        self.passages: list[Passage] = []

    def _trailing_attribution(self, block: Block) -> bool:
        """A block of nothing but attribution lines after the text (本文转载自… at the end of
        a repost) credits the article it closes: the nearest enclosing section that has an
        attribution of its own, else the whole document. It fills only what is missing."""
        lines = [line for line in block.lines if line.text.strip()]
        found = [parse_line(line.text.strip(), line.links) for line in lines]
        # Mid-text, "来源：…" may be prose: only a link or a short name makes it a credit.
        if not lines or not all(
            f is not None and (f.source_url or (f.author and len(f.author) <= 30)) for f in found
        ):
            return False
        target: int | None = block.section
        while target is not None and self.own[target].empty:
            target = self.parents[target]
        target = 0 if target is None else target
        for attribution in found:
            assert attribution is not None
            self.own[target] = self.own[target].merged(attribution)
        return True

    def add(self, block: Block) -> None:
        section = block.section
        # Attribution lines count in a note anywhere, and in any block (plain, quote, list)
        # that opens its section, before the section's first passage.
        may_attribute = not block.in_footnote and (
            block.kind is PassageKind.NOTE or self.leading[section]
        )
        if not may_attribute and not block.in_footnote and self._trailing_attribution(block):
            return
        kept: list[Line] = []
        break_next = False
        for line in block.lines:
            found = parse_line(line.text.strip(), line.links) if may_attribute else None
            if found is not None:
                self.own[section] = self.own[section].merged(found)
                break_next = True  # text on either side of it must not be joined
                continue
            if break_next:
                line.hard = True
                break_next = False
            kept.append(line)
        for text, line_no in _paragraphs(kept):
            for piece in split_long(scrub(text)):
                if is_meaningful(piece):
                    self.passages.append(Passage(section, block.kind, piece, line_no))
                    self.leading[section] = False


def _resolve_sections(
    raw: list[RawSection],
    own: list[Attribution],
    fm: FrontMatter,
    site: SiteConfig,
    url: str | None,
) -> tuple[Section, ...]:
    """Give every section its resolved author and source: its own attribution, else the
    nearest ancestor's, else the front matter's, else the post's own URL with its anchor."""
    anchors = AnchorMaker()
    default_author = "、".join(fm.authors) if fm.authors else site.author
    sections: list[Section] = []
    resolved: list[Attribution] = []
    for index, item in enumerate(raw):
        parent = item.parent
        attribution = own[index]
        if parent is not None:
            attribution = attribution.merged(resolved[parent])
        resolved.append(attribution)
        anchor = anchors(item.heading) if index else None
        heading_path = () if parent is None else (*sections[parent].heading_path, item.heading)
        if attribution.source_url or attribution.source_name:
            source_url = attribution.source_url or fm.source_url or with_anchor(url, anchor)
            source_name = attribution.source_name or host_name(source_url or "")
        elif fm.source_url:
            source_url, source_name = fm.source_url, host_name(fm.source_url)
        else:
            source_url, source_name = with_anchor(url, anchor), site.title
        sections.append(
            Section(
                index=index,
                parent=parent,
                level=item.level,
                heading=scrub(item.heading),
                anchor=anchor,
                heading_path=heading_path,
                author=attribution.author or default_author,
                source_url=source_url,
                source_name=source_name,
            )
        )
    return tuple(sections)


def _build(
    path: Path, root: Path, site: SiteConfig, data: bytes, warnings: list[str]
) -> ParsedDocument:
    text = decode(data)
    line_count = text.count("\n") + 1
    if line_count > MAX_LINES:
        raise ImportProblem(f"file has {line_count:,} lines, over the {MAX_LINES:,}-line limit")
    split = split_front_matter(text)
    warnings.extend(split.warnings)
    fm = read_fields(split.data)
    warnings.extend(fm.warnings)
    body_lines = split.body.split("\n")
    pre = preprocess(body_lines, split.body_offset + 1)
    warnings.extend(pre.problems)
    try:
        body = parse_body(pre.lines, pre.line_kinds, split.body_offset)
    except RecursionError:
        raise ImportProblem("Markdown nested too deeply to parse") from None
    warnings.extend(body.problems)
    for section in body.sections:
        section.heading = scrub(section.heading)
    builder = _PassageBuilder([raw.parent for raw in body.sections])
    for block in body.blocks:
        builder.add(block)
    rel = _relative(path, root)
    url = post_url(site, rel, fm)
    first_h1 = next((s.heading for s in body.sections if s.level == 1 and s.heading), None)
    document = Document(
        path=rel,
        title=fm.title or first_h1 or path.stem,
        url=url,
        authors=fm.authors,
        date=fm.date_text,
        updated=fm.updated_text,
        tags=fm.tags,
        categories=fm.categories,
        description=fm.description,
        source_url=fm.source_url,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    sections = _resolve_sections(body.sections, builder.own, fm, site, url)
    return ParsedDocument(document, sections, tuple(builder.passages))


class ParseCache(Protocol):
    """Parses kept from a previous build, looked up by document path and parse key."""

    def get(self, path: str, parse_key: str) -> ParsedDocument | None: ...


@functools.cache
def importer_signature() -> str:
    """A hash of the importer's own source: a changed importer must not reuse old parses."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted([*package.glob("*.py"), package.parent / "models.py"]):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def parse_key(data: bytes, site: SiteConfig) -> str:
    """Everything a parse depends on: the bytes, the site settings and the importer."""
    digest = hashlib.sha256(data)
    digest.update(repr(site).encode("utf-8", "surrogateescape"))
    digest.update(importer_signature().encode())
    return digest.hexdigest()


def parse_markdown_file(
    path: Path,
    root: Path,
    site: SiteConfig,
    problems: list[Problem] | None = None,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    cache: ParseCache | None = None,
) -> ParsedDocument:
    """Import one file. Raises ImportProblem if the file has to be skipped.

    Problems that did not stop the import (an unclosed code fence, front matter that is not a
    mapping ...) are appended to `problems` if given, as Problem(..., skipped=False).
    With a `cache`, an unchanged file is taken from it instead of being parsed again.
    """
    data = read_bytes(path, max_file_bytes)
    key = parse_key(data, site)
    document = cache.get(_relative(path, root), key) if cache is not None else None
    if document is None:
        warnings: list[str] = []
        parsed = _build(path, root, site, data, warnings)
        if len(warnings) > _MAX_WARNINGS:  # one broken file must not flood the report
            more = len(warnings) - _MAX_WARNINGS
            warnings = [*warnings[:_MAX_WARNINGS], f"... and {more} more problems like these"]
        document = replace(parsed, parse_key=key, warnings=tuple(warnings))
    if problems is not None:
        rel = str(path)  # as the user named it, so they can open it
        problems.extend(Problem(rel, reason, skipped=False) for reason in document.warnings)
    return document


def load_corpus(
    paths: Sequence[Path],
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: Callable[[int, Path], None] | None = None,
    cache: ParseCache | None = None,
) -> ImportResult:
    """Import every Markdown file under `paths`; one bad file never stops the others.

    `progress(files_seen, path)` is called before each file. Problems name files by the
    path the user gave plus the rest of the way, so they can be opened as printed.
    A file named directly that is not Markdown (`corpus.yaml`) is reported as skipped.
    Raises CorpusPathError (from iter_markdown_files) if a path does not exist.
    """
    result = ImportResult()
    sites: dict[Path, SiteConfig] = {}

    def refuse(path: Path, reason: str) -> None:
        result.problems.append(Problem(str(path), reason, skipped=True))

    for path, root in iter_markdown_files(paths, refuse):
        if root not in sites:
            try:
                sites[root] = load_site_config(root)
            except CorpusConfigError as exc:
                result.problems.append(
                    Problem(exc.path, f"{exc.reason}; using defaults", skipped=False)
                )
                sites[root] = SiteConfig()
        result.files_seen += 1
        if progress is not None:
            progress(result.files_seen, path)
        try:
            document = parse_markdown_file(
                path,
                root,
                sites[root],
                result.problems,
                max_file_bytes=max_file_bytes,
                cache=cache,
            )
        except ImportProblem as exc:
            result.problems.append(Problem(str(path), exc.reason, skipped=True))
            continue
        result.documents.append(document)
    return result
