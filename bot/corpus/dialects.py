"""Markup of the other generators, reduced to what the Hexo pass and markdown-it read.

A line-for-line pass (the line count never changes, so reported line numbers stay true) run
before `hexo_tags.preprocess`. Outside fenced code and inline code it:

* drops VitePress / markdown-it-container fences (`::: tip 提示`, `:::`, `:::: code-group`),
  keeping what they hold; drops `[[toc]]` and `<<< @/snippet` import lines;
* on a Jekyll or Hexo site, reads `###标题` (no space) as kramdown and old marked do: a
  heading;
* drops kramdown attribute lists and extensions (`{:toc}` with the `* TOC` line it turns
  into a table of contents, `{: .class}`, `{::options /}`, `{::comment}...{:/comment}`);
* turns Hugo shortcodes into tags the Hexo pass already understands: `{{< name args >}}` and
  `{{% name %}}` become `{% name args %}`, `{{< /name >}}` becomes `{% endname %}`, so the
  inner text of paired shortcodes stays and code-like ones (`highlight`) go; shortcodes we
  do not know are listed for `check`;
* reads Obsidian-style `[[page|text]]` links as their text and drops `![[embeds]]` and the
  `[!note]` marker of a callout;
* drops the `!!! note "标题"` line of an MkDocs admonition and un-indents its body (which
  Markdown would otherwise read as indented code);
* reads a line that is one HTML heading (`<h3>目录</h3>`, `<center><h3>2</h3></center>`) as
  the Markdown heading it renders as, after a blank line (not inside an HTML element).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.corpus.hexo_tags import KNOWN_PAIRED, code_spans, quoted_tag_arguments
from bot.corpus.text import is_wide

_FENCE_OPEN = re.compile(r"^[ \t>]*(`{3,}|~{3,})(.*)$")
_CONTAINER = re.compile(r"^[ \t>]*:{3,}(?:\s|$)|^[ \t>]*:{3,}[A-Za-z][\w-]*")
# `::: tip 卡在加载页面怎么办？`: VitePress and VuePress show a custom container's title above
# its text (220 titled containers over three sites were missing). `{…}` after it is markup.
_TITLED_CONTAINER = re.compile(r"^([ \t>]*):{3,}[ \t]*([A-Za-z][\w-]*)[ \t]([^\n]*)$")
_CONTAINER_ATTRS = re.compile(r"\{[^{}]*\}$")
_CONTAINERS_WITH_TITLES = frozenset(
    {"info", "tip", "warning", "danger", "details", "note", "important", "caution"}
)
_TOC_LINE = re.compile(r"^\s*(?:\[\[?toc\]\]?|\[TOC\])\s*$", re.IGNORECASE)
_SNIPPET = re.compile(r"^\s*<<<\s*@?/?\S+")
_IAL_LINE = re.compile(r"^[ \t>]*\{:{1,2}[^}\n]{0,300}\}\s*$")
_IAL_TRAILING = re.compile(r"[ \t]*\{:[^}\n]{0,300}\}\s*$")
_IAL_SPAN = re.compile(r"\{:(?:[ \t]*[.#\w][^{}\n]{0,300})?\}")
_IAL_TOC = re.compile(r"^[ \t>]*\{:\s*(?:toc|\.toc)\s*\}\s*$", re.IGNORECASE)
_TOC_ITEM = re.compile(r"^\s*(?:[*+-]|\d+\.)\s+\S.{0,20}$")
# kramdown (Jekyll, its own input) needs no space after an ATX heading's hashes, where
# CommonMark (markdown-it) does: `###十九、不用就忘倾向` is a heading on a Jekyll site (281
# of 385 posts of one blog write them so). So did Hexo's renderer (marked) until 2017, and
# old Hexo posts keep them: `#音乐`, `####使用XDebug调试` (78 of 382 posts of one blog, 1 of
# 253 of another; no line of the other Hexo sites we read starts so but a heading). Like
# kramdown, only after a blank line or at the start of the body; and only what reads as a
# heading, since today's renderers need the space and such a line may be text: no `#` in
# it (a Weibo topic, `#每日一句# 人生…`), at most 40 characters; and after a single `#`,
# which starts text more often than two do, a title rather than a sentence (30 characters,
# no 。or ！ at its end; a question is a common title) and not a number (`#1 第一件事…`).
# Numbered headings (`##1、爱情的认识`, `###3.1.1加速传感器的原理`) are headings.
_HEADING_WITHOUT_SPACE = re.compile(r"^(#{1,6})([^#\s][^#]{0,39})$")
_SINGLE_HASH_TEXT = re.compile(r"^(?:\d+\s|.{31,}$|.*[。！!…]$)")
# Inside a block-level HTML element kramdown reads its lines as raw HTML (parse_block_html is
# off by default) up to the element's close tag, and so did old Hexo's marked (an element
# with its close tag is one HTML block): `#标签` there is text, not a heading. Not where no
# close tag follows (an unclosed <p> or <details>), nor with markdown="1", which asks
# kramdown to read the inside as Markdown. `<script>`, `<style>` and `<textarea>` hold raw
# text to their close tag in kramdown too (its raw content model): a counter's JavaScript
# after a blank line was read as two paragraphs of prose.
_HTML_BLOCK_OPEN = re.compile(
    r"^ {0,3}<(div|details|section|table|center|blockquote|figure|aside|pre|p|ul|ol|dl"
    r"|script|style|textarea)"
    r"(?=[\s>])([^>]*)>",
    re.IGNORECASE,
)
_HTML_CLOSE = re.compile(r"</([a-z]+)\s*>")
_RAW_TEXT_CLOSE = {tag: re.compile(rf"</{tag}\s*>") for tag in ("script", "style", "textarea")}
_KEEP_HTML_BLOCK = "<span></span>"
_QUOTE_MARKS = re.compile(r"^(?:[ \t]{0,3}>)+[ \t]?")
# A line that is one HTML heading, perhaps inside a centring element on the same line. Every
# generator renders it as a heading; markdown-it made it an HTML block whose text ran into
# the next passage ("…好好追我。」\n3": a story's numbered parts) and which swallowed the
# Markdown lines after it up to a blank line (a list of links left as `[35-00 前言](…)`),
# where kramdown ends the element at its close tag.
_HTML_HEADING = re.compile(
    r"^ {0,3}(?:<(center|div|p)(?:\s[^<>]*)?>\s*)?<h([1-6])(\s[^<>]*)?>(.{1,200}?)</h\2\s*>"
    r"(?:\s*</\1\s*>)?$",
    re.IGNORECASE,
)
_HTML_HEADING_MAX = 600  # characters: a longer line is no lone heading (and costs nothing)
_ID = re.compile(r"""\sid\s*=\s*["']?([^"'\s>]{1,100})""", re.IGNORECASE)
# The title above a table of contents, which has no text of its own.
_CONTENTS_TITLES = frozenset(
    {"目录", "目錄", "文章目录", "本文目录", "contents", "table of contents", "toc"}
)
_INNER_TAG = re.compile(r"<[^<>]{0,200}>")
_KRAMDOWN_COMMENT_OPEN = re.compile(r"^\s*\{::comment\}")
_KRAMDOWN_COMMENT_CLOSE = re.compile(r"\{:/(?:comment)?\}")
_SHORTCODE = re.compile(
    r"\{\{([<%])\s*(/?)\s*(?:/\*.*?\*/\s*)?([A-Za-z_][\w./-]*)?(.*?)\s*/?\s*[>%]\}\}"
)
_ESCAPED_SHORTCODE = re.compile(r"\{\{[<%]/\*.*?\*/[>%]\}\}")
_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n|]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]")
_ADMONITION = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?)\s*[\w-]+")
_CALLOUT = re.compile(r"^(\s*(?:>\s*)+)\[![A-Za-z-]+\][+-]?.*$")

# Hugo's own shortcodes and those most themes ship; anything else is reported by `check`.
KNOWN_SHORTCODES = frozenset(
    [
        "figure",
        "gist",
        "highlight",
        "instagram",
        "param",
        "ref",
        "relref",
        "tweet",
        "twitter",
        "vimeo",
        "youtube",
        "x",
        "details",
        "qr",
        "comment",
        "notice",
        "hint",
        "alert",
        "tabs",
        "tab",
        "expand",
        "mermaid",
        "katex",
        "math",
        "admonition",
        "callout",
        "img",
        "image",
        "bilibili",
        "music",
        "audio",
        "video",
        "blockquote",
        "quote",
        "center",
        "raw",
        "columns",
        "column",
        "button",
        "badge",
        "link",
        "toc",
        "code",
        "chart",
        "include",
        "aplayer",
        "meting",
        "douban",
        "netease",
        "spoiler",
        "collapse",
        "note",
        "warning",
        "tip",
        "info",
        "danger",
        "caution",
        "important",
    ]
)


@dataclass(slots=True)
class Dialects:
    lines: list[str]
    unknown_shortcodes: dict[str, int] = field(default_factory=dict)  # name -> first line


_HUGO_QUOTES = frozenset({"quote", "blockquote"})
_NAMED_ARG = re.compile(r'([A-Za-z_]\w*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
_QUOTED_ARG = re.compile(r'"([^"]+)"|\'([^\']+)\'')


def _hugo_quote_credit(args: str) -> str:
    """A Hugo quote shortcode's arguments as Hexo's `{% blockquote author, source %}` reads
    them. Hugo has no quote of its own: each theme's takes what it likes. Named ones say
    what they are (`author="…" source="…"`); a quoted string is a name; bare words are
    the theme's styles (MemE's `{{< quote poetry en >}}`: CSS classes, which became a
    credit line "—— poetry en" under 42 passages of io-oi.me)."""
    named = {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
        for m in _NAMED_ARG.finditer(args)
    }
    if named:
        author = named.get("author") or named.get("by") or named.get("name") or ""
        source = named.get("source") or named.get("cite") or named.get("title") or ""
    else:
        quoted = [m.group(1) or m.group(2) for m in _QUOTED_ARG.finditer(args)]
        author, source = [*quoted, "", ""][:2]
    author, source = author.replace(",", " ").strip(), source.strip()
    return f"{author}, {source}" if author and source else author or source


# hugo-book's `{{< columns >}}` puts `<--->` between its columns: a break, not text
# ("山与湖之间\n‹-调教好了…" on 47 of mtfront's posts).
_COLUMN_BREAK = "<--->"
_CLOSING_SHORTCODE = re.compile(r"\{\{[<%]\s*/\s*([A-Za-z_][\w./-]*)")
_PATHLIKE = re.compile(r"[/\\]|\.(?:jpe?g|png|gif|webp|svg|mp[34]|pdf)$", re.IGNORECASE)


def closed_shortcodes(lines: list[str]) -> set[str]:
    """Names of the shortcodes some `{{< /name >}}` closes in these lines: in Hugo, only
    those take content; any other is standalone, with or without its `/>}}`."""
    return {m.group(1) for line in lines if "{{" in line for m in _CLOSING_SHORTCODE.finditer(line)}


# Bare words a theme's shortcode takes for where or how to show its text, not text: MemE's
# `{{< align right "二〇二二年三月十日" >}}` showed "right 二〇二二年三月十日".
_STYLE_WORDS = frozenset(
    {"left", "right", "center", "centre", "justify", "top", "bottom", "middle", "open"}
)


def _shown_args(args: str) -> str:
    """The positional arguments of a theme's shortcode, as the words it most likely shows:
    MtF.wiki's `{{< wiki 幸存者偏差 >}}`, `{{< currency 30000 THB >}}`, `{{< ruby 处方药
    "prescription" >}}` (185 of them in its Chinese pages) left gaps in sentences
    ("由于「」效应的存在"). Named ones (`src="…"`), paths or file names and a bare word of
    layout (`right`) are not words."""
    return " ".join(
        word
        for word, quoted in quoted_tag_arguments(_NAMED_ARG.sub(" ", args))
        if word and not _PATHLIKE.search(word) and not (not quoted and word.lower() in _STYLE_WORDS)
    )


def _shortcodes(line: str, lineno: int, unknown: dict[str, int], closed: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        closing, name, args = match.group(2), match.group(3) or "", match.group(4).strip()
        if not name:
            return ""
        if name not in KNOWN_SHORTCODES:
            unknown.setdefault(name, lineno)
        if closing:
            return "{% end" + name + " %}"
        if name in _HUGO_QUOTES:
            args = _hugo_quote_credit(args)
        tag = "{% " + name + (" " + args if args else "") + " %}"
        if name in closed:
            return tag
        # Standalone. A theme's own, inside a sentence or showing words of the page's
        # language, shows its arguments; Hugo's and the common ones are read by hexo_tags
        # (a figure's caption, nothing for a video), closed at once where Hexo has a paired
        # tag of that name, which would open a block (a `{{< gallery pattern="…" />}}`, read
        # as Hexo's gallery, took the rest of 9 of MtF.wiki's files).
        if name not in KNOWN_SHORTCODES:
            shown = _shown_args(args)
            inline = line[: match.start()].strip() or line[match.end() :].strip()
            if shown and (inline or any(is_wide(char) for char in shown)):
                return f" {shown} " if not is_wide(shown[0]) else shown
            return ""
        return tag + "{% end" + name + " %}" if name in KNOWN_PAIRED else tag

    line = _ESCAPED_SHORTCODE.sub("", line)
    return _SHORTCODE.sub(replace, line)


def _strip_span_ial(text: str) -> str:
    return _IAL_SPAN.sub("", text)


def _wikilinks(line: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return ""  # ![[picture.png]]: an embed
        if match.group(3):
            return match.group(3)
        target = match.group(2).split("#", 1)[0].rsplit("/", 1)[-1]
        return target or match.group(2).lstrip("#")

    return _WIKILINK.sub(replace, line)


def _outside_code(line: str, transform: Callable[[str], str]) -> str:
    spans = code_spans(line)
    if not spans:
        return transform(line)
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(transform(line[pos:start]))
        parts.append(line[start:end])
        pos = end
    parts.append(transform(line[pos:]))
    return "".join(parts)


class _Transform:
    def __init__(self, lineno: int, unknown: dict[str, int], closed: set[str]) -> None:
        self.lineno = lineno
        self.unknown = unknown
        self.closed = closed

    def __call__(self, text: str) -> str:
        if "{{" in text:
            text = _shortcodes(text, self.lineno, self.unknown, self.closed)
        if "[[" in text:
            text = _wikilinks(text)
        return text


def _html_block(
    line: str, index: int, block: tuple[str, int] | None, last_close: dict[str, int]
) -> tuple[str, int] | None:
    """The block-level HTML element open after `line` (its tag, how deep it nests), given
    the one open before it; `last_close`: the last line each tag is closed on."""
    if block is None:
        opened = _HTML_BLOCK_OPEN.match(line)
        if opened is None:
            return None
        tag, attributes = opened.group(1).lower(), opened.group(2)
        if attributes.rstrip().endswith("/") or "markdown=" in attributes.lower():
            return None
        if last_close.get(tag, -1) < index:
            return None  # never closed: kramdown's reading of the rest is anyone's guess
        block = (tag, 0)
        start = opened.end()
    else:
        start = 0
    tag, depth = block
    lowered = line.lower()
    if tag in _RAW_TEXT_CLOSE:
        # Raw text ends at its first close tag, nested in nothing: a script that writes
        # '<script src=…><\/script>' opens no second element (kramdown, browsers).
        return None if _RAW_TEXT_CLOSE[tag].search(lowered, start) else (tag, 1)
    opens = len(re.findall(rf"<{tag}(?=[\s>])", lowered))
    closes = sum(1 for name in _HTML_CLOSE.findall(lowered) if name == tag)
    depth += opens - closes
    return (tag, depth) if depth > 0 else None


def _last_closes(lines: list[str]) -> dict[str, int]:
    """The last line each HTML tag is closed on."""
    last: dict[str, int] = {}
    for index, line in enumerate(lines):
        if "</" in line:
            for name in _HTML_CLOSE.findall(line.lower()):
                last[name] = index
    return last


def rewrite(
    lines: list[str],
    first_line: int = 1,
    attrs: tuple[str, str] | None = None,
    *,
    headings_without_space: bool = False,
    html_blocks_to_close: bool = False,
    image_text: str | None = None,
) -> Dialects:
    """Rewrite the body's lines; `first_line` is the file line of lines[0]. `attrs`: the
    site's own attribute-list delimiters (`%{`, `}%`), turned into `{`, `}`.
    `headings_without_space`: the site's Markdown reads `###标题` as a heading (see
    _HEADING_WITHOUT_SPACE), except inside an HTML element (see _HTML_BLOCK_OPEN).
    `html_blocks_to_close`: an HTML element runs to its close tag across blank lines, as
    kramdown (either input) and old marked read it; implied by `headings_without_space`.
    `image_text`: what of an image the site prints beside it ("alt", "title" or both, see
    hugo.image_text_shown): those words follow the image as text."""
    html_blocks_to_close = html_blocks_to_close or headings_without_space
    if attrs is not None and attrs != ("{", "}"):
        left, right = attrs
        lines = [
            line.replace(left, "{").replace(right, "}") if left in line else line for line in lines
        ]
    out = list(lines)
    unknown: dict[str, int] = {}
    fence: tuple[str, int] | None = None
    in_comment = False
    admonition: str | None = None  # the indentation an admonition's body needs
    html_block: tuple[str, int] | None = None  # an open HTML element and its nesting depth
    last_close = _last_closes(lines) if html_blocks_to_close else {}
    closed = closed_shortcodes(lines)
    image_words = _ImageText(image_text) if image_text else None
    for index, line in enumerate(lines):
        if admonition is not None:
            if line.startswith(admonition):
                line = line[len(admonition) :]
                out[index] = line
            elif line.strip():
                admonition = None
        if fence is not None:
            stripped = line.strip().lstrip(">").strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= fence[1]:
                fence = None
            continue
        if in_comment:
            out[index] = ""
            if _KRAMDOWN_COMMENT_CLOSE.search(line):
                in_comment = False
            continue
        match = _FENCE_OPEN.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = (match.group(1)[0], len(match.group(1)))
            continue
        if ("!!!" in line or "???" in line) and (found := _ADMONITION.match(line)):
            out[index] = ""
            admonition = found.group(1) + "    "
            continue
        if ":" in line and _CONTAINER.match(line):
            # `::: -->` closes a container someone commented out (`<!-- ::: info`): the
            # comment's end stays, or everything after it would be read as a comment.
            titled = _TITLED_CONTAINER.match(line)
            if "-->" in line:
                out[index] = line[line.index("-->") :]
            elif (
                titled
                and titled.group(2).lower() in _CONTAINERS_WITH_TITLES
                and (title := _CONTAINER_ATTRS.sub("", titled.group(3).strip()).strip())
            ):
                # Its own line on the page: two trailing spaces break the line if text
                # follows at once, and are nothing before a blank line.
                out[index] = f"{titled.group(1)}{title}  "
            else:
                out[index] = ""
            continue
        if "{:" in line:
            if _KRAMDOWN_COMMENT_OPEN.match(line):
                in_comment = not _KRAMDOWN_COMMENT_CLOSE.search(line)
                out[index] = ""
                continue
            if _IAL_LINE.match(line):
                # `* TOC` + `{:toc}` is kramdown's table of contents: neither is text.
                if _IAL_TOC.match(line) and index and _TOC_ITEM.match(lines[index - 1]):
                    out[index - 1] = ""
                    _drop_toc_title(out, index - 1)
                out[index] = ""
                continue
            if not line.lstrip().startswith("#"):  # a heading keeps `{: #id}` for its anchor
                line = _IAL_TRAILING.sub("", line)
                if "{:" in line:  # a span IAL: `*word*{: data-tooltip="..."}` mid-line
                    line = _outside_code(line, _strip_span_ial)
        if _TOC_LINE.match(line) or _SNIPPET.match(line) or line.strip() == _COLUMN_BREAK:
            out[index] = ""
            continue
        if "[!" in line and _CALLOUT.match(line):
            out[index] = _CALLOUT.sub(r"\1", line)
            continue
        if "{{" in line or "[[" in line:
            line = _outside_code(line, _Transform(index + first_line, unknown, closed))
        if image_words and "![" in line and not line.lstrip().startswith("#"):
            # (not in a heading: its words, and its id, are the heading's own)
            line = _outside_code(line, image_words)
        # In a blockquote (`> <table>`, a letter quoted whole) the element is read the same
        # way inside the quote's markers.
        quoted = _QUOTE_MARKS.match(line) if html_blocks_to_close and ">" in line else None
        marks = quoted.group(0) if quoted else ""
        inner = line[len(marks) :]
        if html_blocks_to_close and html_block is not None and not inner.strip():
            # A blank line inside the element: kramdown reads on to its close tag, where
            # CommonMark ends the HTML block and reads the indented lines after it as code
            # (a post pasted from a web editor into 30 nested <div>s lost all but its first
            # sentence). An empty element keeps the block whole and says nothing (a comment
            # would not: hexo_tags blanks a line that is one).
            out[index] = marks + _KEEP_HTML_BLOCK
            continue
        if html_blocks_to_close and (html_block is not None or "<" in line):
            html_block = _html_block(inner, index, html_block, last_close)
        if (
            headings_without_space
            and html_block is None
            and line.startswith("#")
            and (index == 0 or not lines[index - 1].strip())
        ):
            heading = _HEADING_WITHOUT_SPACE.match(line.rstrip())
            if heading and not (
                heading.group(1) == "#" and _SINGLE_HASH_TEXT.match(heading.group(2))
            ):
                line = f"{heading.group(1)} {heading.group(2)}"
        if "<" in line and html_block is None and (index == 0 or not lines[index - 1].strip()):
            line = _html_heading(line)
        out[index] = line
    return Dialects(out, unknown)


# `![alt](src "title")`: what is inside the parentheses is read apart (`_IMAGE_TITLE`), so
# that no two quantifiers share the spaces of a long line.
_IMAGE = re.compile(r"!\[([^\[\]\n]{0,500})\]\(([^()\n]{0,2500})\)")
_IMAGE_TITLE = re.compile(r"""[ \t](?:"([^"\n]*)"|'([^'\n]*)')$""")


class _ImageText:
    """`![alt](src "title")` followed by the words the site shows with it, a line of their
    own."""

    def __init__(self, shown: str) -> None:
        self.alt = "alt" in shown.split()
        self.title = "title" in shown.split()

    def __call__(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            titled = _IMAGE_TITLE.search(match.group(2).strip())
            title = (titled.group(1) or titled.group(2) or "").strip() if titled else ""
            alt = match.group(1).strip()
            words = [w for w, wanted in ((alt, self.alt), (title, self.title)) if w and wanted]
            # A line of its own under the picture (hugo-book's block-level image-desc): line
            # breaks on either side keep it from the sentences around it.
            return match.group(0) + "".join(f"<br>{word}<br>" for word in words)

        return _IMAGE.sub(replace, text)


def _drop_toc_title(out: list[str], toc: int) -> None:
    """Drop the heading right above a table of contents (`<h3>目录</h3>`, a blank line, then
    kramdown's `- TOC` + `{:toc}`): the contents' title, with no text of its own, under which
    every heading of the post would otherwise be nested ("目录/核心亮点1/Facts")."""
    above = toc - 1
    while above >= 0 and above >= toc - 2 and not out[above].strip():
        above -= 1
    if above < 0 or not out[above].lstrip().startswith("#"):
        return
    title = re.sub(r"\s*\{[^{}]*\}\s*$", "", out[above].strip().lstrip("#")).strip()
    if title.lower().rstrip(":：") in _CONTENTS_TITLES:  # not a section of text (## 前言)
        out[above] = ""


def _html_heading(line: str) -> str:
    """`<h3>目录</h3>` as `### 目录`; any other line as it is. The heading keeps the id the
    element gives it (`<h2 id="intro">` as `{#intro}`), else it gets none (`{#}`): no
    generator gives a raw HTML heading an id of its own."""
    if len(line) > _HTML_HEADING_MAX:
        return line
    found = _HTML_HEADING.match(line.rstrip())
    if found is None:
        return line
    text = " ".join(_INNER_TAG.sub("", found.group(4)).split())
    if not text or "<" in text or ">" in text:
        return line
    given = _ID.search(found.group(3) or "")
    return "#" * int(found.group(2)) + f" {text} {{#{given.group(1) if given else ''}}}"
