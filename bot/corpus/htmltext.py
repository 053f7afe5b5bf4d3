"""The text of raw HTML blocks: posts moved from WordPress or cnblogs are often HTML.

markdown-it hands a raw HTML block over whole; without this its words would be lost. Only
prose is taken: what is in `<pre>`, `<code>`, `<script>`, `<style>`, `<textarea>` and
`<svg>` is not, and neither is a block that is code coloured span by span (`<span
style="color: #0000ff">` on every token, as blog editors paste it). Block-level tags and
`<br>` end a paragraph. Linear: Python's HTMLParser, fed once.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = frozenset({"pre", "code", "script", "style", "textarea", "svg", "math", "template"})
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
_COLOURED = re.compile(r"<span[^>]{0,80}color\s*:", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_MAX_COLOURED_SPANS = 4
# MathJax's \( ... \) and \[ ... \] inside HTML: TeX for the renderer, not text.
_TEX = re.compile(r"\\\(.{0,2000}?\\\)|\\\[.{0,2000}?\\\]", re.DOTALL)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.parts: list[str] = []
        self.skipping = 0
        self.tables = 0
        self.rows: list[str] = []  # of the outermost open table: one passage, a row a line

    def _end_paragraph(self) -> None:
        text = _SPACE.sub(" ", _TEX.sub(" ", "".join(self.parts))).strip()
        if text:
            (self.rows if self.tables else self.paragraphs).append(text)
        self.parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._end_paragraph()
            self.tables += 1
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BREAKS:
            self._end_paragraph()
        elif tag in ("td", "th") and self.parts:
            self.parts.append(" | ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self._end_paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BREAKS:
            self._end_paragraph()
        if tag == "table" and self.tables:
            self.tables -= 1
            if not self.tables and self.rows:
                self.paragraphs.append("\n".join(self.rows))
                self.rows = []

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_paragraphs(source: str) -> list[str]:
    """The prose paragraphs of a raw HTML block (none for code, comments or embeds)."""
    if len(_COLOURED.findall(source, 0, 20_000)) > _MAX_COLOURED_SPANS:
        return []
    parser = _Text()
    parser.feed(source)
    parser.close()
    parser._end_paragraph()
    if parser.rows:  # a table never closed
        parser.paragraphs.append("\n".join(parser.rows))
    return parser.paragraphs
