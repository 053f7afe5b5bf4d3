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
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from bot.corpus.htmltext import html_paragraphs
from bot.corpus.text import drop_prefixed_tags, neutralize_angle_brackets, untag_code
from bot.models import PassageKind

#: markdown-it stops descending past this many nested containers and silently drops what
#: is deeper; we detect that and report it.
MAX_NESTING = 100
# Bounds that keep any file under the size limit within seconds and a few hundred MB
# (measured by bench/hostile.py). markdown-it-py spends microseconds on every character
# that can start markup, and some of its rules are quadratic in one paragraph (an unclosed
# `[` scans to the paragraph's end). Real posts stay far below every one of these.
_MAX_MARKUP_CHARS = 200_000  # in the whole file; past it the file is read as plain text
_MAX_BRACKET_WORK = 20_000_000  # `[` count x paragraph length, in one paragraph
_MAX_DELIMITERS = 2_000  # of one kind (`*_`, backticks, `<`) in one paragraph
_MAX_COLUMNS = 1_000  # `|` on one line; past it the line is not read as a table row
_MAX_QUOTE_DEPTH = 32
_TERMINATORS = "!#$%&*+-:<=>@[\\]^_`{}~"
# Markup characters turned into look-alikes that start nothing.
_PLAIN = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "<": "‹",
        ">": "›",
        "~": "～",
        "$": "＄",
        "\\": "＼",
        "&": "＆",
        "!": "！",
        "#": "＃",
        "%": "％",
        "+": "＋",
        "-": "－",
        ":": "：",
        "=": "＝",
        "@": "＠",
        "^": "＾",
        "{": "｛",
        "}": "｝",
    }
)
_BRACKETS = str.maketrans({"[": "［", "]": "］"})
# Block structure costs markdown-it-py tens of microseconds a line, more for list items and
# table rows, and more than linearly for very long lists. Past this estimate (microseconds)
# a file is read line by line as plain text instead: slower than 5 s is not an import.
_MAX_BLOCK_WORK = 2_500_000
_LIST_LINE = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_QUOTE_PREFIX = re.compile(r"(?:[ \t]*>)+")
_MARKERS = re.compile(
    r"^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])|#{1,6}(?=[ \t])))+[ \t]*"
)
_DEEP_QUOTE = re.compile(r"^((?:[ \t]*>){" + str(_MAX_QUOTE_DEPTH) + r"})(?:[ \t]*>)+")
_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)

# What a browser shows only when it cannot play or run the element ("Your browser does not
# support the video tag."): not the page's prose. Inline, as a line of its own in a paragraph.
_FALLBACK_TAGS = frozenset({"video", "audio", "object", "canvas", "iframe", "noscript"})
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)\s*>")

# An image or link markdown-it could not read, left as text: a destination with spaces
# (`![Vhost](/images/a.jpg --alt Don't touch me)`, an old Octopress image plugin's syntax),
# or one whose escaped parenthesis unbalanced it (`[RSA](…/RSA_(algorithm\))`). A reader
# sees a picture or a link's words there, never the markup: an image goes, a link keeps
# its words. Only in text, not in inline code, where such markup is an example.
_UNREAD_IMAGE = re.compile(r"!\[[^\[\]\n]{0,300}\]\((?:[^()\n]|\([^()\n]{0,300}\)){0,600}\)")
_UNREAD_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\((?:[^()\n]|\([^()\n]{0,300}\)){1,600}\)")
_IGNORED_INLINE = frozenset({"image", "math_inline_double", "footnote_ref"})
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
    anchor: str | None = None  # an explicit `{#id}` after the heading; "": none at all
    quote: bool = False  # made for one attributed quote (see the importer), not a heading
    # The heading's words with their spaces as typed (runs kept, ASCII spaces trimmed): what
    # kramdown makes an id of, one `-` per space ('第二版前言  June' -> '第二版前言--june').
    id_text: str | None = None


@dataclass(slots=True)
class Block:
    section: int
    kind: PassageKind
    lines: list[Line]
    in_footnote: bool = False
    table: bool = False  # one line per row
    code: bool = False  # a code block stood here (it has no lines: code is not text)
    quote: int = 0  # which blockquote (counted from 1) the block is in; 0: none
    label: bool = False  # a paragraph all in bold (`**开放性问题**`): a title over what follows
    rule: bool = False  # a thematic break (`***`, `---`) stood here: it has no lines


@dataclass(slots=True)
class ParsedBody:
    sections: list[RawSection]
    blocks: list[Block]
    problems: list[str]


def _defuse_inline(state: StateCore) -> None:
    """Before inline parsing: a paragraph whose markup would cost too much is read as text.
    `state.env["plain"]` makes every paragraph plain (a file full of markup characters)."""
    plain = bool(state.env.get("plain"))
    for token in state.tokens:
        if token.type != "inline" or not token.content:
            continue
        content = token.content
        if plain:
            token.content = content.translate(_PLAIN)
            continue
        if len(content) < 1_000:
            continue
        line = (token.map[0] if token.map else 0) + 1
        brackets = content.count("[")
        heavy = (
            content.count("*") + content.count("_") > _MAX_DELIMITERS
            or content.count("`") > _MAX_DELIMITERS
            or content.count("<") > _MAX_DELIMITERS
        )
        if heavy:
            token.content = content.translate(_PLAIN)
            state.env.setdefault("defused", []).append(line)
        elif brackets * len(content) > _MAX_BRACKET_WORK:
            token.content = content.translate(_BRACKETS)
            state.env.setdefault("defused", []).append(line)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(
        ["table", "strikethrough"]
    )
    # Inline math as pandoc and KaTeX's auto-render read it: no space just inside a dollar,
    # no digit right after the closing one. Otherwise prose with two dollars is a formula:
    # "价格从 $5 涨到 $10", and PHP's "$this-&gt;name = $name", its entity left undecoded.
    md.use(footnote_plugin).use(
        dollarmath_plugin, double_inline=True, allow_space=False, allow_digits=False
    )
    md.core.ruler.before("inline", "defuse_inline", _defuse_inline)
    return md


def _defuse_lines(lines: list[str], offset: int, problems: list[str]) -> list[str]:
    """Block-level bounds, line by line: no table of thousands of columns, no quote nested
    deeper than _MAX_QUOTE_DEPTH."""
    out = lines
    wide = deep = 0
    for index, line in enumerate(lines):
        if line.count("|") > _MAX_COLUMNS:
            if out is lines:
                out = list(lines)
            out[index] = line.replace("|", "¦")
            wide = wide or index + offset + 1
        if line.lstrip(" \t").startswith(">") and line.count(">") > _MAX_QUOTE_DEPTH:
            trimmed = _DEEP_QUOTE.sub(r"\1", line)
            if trimmed != line:
                if out is lines:
                    out = list(lines)
                out[index] = trimmed
                deep = deep or index + offset + 1
    if wide:
        problems.append(
            f"a table row with more than {_MAX_COLUMNS:,} columns (line {wide}) was read as text"
        )
    if deep:
        problems.append(
            f"quotes nested too deeply (over {_MAX_QUOTE_DEPTH} levels, line {deep}); the deeper "
            "levels were read as one"
        )
    return out


def render_inline(children: Sequence[Token], first_line: int) -> list[Line]:
    """Clean text of an inline token, one Line per source line; markup and HTML dropped."""
    lines: list[Line] = []
    parts: list[str] = []
    links: list[tuple[str, str]] = []
    open_links: list[tuple[str, list[str]]] = []
    line = first_line
    hard = True
    # A paragraph of formulas only is not prose (display math never is): its math goes.
    with_math = any(
        tok.type in ("text", "code_inline") and any(ch.isalnum() for ch in tok.content)
        for tok in children
    )

    def flush() -> None:
        lines.append(Line("".join(parts), line, hard, list(links)))
        parts.clear()
        links.clear()

    fallback = 0  # inside how many elements whose text is a fallback (see _FALLBACK_TAGS)
    for tok in children:
        kind = tok.type
        if fallback and kind in ("text", "code_inline", "math_inline"):
            continue
        if kind in ("text", "code_inline"):
            content = tok.content
            if kind == "code_inline":
                content = neutralize_angle_brackets(untag_code(content))
            else:
                if "](" in content:
                    content = _UNREAD_LINK.sub(r"\1", _UNREAD_IMAGE.sub("", content))
                if "<" in content:
                    content = neutralize_angle_brackets(drop_prefixed_tags(content))
            parts.append(content)
            if open_links:
                open_links[-1][1].append(content)
        elif kind == "math_inline" and with_math:
            # `$a$` inside a sentence is a word of it, kept as written (as inline code is):
            # without it "以$f$的方式" would read "以的方式". Display math is not kept.
            content = "$" + tok.content + "$"
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
            tag = _TAG.fullmatch(tok.content.strip())
            if tag and tag.group(2).lower() in _FALLBACK_TAGS and not tag.group(3):
                fallback = max(0, fallback - 1) if tag.group(1) else fallback + 1
            line += tok.content.count("\n")
        elif kind == "link_open":
            href = tok.attrGet("href")
            open_links.append((href if isinstance(href, str) else "", []))
        elif kind == "link_close" and open_links:
            href, texts = open_links.pop()
            links.append(("".join(texts), href))
        elif kind in _IGNORED_INLINE or kind == "math_inline":
            continue
        # em/strong/s (~~strikethrough~~) open and close tokens: the markers are not rendered.
    flush()
    return lines


def _all_bold(children: Sequence[Token]) -> bool:
    """Whether an inline run is one bold span and nothing else (spaces aside)."""
    inner = [t for t in children if not (t.type == "text" and not t.content.strip())]
    return (
        len(inner) >= 3
        and inner[0].type == "strong_open"
        and inner[-1].type == "strong_close"
        and not any(t.type in ("strong_open", "strong_close") for t in inner[1:-1])
        and not any(t.type in ("softbreak", "hardbreak") for t in inner)
    )


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
        # A heading inside a quote (a quoted poem's `> ## YOUTH`) heads the quote, not the
        # text after it: there the section the quote opened in goes on, until a heading.
        self.before_quote = 0
        self.resumed: int | None = None

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

    def _current(self) -> int:
        """The section a block here belongs to."""
        return self.resumed if self.resumed is not None else len(self.sections) - 1

    def heading(self, level: int, inline: Token) -> None:
        start = inline.map[0] if inline.map else 0
        lines = render_inline(inline.children or [], start + self.offset + 1)
        text = " ".join(line.text.strip() for line in lines).strip()
        anchor = None
        attrs = _HEADING_ATTRS.search(text)
        if attrs is not None and (attrs.group(1).startswith(("#", ".")) or "#" in attrs.group(1)):
            found = _ID_ATTR.search(attrs.group(1))
            # `{#}`: an HTML heading with no id of its own (see dialects): no anchor at all.
            anchor = found.group(1) if found else ("" if attrs.group(1).strip() == "#" else None)
            text = text[: attrs.start()].rstrip()
        if not text and anchor is None:
            # A heading of markup only (`# <span lang=EN-US></p>`, pasted from Word): the page
            # shows an empty line, and the passages after it read on under the heading
            # before, not under a nameless one ("拥抱嵌入式时代 › " over 18 passages).
            return
        parent = self._current()
        self.resumed = None
        while parent and self.sections[parent].level >= level:
            parent = self.sections[parent].parent or 0
        self.sections.append(RawSection(level, text, parent, start + self.offset + 1, anchor))
        self.section_lines.append(start + self.offset + 1)

    def paragraph(self, inline: Token) -> None:
        start = inline.map[0] if inline.map else 0
        lines = render_inline(inline.children or [], start + self.offset + 1)
        line = start + self.offset + 1
        section = self._section_at(line) if self.in_footnote else self._current()
        self.blocks.append(
            Block(
                section,
                self._kind(start),
                lines,
                self.in_footnote,
                quote=self.quote_id,
                label=_all_bold(inline.children or []),
            )
        )

    def html(self, tok: Token) -> None:
        """A raw HTML block's prose, a block per paragraph (see htmltext)."""
        start = tok.map[0] if tok.map else 0
        line = start + self.offset + 1
        section = self._current()
        for text in html_paragraphs(tok.content):
            text = neutralize_angle_brackets(text)
            self.blocks.append(
                Block(section, self._kind(start), [Line(text, line, True)], quote=self.quote_id)
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
                    self.before_quote = self._current()
                self.quote_depth += 1
            elif kind == "blockquote_close":
                self.quote_depth -= 1
                if not self.quote_depth:
                    self.quote_id = 0
                    if len(self.sections) - 1 != self.before_quote:
                        self.resumed = self.before_quote
            elif kind == "html_block":
                self.html(tok)
            elif kind == "hr":
                self.blocks.append(Block(self._current(), PassageKind.PARAGRAPH, [], rule=True))
            elif kind in _CODE_TOKENS:
                self.blocks.append(Block(self._current(), PassageKind.PARAGRAPH, [], code=True))
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
                    self._current(), self._kind(start), [], table=True, quote=self.quote_id
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


def block_work(lines: list[str]) -> float:
    """An estimate, in microseconds, of what markdown-it-py's block parse of `lines` costs
    (measured by bench/hostile.py: ~13 us a plain line, ~35 a heading, ~60 a list item or
    table row, quotes by their depth)."""
    work = 0.0
    lists = 0
    for line in lines:
        if not line:
            work += 3
            continue
        head = line[:1]
        if head in "-+*0123456789 \t" and _LIST_LINE.match(line):
            lists += 1
            work += 60
        elif head in "> \t" and (quote := _QUOTE_PREFIX.match(line)):
            work += 10 + 8 * quote.group(0).count(">")
        elif "|" in line:
            work += 60
        elif head == "#":
            work += 35
        else:
            work += 15
    # A list of tens of thousands of items costs more than linearly.
    return work + 0.002 * lists * lists


def _plain_lines(lines: list[str], kinds: Sequence[PassageKind | None], offset: int) -> ParsedBody:
    """The body line by line as text, its block markers (`-`, `>`, `#`) taken off: for files
    with more structure than can be parsed in time. Nothing is lost but the structure."""
    blocks: list[Block] = []
    for index, raw in enumerate(lines):
        text = _MARKERS.sub("", raw).strip().translate(_PLAIN)
        if text:
            kind = kinds[index] if index < len(kinds) and kinds[index] else PassageKind.PARAGRAPH
            assert kind is not None
            blocks.append(Block(0, kind, [Line(text, index + offset + 1, True)]))
    return ParsedBody([RawSection(0, "", None, 0)], blocks, [])


def parse_body(lines: list[str], kinds: Sequence[PassageKind | None], offset: int) -> ParsedBody:
    """Parse the (tag-free) body. `offset` is the number of file lines before it.

    Raises RecursionError only if markdown-it itself recurses too deep; the caller reports it.
    """
    work = block_work(lines)
    if work > _MAX_BLOCK_WORK:
        body = _plain_lines(lines, kinds, offset)
        body.problems.append(
            f"too many lines of structure (lists, tables, quotes) to parse as Markdown in "
            f"time (~{work / 1e6:.0f} s): read line by line as plain text"
        )
        return body
    problems: list[str] = []
    source = "\n".join(_defuse_lines(lines, offset, problems))
    env: dict[str, object] = {}
    markup = sum(source.count(ch) for ch in _TERMINATORS)
    if markup > _MAX_MARKUP_CHARS:
        env["plain"] = True
        problems.append(
            f"{markup:,} markup characters (over {_MAX_MARKUP_CHARS:,}): read as plain text, "
            "without links or emphasis"
        )
    tokens = _parser().parse(source, env)
    defused = env.get("defused")
    if isinstance(defused, list) and defused:
        problems.append(
            f"{len(defused)} paragraph(s) with too much markup to parse (first near line "
            f"{defused[0] + offset}) were read as plain text"
        )
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
