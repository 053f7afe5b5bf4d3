"""Build ParsedDocuments from Markdown files: the importer's entry points."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Protocol

from bot.corpus.attribution import Attribution, host_name, is_repost_credit, parse_line
from bot.corpus.dialects import rewrite
from bot.corpus.errors import ImportProblem, Withheld
from bot.corpus.files import MARKDOWN_SUFFIXES, decode, display_name, read_bytes
from bot.corpus.frontmatter import FrontMatter, read_fields, split_front_matter
from bot.corpus.generators import generator_for
from bot.corpus.hexo_tags import KNOWN_PAIRED, LIQUID_PAIRED, _without_code_spans, preprocess
from bot.corpus.jekyll import copied_as_is
from bot.corpus.markdown import Block, Line, ParsedBody, RawSection, parse_body
from bot.corpus.mdx import strip_mdx
from bot.corpus.permalink import with_anchor
from bot.corpus.shaping import CREDIT_DASHES, MIN_CHARS, Piece, is_stanza, reshape, split_rows
from bot.corpus.site import Page, PageUrl, SiteConfig
from bot.corpus.text import (
    CLOSERS,
    SENTENCE_ENDS,
    collapse_spaces,
    is_list_number,
    is_meaningful,
    is_wide,
    scrub,
    split_long,
)
from bot.corpus.vitepress import attr_delimiters
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
# Tags paired even where a file never closes them, by generator: Hexo's tag plugins,
# Liquid's block tags for Jekyll. Hugo, VitePress and MkDocs render no `{% %}` at all (a
# Hugo shortcode reaches the Hexo pass as one, paired only when the file closes it).
_PAIRED_TAGS = {"hexo": KNOWN_PAIRED, "jekyll": LIQUID_PAIRED}


def _relative(path: Path, root: Path) -> str:
    """The document's path from its corpus root, always displayable (see display_name)."""
    try:
        return display_name(path.relative_to(root).as_posix())
    except ValueError:
        return display_name(path.name)


def _site_relative(path: Path, root: Path, site: SiteConfig) -> str:
    """The path the generator's rules are written for: from the site's own folder."""
    if site.root is not None:
        try:
            full = root.resolve() / path.relative_to(root)
            return display_name(full.relative_to(site.root).as_posix())
        except ValueError:
            pass
    return _relative(path, root)


@dataclass(frozen=True, slots=True)
class Note:
    """Something `check` reports that is not a fault in the file: a page that gets no link
    and why, a shortcode we do not know, a name that is not UTF-8."""

    kind: str
    path: str
    detail: str


@dataclass(slots=True)
class CorpusImport(ImportResult):
    """ImportResult plus the notes for `check` and the sites that were read."""

    notes: list[Note] = field(default_factory=list)
    sites: dict[str, SiteConfig] = field(default_factory=dict)  # corpus root -> its site


def _paragraphs(lines: list[Line], breaks_shown: bool = False) -> list[tuple[str, int]]:
    """Join a block's lines into paragraphs: a hard break or a line indented with full-width
    spaces starts a new one (one-paragraph-per-line Chinese text); soft breaks join, with a
    space where a browser shows one (`_spaced`). Short hard-broken lines (verse) stay one
    paragraph, a line each. Parts are collected in a list, not by repeated string
    concatenation, so a paragraph of a million lines stays linear.

    `breaks_shown`: the site shows every line break (Hexo's `breaks: true`). A line after
    one that ends a sentence starts a paragraph, as it reads on the page; one that goes on
    with the sentence ('…如果 block_signing_key 里是你设置的公钥，' / '那么就激活成功了。')
    stays in it, after a line break, so neither half is a passage of its own."""
    out: list[tuple[str, int]] = []
    parts: list[str] = []
    start = 0
    for line in lines:
        piece = line.text.strip()
        shown_break = breaks_shown and bool(parts) and bool(piece)
        if (
            (line.text.startswith(_FULL_WIDTH_INDENT) and parts)
            or (line.hard and parts)
            # "—— 鲁迅" under a quote is its credit: the quote's, not a paragraph
            or (shown_break and _ends_sentence(parts[-1]) and not piece.startswith(CREDIT_DASHES))
        ):
            out.append(("".join(parts), start))
            parts = []
        if not piece:
            continue
        if not parts:
            start = line.line
        elif shown_break:
            parts.append("\n")
        elif _spaced(parts[-1][-1], piece[0]):
            parts.append(" ")
        parts.append(piece)
    if parts:
        out.append(("".join(parts), start))
    indented = any(line.text.startswith(_FULL_WIDTH_INDENT) for line in lines)
    if not indented and is_stanza([scrub(text) for text, _ in out]):
        return [("\n".join(scrub(text) for text, _ in out), out[0][1])]
    return out


# A full stop ends a sentence too where the text is in Latin letters ('…persuasive words.').
_LINE_ENDS = SENTENCE_ENDS | {"."}
_CLOSER_CHARS = "".join(CLOSERS)


def _ends_sentence(text: str) -> bool:
    """Whether the text ends a sentence (closing quotes and brackets looked through)."""
    stripped = text.rstrip().rstrip(_CLOSER_CHARS)
    return bool(stripped) and stripped[-1] in _LINE_ENDS


def _spaced(before: str, after: str) -> bool:
    """Whether a soft line break between these characters reads as a space: between two
    narrow ones, and between a wide one and a Latin letter or digit, as a browser shows it
    (CSS drops a line break between two wide characters only). dobila.info's posts read
    "安装包sudo apt-get" and "一样看不起我I wonder" joined without. Dashes and quotes in
    Chinese text (——, “) are narrow by Unicode's measure and join as the text around them."""
    wide_before, wide_after = is_wide(before), is_wide(after)
    if not wide_before and not wide_after:
        return True
    if wide_before and wide_after:
        return False
    narrow = after if wide_before else before
    return narrow.isascii() and narrow.isalnum()


def _is_navigation(lines: list[Line]) -> bool:
    """A short paragraph that is nothing but links (`[UP](../)`, `[上级目录](…)`, `Prev |
    Next`): a way around the site, not text to quote."""
    text = "".join(line.text for line in lines).strip()
    if not text or len(text) >= MIN_CHARS:
        return False
    linked = "".join(t for line in lines for t, _ in line.links)
    rest = text
    for label, _ in (link for line in lines for link in line.links):
        rest = rest.replace(label, "", 1)
    return bool(linked.strip()) and not any(ch.isalnum() for ch in rest)


_OTHER_SITE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


_READING_ENTRY_MIN_WIDE = 4


def _an_item_read_elsewhere(block: Block, lines: list[Line], own_host: str | None) -> bool:
    """A list item linking to another site under a title of its own: an entry of a reading
    list (`- [解密万达执行力](…)` in a month's books, 44 of one blog's), not a way around this
    one, however short. Not `- [GitHub](…)`, `- [微博](…)`: a page's links to its author's
    accounts, which name a site, not a work (four Chinese characters at least)."""
    if block.kind is not PassageKind.LIST_ITEM:
        return False
    if sum(is_wide(char) for line in lines for char in line.text) < _READING_ENTRY_MIN_WIDE:
        return False
    for line in lines:
        for _, href in line.links:
            href = href.strip()
            if _OTHER_SITE.match(href) and host_name(href) not in (None, own_host):
                return True
    return False


def _is_link_to_a_page(lines: list[Line], own_host: str | None) -> bool:
    """A list item that is one link into the site and nothing else (`- [推荐书单](/booklist)`,
    `- [上一篇](../2019/x.md)`, `- [商业杠杆](#商业杠杆)`), or nothing else but a date or
    number (`- 04/28 [代码之外周刊（第 139 期）](https://www.wmyskxz.cn/weekly/139)`, a link
    to the site's own address): an entry of a hand-made table of contents, a 'related posts'
    list or an archive. Its words are a title or a heading imported with its own text; as a
    passage it is found before it (bmpi.dev opens 24 pages with a list of their own
    headings: 190 passages, each a heading again, outside any section; wmyskxz.cn's weekly
    index lists 138 issues). A link to another site (a reading list) stays."""
    if len(lines) != 1 or len(lines[0].links) != 1:
        return False
    label, href = lines[0].links[0]
    text = lines[0].text.strip()
    if not label.strip() or label.strip() not in text:
        return False
    rest = text.replace(label.strip(), "", 1)
    if any(ch.isalpha() for ch in rest):  # words of its own beside the link
        return False
    href = href.strip()
    if not _OTHER_SITE.match(href):
        return True
    return own_host is not None and host_name(href) == own_host


def _only_list_numbers(lines: list[Line]) -> bool:
    texts = [line.text.strip() for line in lines if line.text.strip()]
    return bool(texts) and all(is_list_number(text) for text in texts)


def _scrub_lines(text: str) -> str:
    return "\n".join(part for line in text.split("\n") if (part := scrub(line)))


def _is_site_name(text: str) -> bool:
    """A name a credit gives as its source (知乎, 微信公众号 某某, The Atlantic), not a clause."""
    return len(text) <= 12 and not any(ch in "，,、；;：:" for ch in text)


class _PassageBuilder:
    """Turns blocks into passages, taking attribution lines out as it goes.

    An attribution inside a blockquote (`> 作者：鲁迅`) credits that quote only: the quote's
    passages go to a section of their own, under the one the quote is in, carrying that
    attribution; the blogger's own paragraphs around it keep theirs.
    """

    def __init__(
        self,
        sections: list[RawSection],
        blocks: list[Block],
        own_host: str | None = None,
        *,
        line_breaks_shown: bool = False,
    ) -> None:
        self.sections = sections
        # The site's renderer shows each line break inside a paragraph (Hexo's `breaks:
        # true`): every source line starts a new line on the page, as a hard break does.
        self.line_breaks_shown = line_breaks_shown
        self.own_host = own_host  # the site's host (host_name): a link there is into the site
        # Blockquotes that carry an attribution line: their passages go to their own section.
        self.attributed = {
            block.quote
            for block in blocks
            if block.quote and block.kind is PassageKind.QUOTE and not block.in_footnote
            if any(parse_line(line.text.strip(), line.links) for line in block.lines)
        }
        self.own = [Attribution() for _ in sections]
        # True until a section has a passage: its first blocks may still be attributions.
        self.leading = [True] * len(sections)
        self.pieces: list[Piece] = []
        self.part = 0  # thematic breaks so far (see Piece.part)
        self.quote_sections: dict[int, int] = {}  # blockquote id -> its own section
        self.credit_target: int | None = None  # the section the last block's credit went to
        self.after_credit = False  # the last line read was an attribution

    def _parent(self, index: int) -> int | None:
        return self.sections[index].parent

    def _trailing_attribution(self, block: Block) -> bool:
        """A block of nothing but attribution lines after the text (本文转载自… at the end of
        a repost) credits the article it closes: the nearest enclosing section that has an
        attribution of its own, else the whole document. It fills only what is missing.
        A reference alone (原文链接：…) names where something came from but credits nobody:
        it is taken out of the text and changes no attribution."""
        lines = [line for line in block.lines if line.text.strip()]
        found: list[Attribution | None] = []
        after = self.credit_target is not None
        for line in lines:
            found.append(parse_line(line.text.strip(), line.links, after_credit=after))
            after = found[-1] is not None
        # Mid-text, "来源：…" may be prose: only a link, a short name or a site's name (来源：
        # 知乎) makes it a credit.
        if not lines or not all(
            f is not None
            and (
                f.source_url
                or f.empty
                or (f.author and len(f.author) <= 30)
                or (f.source_name and _is_site_name(f.source_name))
            )
            for f in found
        ):
            return False
        credit = any(is_repost_credit(line.text) for line in lines) or any(
            f is not None and f.author for f in found
        )
        if not credit and self.credit_target is None:
            return True
        target: int | None = self.credit_target
        if target is None:
            target = block.section
            while target is not None and self.own[target].empty:
                target = self._parent(target)
            target = 0 if target is None else target
        for attribution in found:
            assert attribution is not None
            self.own[target] = self.own[target].merged(attribution)
        # The credit's next lines (链接：…, 来源：知乎 after 作者：…) belong to it.
        self.credit_target = target
        return True

    def _quote_section(self, block: Block) -> int:
        """The section of the attributed quote `block` is in (made on first use)."""
        index = self.quote_sections.get(block.quote)
        if index is None:
            parent = self.sections[block.section]
            index = len(self.sections)
            level = min(parent.level + 1, 6)
            self.sections.append(
                RawSection(level, "", block.section, parent.line, parent.anchor, quote=True)
            )
            self.own.append(Attribution())
            self.leading.append(False)
            self.quote_sections[block.quote] = index
        return index

    def add(self, block: Block) -> None:
        if block.rule:
            self.part += 1  # what the author set apart, nothing joins across
            return
        if block.code:
            if self.pieces and self.pieces[-1].section == block.section:
                self.pieces[-1].code_after = True
            return
        if block.table:
            rows = [_scrub_lines(line.text) for line in block.lines]
            for text in split_rows([row for row in rows if row]):
                if is_meaningful(text):
                    self._piece(block.section, block.kind, text, block.lines[0].line)
            return
        section = block.section
        in_quote = block.quote and block.kind is PassageKind.QUOTE and not block.in_footnote
        # Attribution lines count in a note anywhere, in a quote (for that quote), and in
        # any block (plain, list) that opens its section, before its first passage.
        may_attribute = not block.in_footnote and (
            block.kind is PassageKind.NOTE or self.leading[section] or bool(in_quote)
        )
        if not may_attribute and not block.in_footnote and self._trailing_attribution(block):
            return
        self.credit_target = None
        kept: list[Line] = []
        break_next = False
        for line in block.lines:
            found = (
                parse_line(line.text.strip(), line.links, after_credit=self.after_credit)
                if may_attribute
                else None
            )
            self.after_credit = found is not None
            if found is not None:
                target = self._quote_section(block) if in_quote else section
                self.own[target] = self.own[target].merged(found)
                break_next = True  # text on either side of it must not be joined
                continue
            if break_next:
                line.hard = True
                break_next = False
            kept.append(line)
        if in_quote and block.quote in self.attributed:
            section = self._quote_section(block)
        if (
            (_is_navigation(kept) and not _an_item_read_elsewhere(block, kept, self.own_host))
            or (block.kind is PassageKind.LIST_ITEM and _is_link_to_a_page(kept, self.own_host))
            # A quote's number on a line of its own: not there, as nothing is (not code, which
            # keeps the lines around it apart).
            or _only_list_numbers(kept)
        ):
            return
        placed = False
        for text, line_no in _paragraphs(kept, self.line_breaks_shown):
            for piece in split_long(_scrub_lines(text)):
                if is_meaningful(piece):
                    self._piece(section, block.kind, piece, line_no, label=block.label)
                    placed = True
        if not placed and kept and self.pieces and self.pieces[-1].section == section:
            # Nothing worth quoting (a bare URL): like code, it leaves a lead-in alone.
            self.pieces[-1].code_after = True

    def _piece(
        self, section: int, kind: PassageKind, text: str, line: int, *, label: bool = False
    ) -> None:
        self.pieces.append(Piece(section, kind, text, line, label=label, part=self.part))
        self.leading[section] = False
        if self.sections[section].quote:
            self.leading[self.sections[section].parent or 0] = False

    def passages(self) -> list[Passage]:
        shaped = reshape(self.pieces)
        per_section: dict[int, int] = {}
        for piece in shaped:
            per_section[piece.section] = per_section.get(piece.section, 0) + 1
        out: list[Passage] = []
        for piece in shaped:
            text = piece.text
            heading = scrub(self.sections[piece.section].heading)
            if len(text) < MIN_CHARS and per_section[piece.section] == 1 and heading:
                # All a section says (`## 返回值` + `void`): alone the words mean nothing,
                # with their heading they are a line worth finding.
                text = f"{heading}\n{text}"
            out.append(Passage(piece.section, piece.kind, text, piece.line))
        return out


def _resolve_sections(
    raw: list[RawSection],
    own: list[Attribution],
    fm: FrontMatter,
    site: SiteConfig,
    page: Page,
    url: str | None,
) -> tuple[Section, ...]:
    """Give every section its resolved author and source: its own attribution, else the
    nearest ancestor's, else the front matter's, else the post's own URL with its anchor.
    Anchors follow the site's generator; an explicit `{#id}` wins."""
    generator = generator_for(site)
    make_anchor = generator.anchors(site)
    default_author = "、".join(fm.authors) if fm.authors else generator.page_author(site, page)
    sections: list[Section] = []
    resolved: list[Attribution] = []
    for index, item in enumerate(raw):
        parent = item.parent
        attribution = own[index]
        if parent is not None:
            attribution = attribution.merged(resolved[parent])
        resolved.append(attribution)
        if item.quote and parent is not None:
            anchor = sections[parent].anchor
            heading_path = sections[parent].heading_path
        else:
            # An HTML heading without an id (anchor "") has none, and takes no number from
            # the generator's count of repeated ids.
            generated = (
                make_anchor(item.id_text or item.heading)
                if index and item.heading and item.anchor != ""
                else None
            )
            anchor = (generated if item.anchor is None else item.anchor or None) if index else None
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


def page_url(path: Path, root: Path, site: SiteConfig, fm: FrontMatter) -> PageUrl:
    """The page's public URL by its site's rules, or why it has none."""
    return generator_for(site).page_url(site, Page(_site_relative(path, root, site), fm))


def _page(path: Path, root: Path, site: SiteConfig, fm: FrontMatter) -> Page:
    return Page(_site_relative(path, root, site), fm)


def _reads_headings_without_space(site: SiteConfig) -> bool:
    """Whether the site's Markdown made `###标题` a heading: Jekyll's kramdown, and Hexo's
    marked before 2017 (see dialects). Not a plain folder of notes, where `#标签` at the start
    of a line is a tag."""
    if site.generator == "jekyll":
        return site.setting("headings") != "space"  # its config asks for GFM: not so
    return (
        site.generator == "hexo"
        and site.setting("layout") == "site"
        and site.setting("headings") != "space"  # its package.json's renderer needs it
    )


def _reads_html_blocks_to_close(site: SiteConfig) -> bool:
    """Whether an HTML element's lines run to its close tag across blank lines: kramdown's
    reading, with its own input and with GFM (Jekyll's default), not a CommonMark converter."""
    return site.generator == "jekyll" and site.setting("converter") != "commonmark"


# Where a site keeps its top pages, and so its 404 page: Jekyll's root, Hexo's source/, a
# VitePress or VuePress docs/ or src/ (not _wiki/404.md, a note on the status code).
_PAGE_ROOTS = frozenset({"", "source", "docs", "src"})


# The generators that leave a page with `draft: true` out of the site (Hexo and Jekyll keep
# their drafts in a folder and publish such a page: one blog's live post had it).
_DRAFT_KEY_READERS = frozenset({"hugo", "zola", "mkdocs"})
# A Liquid (Jekyll) or Nunjucks (Hexo) loop over the site's posts, pages, tags or categories.
# Not over its data files (`site.data.friends`: a page of friends' links has prose of its own).
_LISTING = re.compile(
    r"\{%-?\s*for\s+\w+\s+in\s+(?:site\.(?:posts|pages|tags|categories)|paginator\.posts)\b"
)
_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
_RAW = re.compile(r"\{%-?\s*(end)?raw\s*-?%\}")


def _lists_the_posts(body: str, path: Path) -> bool:
    """Whether a page (not a post) is a listing of the site's posts: a loop over them in its
    text, not in code or a `{% raw %}` block, where a tutorial shows one."""
    if "{%" not in body or "_posts" in path.parts:
        return False
    fence: str | None = None
    raw = False
    for line in body.split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        if "{%" not in line:
            continue
        text = _without_code_spans(line)
        outside: list[str] = []
        pos = 0
        for found in _RAW.finditer(text):
            if not raw:
                outside.append(text[pos : found.start()])
            raw = found.group(1) is None  # {% raw %} opens, {% endraw %} closes
            pos = found.end()
        if not raw:
            outside.append(text[pos:])
        if _LISTING.search(" ".join(outside)):
            return True
    return False


_AN_ID = re.compile(r"[A-Za-z0-9]{1,16}", re.ASCII)  # one token: no words to read


_HAN = re.compile(r"[\u3400-\u9fff]")
_NAMING_HEADING = 5  # characters: 前言, 背景, 基本背景 name a part, not the page


def _title_heading(body: ParsedBody, stem: str) -> str | None:
    """The page's title when its front matter gives none: its first level-1 heading, else
    the heading it opens with (`### “另类”的求职之路` before any text) when the file's name
    is an id (`mah16`, `index`), or is English words and the heading is a Chinese one long
    enough to name the page (`13-chemical.md` opening with `## 13. 一切都是化学反应`). A
    name in Chinese (`读书笔记.md`) is the better title, and so are English words over a
    generic opening (`how-to-deploy-with-docker.md` over `## 前言`)."""
    first_h1 = next((s.heading for s in body.sections if s.level == 1 and s.heading), None)
    if first_h1 is not None or _HAN.search(stem):
        return first_h1
    first_text = min((block.section for block in body.blocks), default=len(body.sections))
    opening = next((s.heading for s in body.sections[1 : first_text + 1] if s.heading), None)
    if opening is None or _AN_ID.fullmatch(stem):
        return opening
    named = _HAN.search(opening) and len("".join(opening.split())) >= _NAMING_HEADING
    return opening if named else None


# A folder's own page: every generator serves it at the folder's URL.
_FOLDER_PAGES = frozenset({"index", "readme", "_index"})


def _named_by_file(path: Path, root: Path, site: SiteConfig) -> str:
    """The title of a page that states none and opens with no heading: its file's name, or
    for a folder's own page (`book/happycity/index.md`) the folder's: 'index' names nothing.
    The site's top page (in its folder, or in the folder of its pages: source/, docs/ ...)
    takes the site's title, as every generator shows it there."""
    if path.stem.lower() not in _FOLDER_PAGES:
        return display_name(path.stem)
    folders = PurePosixPath(_site_relative(path, root, site)).parent.parts
    # Folders that hold the site's pages rather than name one: those a 404 page can be in,
    # Hugo's content/ (its 404 is a layout), the site's own (MkDocs' docs_dir, srcDir).
    pages = _PAGE_ROOTS | {"content"} | {site.setting("docs_dir"), site.setting("src_dir")}
    if not folders or (len(folders) == 1 and folders[0] in pages):
        return site.title or display_name(path.stem)
    name = folders[-1]
    return display_name(path.stem) if "\ufffd" in name else name


# VitePress's own test for a dynamic route (`[pkg].md`, `[lang]-[page].md`): a parameter of
# letters, digits or `_` in brackets. `[转载]如何写作.md` is a title, not a route.
_ROUTE_PARAM = re.compile(r"\[\w+?\]", re.ASCII)


def _build(
    path: Path,
    root: Path,
    site: SiteConfig,
    data: bytes,
    warnings: list[str],
    notes: list[Note] | None = None,
) -> ParsedDocument:
    text = decode(data)
    line_count = text.count("\n") + 1
    if line_count > MAX_LINES:
        raise ImportProblem(f"file has {line_count:,} lines, over the {MAX_LINES:,}-line limit")
    split = split_front_matter(text)
    warnings.extend(split.warnings)
    fm = read_fields(split.data)
    if fm.password_protected:
        raise Withheld("password-protected (its front matter has a password): not for every reader")
    if _lists_the_posts(split.body, path):
        # An archive, tag or index page: a template that lists the site's posts when the site
        # is built. What is left of it here is dates and titles ("置顶 关于我 JUL 22 2022"),
        # not text of its own; its posts are imported themselves.
        raise Withheld("a listing of the site's posts ({% for … in site.posts %})", "listing")
    if (
        split.body_offset == 0
        and site.generator == "jekyll"
        and copied_as_is(site, _site_relative(path, root, site))
    ):
        raise Withheld("no front matter: Jekyll copies the file as it is, not a page", "static")
    if (
        path.stem == "404"
        and (site.generator != "hexo" or site.setting("layout") == "site")  # not a folder of notes
        and PurePosixPath(_site_relative(path, root, site)).parent.name in _PAGE_ROOTS
    ):
        # The site's 'page not found' page (Jekyll's 404.md with `permalink: /404.html`,
        # VitePress' and VuePress' 404.md): what a reader sees at a broken link, not an
        # article ('Seems disappeared :(' was a passage of one blog).
        raise Withheld("the site's 'page not found' page (404)", "static")
    if site.generator == "vitepress" and _ROUTE_PARAM.search(path.stem):
        # `[pkg].md` beside `[pkg].paths.js`: VitePress builds one page per value the loader
        # returns, filling `{{ $params.pkg }}`. Alone, the template is placeholders.
        raise Withheld("a dynamic route's template ([param].md): its pages are built", "template")
    if fm.unpublished or (fm.draft and site.generator in _DRAFT_KEY_READERS):
        # Not published (`published: false`; Hugo's, Zola's and MkDocs' `draft: true`, Hugo's
        # `build.render: never`): quoting it in a group would publish it, as Hexo's
        # source/_drafts would be (not imported either).
        raise Withheld("a draft (draft: true or published: false): not published", "draft")
    warnings.extend(fm.warnings)
    body_lines = split.body.split("\n")
    if path.suffix.lower() == ".mdx":
        body_lines = strip_mdx(body_lines)
    dialects = rewrite(
        body_lines,
        split.body_offset + 1,
        attr_delimiters(site),
        headings_without_space=_reads_headings_without_space(site),
        html_blocks_to_close=_reads_html_blocks_to_close(site),
        image_text=site.setting("image_text") if site.generator == "hugo" else None,
    )
    if notes is not None:
        for name, line in dialects.unknown_shortcodes.items():
            notes.append(Note("unknown shortcode", str(path), f"{{{{< {name} >}}}} at line {line}"))
    paired = _PAIRED_TAGS.get(site.generator, frozenset())
    pre = preprocess(dialects.lines, split.body_offset + 1, paired)
    warnings.extend(pre.problems)
    try:
        body = parse_body(pre.lines, pre.line_kinds, split.body_offset)
    except RecursionError:
        raise ImportProblem("Markdown nested too deeply to parse") from None
    warnings.extend(body.problems)
    for section in body.sections:
        section.id_text = scrub(section.heading, keep_spaces=True)
        section.heading = collapse_spaces(section.id_text)
    builder = _PassageBuilder(
        body.sections,
        body.blocks,
        host_name(site.url) if site.url else None,
        line_breaks_shown=site.setting("line_breaks") == "shown",
    )
    for block in body.blocks:
        builder.add(block)
    passages = builder.passages()
    rel = _relative(path, root)
    link = page_url(path, root, site, fm)
    url = link.url
    if notes is not None and url is None:
        notes.append(Note("no link", str(path), link.reason or "no URL"))
    document = Document(
        path=rel,
        title=fm.title or _title_heading(body, path.stem) or _named_by_file(path, root, site),
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
    page = _page(path, root, site, fm)
    sections = _resolve_sections(builder.sections, builder.own, fm, site, page, url)
    return ParsedDocument(document, sections, tuple(passages))


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


def _link_note(path: Path, root: Path, site: SiteConfig, data: bytes) -> Note | None:
    """For a page taken from the cache without a URL: why it has none (its front matter is
    read again; nothing else is parsed)."""
    try:
        split = split_front_matter(decode(data))
    except ImportProblem:
        return None
    link = page_url(path, root, site, read_fields(split.data))
    return None if link.url else Note("no link", str(path), link.reason or "no URL")


def parse_markdown_file(
    path: Path,
    root: Path,
    site: SiteConfig,
    problems: list[Problem] | None = None,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    cache: ParseCache | None = None,
    notes: list[Note] | None = None,
) -> ParsedDocument:
    """Import one file. Raises ImportProblem if the file has to be skipped.

    Problems that did not stop the import (an unclosed code fence, front matter that is not a
    mapping ...) are appended to `problems` if given, as Problem(..., skipped=False); notes
    for `check` (no link and why, unknown shortcodes) to `notes`.
    With a `cache`, an unchanged file is taken from it instead of being parsed again.
    """
    data = read_bytes(path, max_file_bytes)
    key = parse_key(data, site)
    document = cache.get(_relative(path, root), key) if cache is not None else None
    if document is None:
        warnings: list[str] = []
        parsed = _build(path, root, site, data, warnings, notes)
        if len(warnings) > _MAX_WARNINGS:  # one broken file must not flood the report
            more = len(warnings) - _MAX_WARNINGS
            warnings = [*warnings[:_MAX_WARNINGS], f"... and {more} more problems like these"]
        document = replace(parsed, parse_key=key, warnings=tuple(warnings))
    elif notes is not None and document.document.url is None:
        note = _link_note(path, root, site, data)
        if note is not None:
            notes.append(note)
    if problems is not None:
        rel = display_name(str(path))  # as the user named it, so they can open it
        problems.extend(Problem(rel, reason, skipped=False) for reason in document.warnings)
    return document


class Markdown:
    """The first source format: CommonMark plus what blogs add (front matter, tag plugins,
    the site generators' markup). Meets formats.SourceFormat."""

    name = "markdown"
    suffixes = MARKDOWN_SUFFIXES

    def parse(
        self,
        path: Path,
        root: Path,
        site: SiteConfig,
        problems: list[Problem] | None = None,
        *,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        cache: ParseCache | None = None,
        notes: list[Note] | None = None,
    ) -> ParsedDocument:
        return parse_markdown_file(
            path, root, site, problems, max_file_bytes=max_file_bytes, cache=cache, notes=notes
        )


MARKDOWN = Markdown()
