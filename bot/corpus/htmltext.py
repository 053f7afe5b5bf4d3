"""The text of raw HTML blocks: posts moved from WordPress or cnblogs are often HTML.

markdown-it hands a raw HTML block over whole; without this its words would be lost. Only
prose is taken: what is in `<pre>`, `<code>`, `<script>`, `<style>`, `<textarea>` and
`<svg>` is not, nor a media element's fallback text (`<video>`, `<audio>`, `<iframe>` ...),
nor what is in an element whose class says code (`cnblogs_code`, `syntaxhighlighter`,
`brush: python`), nor code coloured span by span as blog editors paste it (`<span
style="color: #0000ff">` on every token): a box (div, p ...) holding more than a few
coloured spans, or a line with several spans of different colours. Prose that an editor
coloured (a paragraph in red, a few words in blue) is kept. Block-level tags and `<br>` end
a paragraph. Linear: Python's HTMLParser, fed once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Not prose: code, and what a browser shows only when it cannot play or run the element
# ("Your browser does not support the video tag.").
_SKIPPED = frozenset(
    {"pre", "code", "script", "style", "textarea", "svg", "math", "template"}
    | {"video", "audio", "object", "canvas", "iframe", "noscript"}
)
_BREAKS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "dd",
        "dt",
        "dl",
        "figure",
        "figcaption",
        "hr",
        "center",
        "details",
        "summary",
    ]
)
_COLOUR = re.compile(r"(?:^|;)\s*color\s*:\s*([^;]+)", re.IGNORECASE)
_CODE_CLASS = re.compile(r"code|highlight|brush|syntax|prettyprint", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_MAX_COLOURED_SPANS = 4  # in one box: more is code coloured token by token
# Boxes whose coloured spans are counted (the innermost open one gets each span).
_BOXES = frozenset({"div", "p", "blockquote", "section", "article", "center", "li"})
# MathJax's \( ... \) and \[ ... \] inside HTML: TeX for the renderer, not text.
_TEX = re.compile(r"\\\(.{0,2000}?\\\)|\\\[.{0,2000}?\\\]", re.DOTALL)


@dataclass(slots=True)
class _Box:
    tag: str
    first: int  # paragraphs made before it opened
    coloured: int = 0  # coloured spans directly in it (not in a box inside it)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.parts: list[str] = []
        self.skipping = 0
        self.tables = 0
        self.rows: list[str] = []  # of the outermost open table: one passage, a row a line
        self.colours: list[str] = []  # of the coloured spans in the paragraph so far
        self.boxes: list[_Box] = []  # open, innermost last
        self.code_tag: str | None = None  # an element with a code class being skipped
        self.code_depth = 0

    def _end_paragraph(self) -> None:
        text = _SPACE.sub(" ", _TEX.sub(" ", "".join(self.parts))).strip()
        coloured_code = len(self.colours) >= 3 and len(set(self.colours)) >= 2
        if text and not coloured_code:
            (self.rows if self.tables else self.paragraphs).append(text)
        self.parts = []
        self.colours = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.code_tag is not None:
            self.code_depth += tag == self.code_tag
            return
        if tag == "table":
            self._end_paragraph()
            self.tables += 1
        if tag in _SKIPPED:
            self.skipping += 1
            return
        values = dict(attrs)
        if _CODE_CLASS.search(values.get("class") or ""):
            self._end_paragraph()
            self.code_tag, self.code_depth = tag, 1
            return
        if tag == "span" and not self.skipping:
            colour = _COLOUR.search(values.get("style") or "")
            if colour:
                self.colours.append(colour.group(1).strip().lower())
                if self.boxes:
                    self.boxes[-1].coloured += 1
        if tag in _BREAKS:
            self._end_paragraph()
        elif tag in ("td", "th") and self.parts:
            self.parts.append(" | ")
        if tag in _BOXES:
            self.boxes.append(_Box(tag, len(self.paragraphs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS and self.code_tag is None:
            self._end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if self.code_tag is not None:
            self.code_depth -= tag == self.code_tag
            if self.code_depth <= 0:
                self.code_tag = None
            return
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BREAKS:
            self._end_paragraph()
        if tag in _BOXES:
            self._close_box(tag)
        if tag == "table" and self.tables:
            self.tables -= 1
            if not self.tables and self.rows:
                self.paragraphs.append("\n".join(self.rows))
                self.rows = []

    def _close_box(self, tag: str) -> None:
        """Close the innermost open `tag` box: a box of code coloured token by token
        loses the paragraphs it made."""
        for index in range(len(self.boxes) - 1, -1, -1):
            box = self.boxes[index]
            if box.tag == tag:
                del self.boxes[index:]
                if box.coloured > _MAX_COLOURED_SPANS:
                    del self.paragraphs[box.first :]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping and self.code_tag is None:
            self.parts.append(data)


def html_paragraphs(source: str) -> list[str]:
    """The prose paragraphs of a raw HTML block (none for code, comments or embeds)."""
    parser = _Text()
    parser.feed(source)
    parser.close()
    parser._end_paragraph()
    while parser.boxes:  # boxes never closed end with the block
        parser._close_box(parser.boxes[-1].tag)
    if parser.rows:  # a table never closed
        parser.paragraphs.append("\n".join(parser.rows))
    return parser.paragraphs
