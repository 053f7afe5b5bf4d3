"""Walk markdown-it's token stream into sections (headings) and text blocks (paragraphs).

A block keeps its lines separately (with the links on each) because the importer still has
to pick attribution lines out of it and split it at hard line breaks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from bot.corpus.text import neutralize_angle_brackets, untag_code
from bot.models import PassageKind

#: markdown-it stops descending past this many nested containers and silently drops what
#: is deeper; we detect that and report it.
MAX_NESTING = 100
# markdown-it-py spends ~100 us on every `[` trying to read a link; a file of nothing but
# brackets would take minutes. No real post has this many, so past it they are escaped.
_MAX_BRACKETS = 20_000
_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_IGNORED_INLINE = frozenset({"image", "math_inline", "math_inline_double", "footnote_ref"})
# `## Title {#id}`, `{: #id .class}`, `{.class #id}`: kramdown, Hugo (goldmark) and VitePress.
_HEADING_ATTRS = re.compile(r"\s*\{:?\s*([^{}]{0,200})\}\s*$")
_ID_ATTR = re.compile(r"(?:^|\s)#([^\s#.{}]+)")
_CODE_TOKENS = frozenset({"fence", "code_block"})


@dataclass(slots=True)
class Line:
    """One source line of a block's inline text (split at soft and hard breaks)."""

    text: str
    line: int  # 1-based file line
    hard: bool  # starts a new paragraph: a hard break (or <br>) came before it
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class RawSection:
    level: int
    heading: str
    parent: int | None
    line: int
    anchor: str | None = None  # an explicit `{#id}` after the heading
    quote: bool = False  # made for one attributed quote (see the importer), not a heading


@dataclass(slots=True)
class Block:
    section: int
    kind: PassageKind
    lines: list[Line]
    in_footnote: bool = False
    table: bool = False  # one line per row
    code: bool = False  # a code block stood here (it has no lines: code is not text)
    quote: int = 0  # which blockquote (counted from 1) the block is in; 0: none


@dataclass(slots=True)
class ParsedBody:
    sections: list[RawSection]
    blocks: list[Block]
    problems: list[str]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(
        ["table", "strikethrough"]
    )
    md.use(footnote_plugin).use(dollarmath_plugin, double_inline=True)
    return md


def render_inline(children: Sequence[Token], first_line: int) -> list[Line]:
    """Clean text of an inline token, one Line per source line; markup and HTML dropped."""
    lines: list[Line] = []
    parts: list[str] = []
    links: list[tuple[str, str]] = []
    open_links: list[tuple[str, list[str]]] = []
    line = first_line
    hard = True

    def flush() -> None:
        lines.append(Line("".join(parts), line, hard, list(links)))
        parts.clear()
        links.clear()

    for tok in children:
        kind = tok.type
        if kind in ("text", "code_inline"):
            content = tok.content
            if kind == "code_inline":
                content = neutralize_angle_brackets(untag_code(content))
            elif "<" in content:
                content = neutralize_angle_brackets(content)
            parts.append(content)
            if open_links:
                open_links[-1][1].append(content)
        elif kind in ("softbreak", "hardbreak"):
            flush()
            line += 1
            hard = kind == "hardbreak"
        elif kind == "html_inline":
            if _BR.match(tok.content.strip()):
                flush()
                hard = True
            line += tok.content.count("\n")
        elif kind == "link_open":
            href = tok.attrGet("href")
            open_links.append((href if isinstance(href, str) else "", []))
        elif kind == "link_close" and open_links:
            href, texts = open_links.pop()
            links.append(("".join(texts), href))
        elif kind in _IGNORED_INLINE:
            continue
        # em/strong/s (~~strikethrough~~) open and close tokens: the markers are not rendered.
    flush()
    return lines


class _Walker:
    def __init__(self, kinds: Sequence[PassageKind | None], offset: int) -> None:
        self.kinds = kinds
        self.offset = offset  # file lines before the body
        self.sections = [RawSection(0, "", None, 0)]
        self.section_lines = [0]  # heading lines, ascending: for _section_at
        self.blocks: list[Block] = []
        self.quote_depth = 0
        self.list_depth = 0
        self.in_footnote = False
        self.row: list[str] | None = None
        self.row_line = 0
        self.table: Block | None = None
        self.quotes = 0  # blockquotes opened so far
        self.quote_id = 0  # the outermost open blockquote

    def _section_at(self, line: int) -> int:
        """The last section whose heading is at or before `line` (footnotes come at the end)."""
        return max(bisect_right(self.section_lines, line) - 1, 0)

    def _kind(self, body_line: int) -> PassageKind:
        region = self.kinds[body_line] if 0 <= body_line < len(self.kinds) else None
        if self.in_footnote:
            return PassageKind.NOTE
        if region is not None:
            return region
        if self.quote_depth:
            return PassageKind.QUOTE
        if self.list_depth:
            return PassageKind.LIST_ITEM
        return PassageKind.PARAGRAPH

    def heading(self, level: int, inline: Token) -> None:
        start = inline.map[0] if inline.map else 0
        lines = render_inline(inline.children or [], start + self.offset + 1)
        text = " ".join(line.text.strip() for line in lines).strip()
        anchor = None
        attrs = _HEADING_ATTRS.search(text)
        if attrs is not None and (attrs.group(1).startswith(("#", ".")) or "#" in attrs.group(1)):
            found = _ID_ATTR.search(attrs.group(1))
            anchor = found.group(1) if found else None
            text = text[: attrs.start()].rstrip()
        parent = len(self.sections) - 1
        while parent and self.sections[parent].level >= level:
            parent = self.sections[parent].parent or 0
        self.sections.append(RawSection(level, text, parent, start + self.offset + 1, anchor))
        self.section_lines.append(start + self.offset + 1)

    def paragraph(self, inline: Token) -> None:
        start = inline.map[0] if inline.map else 0
        lines = render_inline(inline.children or [], start + self.offset + 1)
        line = start + self.offset + 1
        section = self._section_at(line) if self.in_footnote else len(self.sections) - 1
        self.blocks.append(
            Block(section, self._kind(start), lines, self.in_footnote, quote=self.quote_id)
        )

    def cell(self, inline: Token) -> None:
        if self.row is not None:
            lines = render_inline(inline.children or [], 0)
            self.row.append(" ".join(line.text.strip() for line in lines).strip())

    def walk(self, tokens: Sequence[Token]) -> None:
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            kind = tok.type
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if kind == "heading_open" and nxt is not None and nxt.type == "inline":
                self.heading(int(tok.tag[1:]), nxt)
                i += 1
            elif kind == "paragraph_open" and nxt is not None and nxt.type == "inline":
                self.paragraph(nxt)
                i += 1
            elif kind == "blockquote_open":
                if not self.quote_depth:
                    self.quotes += 1
                    self.quote_id = self.quotes
                self.quote_depth += 1
            elif kind == "blockquote_close":
                self.quote_depth -= 1
                if not self.quote_depth:
                    self.quote_id = 0
            elif kind in _CODE_TOKENS:
                self.blocks.append(
                    Block(len(self.sections) - 1, PassageKind.PARAGRAPH, [], code=True)
                )
            elif kind == "list_item_open":
                self.list_depth += 1
            elif kind == "list_item_close":
                self.list_depth -= 1
            elif kind == "footnote_block_open":
                self.in_footnote = True
            elif kind == "footnote_block_close":
                self.in_footnote = False
            elif kind == "table_open":
                start = tok.map[0] if tok.map else 0
                self.table = Block(
                    len(self.sections) - 1, self._kind(start), [], table=True, quote=self.quote_id
                )
            elif kind == "table_close" and self.table is not None:
                if self.table.lines:
                    self.blocks.append(self.table)
                self.table = None
            elif kind == "tr_open":
                self.row = []
                self.row_line = tok.map[0] if tok.map else 0
            elif kind == "inline" and self.row is not None:
                self.cell(tok)
            elif kind == "tr_close" and self.row is not None:
                text = " | ".join(cell for cell in self.row if cell)
                if text and self.table is not None:
                    self.table.lines.append(Line(text, self.row_line + self.offset + 1, True))
                self.row = None
            i += 1


def parse_body(lines: list[str], kinds: Sequence[PassageKind | None], offset: int) -> ParsedBody:
    """Parse the (tag-free) body. `offset` is the number of file lines before it.

    Raises RecursionError only if markdown-it itself recurses too deep; the caller reports it.
    """
    problems: list[str] = []
    source = "\n".join(lines)
    if source.count("[") > _MAX_BRACKETS:
        source = source.replace("[", "\\[")
        problems.append(
            f"more than {_MAX_BRACKETS:,} '[' characters: links were read as plain text"
        )
    tokens = _parser().parse(source)
    walker = _Walker(kinds, offset)
    walker.walk(tokens)
    deep = [tok for tok in tokens if tok.level >= MAX_NESTING - 1]
    if deep:
        where = next((tok.map[0] for tok in deep if tok.map), None)
        at = f" near line {where + offset + 1}" if where is not None else ""
        problems.append(
            f"lists or quotes nested too deeply (over {MAX_NESTING // 2} levels){at}; "
            "the deeper content was not imported"
        )
    return ParsedBody(walker.sections, walker.blocks, problems)
