"""Turn Hexo tag plugins into plain Markdown before markdown-it sees the text.

Hexo renders `{% tag %}` with Nunjucks before Markdown, so markdown-it would otherwise treat
them as text. This pass works line by line and never changes the number of lines, so the
line numbers markdown-it reports still point into the original file:

* content tags (`note`, `blockquote`, `centerquote`, `tabs`, unknown paired tags ...) lose
  their markup and keep their content; the lines they span are remembered as regions so the
  importer can tell a note's paragraphs (kind NOTE) or a quote's (kind QUOTE) from body text;
* content-free tags (`asset_img`, `codeblock` ... `endcodeblock`, `mermaid`, `grouppicture`
  ...) disappear with whatever they hold;
* inline tags with visible text (`label`, `post_link`, `btn`, `kbd` ...) become that text;
* `{{ ... }}` template expressions and whole-line HTML comments (`<!-- tab x -->`,
  `<!-- more -->`) become nothing.

Fenced code blocks and inline code spans (`` `{% note %}` ``) are left untouched: tags in
them are examples, not tags; fences are dropped later and code spans are reduced to text.
Everything is a single left-to-right scan per line (str.find), so the cost is linear in the
size of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.models import PassageKind

# Paired tags whose content is a passage of a particular kind.
_REGION_TAGS: dict[str, PassageKind] = {
    "note": PassageKind.NOTE,
    "blockquote": PassageKind.QUOTE,
    "quote": PassageKind.QUOTE,
    "centerquote": PassageKind.QUOTE,
    "cq": PassageKind.QUOTE,
    "pullquote": PassageKind.QUOTE,
}
# Paired tags whose content is code, diagrams, pictures or players: never passages.
_DROP_TAGS = frozenset(
    {
        "codeblock",
        "code",
        "mermaid",
        "grouppicture",
        "gp",
        "gallery",
        "galleryGroup",
        "math",
        "katex",
        "latex",
        "plantuml",
        "flowchart",
        "sequence",
        "echarts",
        "chart",
        "dplayer",
        "aplayer",
        "aplayerlist",
        # Jekyll's Liquid: code, comments and captured template output are not text.
        "highlight",
        "comment",
        "capture",
    }
)
# Paired tags whose content must not be searched for more tags.
_VERBATIM_TAGS = frozenset({"raw"})
# Tags known to be paired even if a broken file lacks the end tag (so we can report it).
KNOWN_PAIRED = frozenset(_REGION_TAGS) | _DROP_TAGS | _VERBATIM_TAGS | {"tabs", "subtabs"}
# Outside Hexo, the names above are not Hexo's tag plugins: a Jekyll site's own plugin
# `{% gallery path="x" %}` or a Hugo `{{< chart >}}` stands alone unless the file closes it.
# Only Liquid's own block tags are paired whatever the file says.
LIQUID_PAIRED = frozenset({"highlight", "comment", "capture", "raw"})

_MAX_DEPTH = 50
_TAG_NAME = re.compile(r"[A-Za-z_][\w-]*")
_END_NAME = re.compile(r"\{%-?\s*end([A-Za-z_][\w-]*)")
_CAPTION = re.compile(r"""(?:^|\s)caption\s*=\s*(?:"([^"]{0,500})"|'([^']{0,500})')""")
_ARG_TOKEN = re.compile(r'"([^"]*)"|\'([^\']*)\'|(\S+)')
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_URLISH = re.compile(r"^(?:https?://|/|#)")
_BACKTICKS = re.compile(r"`+")
# What may come before `<!--` for it to open an HTML block: indentation, quote markers and
# a list marker. Each repetition starts with `>`, so matching is linear.
_CONTAINER_PREFIX = re.compile(r"[ \t]*(?:>[ \t]*)*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)?")


@dataclass(frozen=True, slots=True)
class Preprocessed:
    lines: list[str]
    # The innermost note/quote region each line belongs to (None: ordinary text).
    line_kinds: list[PassageKind | None]
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    name: str
    line: int  # 0-based line of the opening tag
    mode: str  # "region", "plain", "drop" or "verbatim"
    credit: str = ""  # a quote's author and source, shown under it (see `_quote_credit`)


def tag_arguments(text: str) -> list[str]:
    """A tag's arguments: quoted strings (without their quotes) and bare words."""
    return [word for word, _ in quoted_tag_arguments(text)]


def quoted_tag_arguments(text: str) -> list[tuple[str, bool]]:
    """A tag's arguments, each with whether it was quoted."""
    return [(a or b or c, not c) for a, b, c in _ARG_TOKEN.findall(text)]


def _inline_text(name: str, args: str) -> str:
    """Visible text of a standalone tag; "" for tags that only embed or decorate."""
    if name == "label":
        _, at, text = args.partition("@")
        return text.strip() if at else ""
    if name == "kbd":
        return args.strip()
    if name in ("btn", "button"):
        parts = [p.strip() for p in args.split(",")]
        return parts[1] if len(parts) > 1 else ""
    if name == "link":
        words: list[str] = []
        for word in args.split():
            if _URLISH.match(word):
                break
            words.append(word)
        return " ".join(words)
    if name == "post_link":
        tokens = [t for t in tag_arguments(args) if t.lower() not in ("true", "false")]
        if len(tokens) > 1:
            return " ".join(tokens[1:])
        return tokens[0].rstrip("/").rsplit("/", 1)[-1] if tokens else ""
    if name in ("sidenote", "marginnote"):
        # tufte-jekyll's `{% sidenote 'sn-id' 'text' %}`: a note printed in the margin beside
        # the line, prose of the post (one blog has 116 of them).
        tokens = tag_arguments(args)
        return f" {tokens[1]} " if len(tokens) > 1 else ""
    if name == "asset_link":
        tokens = [t for t in tag_arguments(args) if t.lower() not in ("true", "false")]
        return " ".join(tokens[1:])
    # A caption is printed under the picture, the song or the clip: Hugo's `{{< figure
    # caption="…" >}}`, a theme's `{{< audio … caption="《后来的我们 - 五月天》" >}}` (116 on
    # one blog), Jekyll's `{% include figure.html caption="…" %}`.
    caption = _CAPTION.search(args)
    if caption:
        return f" {caption.group(1) or caption.group(2) or ''} "
    # asset_img, img, image, fa, iframe, video, youtube, gist, pdf, include_code, post_path,
    # asset_path, mmedia, meting ... and unknown standalone tags: no text of their own.
    return ""


def _quote_credit(args: str) -> str:
    """What Hexo's and Octopress's `{% blockquote [author[, source]] [link] [title] %}`
    print under the quote ("—— George Orwell, Nineteen Eighty-Four"), or "": a post that is
    only a quote is found by who said it."""
    words = args.split()
    link = next(
        (i for i, word in enumerate(words) if word.startswith(("http://", "https://"))), None
    )
    before = " ".join(words if link is None else words[:link])
    title = "" if link is None else " ".join(words[link + 1 :])
    author, _, source = before.partition(",")
    parts = [part for part in (author.strip(), source.strip() or title.strip()) if part]
    return "—— " + ", ".join(parts) if parts else ""


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inline code spans on one line, CommonMark style: a run of N
    backticks opens a span that the next run of exactly N backticks closes; a run with no
    partner is literal text. Outside a span a backslash escapes a run's first backtick;
    inside one it escapes nothing. Spans over several lines are not seen.

    Linear: the runs are listed once, and for each run length a pointer only moves forward.
    """
    if "`" not in text:
        return []
    runs: list[tuple[int, int, bool]] = []  # start, end, first backtick escaped
    for match in _BACKTICKS.finditer(text):
        start, end = match.span()
        slashes = 0
        while start - slashes > 0 and text[start - slashes - 1] == "\\":
            slashes += 1
        runs.append((start, end, slashes % 2 == 1))
    by_length: dict[int, list[int]] = {}  # run length -> indexes of the runs that long
    for index, (start, end, _) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    pointer = dict.fromkeys(by_length, 0)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end, escaped = runs[index]
        if escaped:
            start += 1
        length = end - start
        same = by_length.get(length, [])
        k = pointer.get(length, 0)
        while k < len(same) and same[k] <= index:
            k += 1
        if length:
            pointer[length] = k
        if length and k < len(same):
            spans.append((start, runs[same[k]][1]))
            index = same[k]  # the runs inside the span are text
        index += 1
    return spans


class _Scanner:
    def __init__(self, paired_names: set[str], first_line: int, known: frozenset[str]) -> None:
        self.paired = paired_names
        self.known = known
        self.first_line = first_line  # file line of body line 0, for problem messages
        self.stack: list[_Open] = []
        self.regions: list[tuple[int, int, PassageKind]] = []
        self.problems: list[str] = []
        self.too_deep = False

    def _close(self, index: int, line: int) -> None:
        """Pop the stack down to `index` (inclusive), recording note/quote regions."""
        while len(self.stack) > index:
            top = self.stack.pop()
            if top.mode == "region":
                self.regions.append((top.line, line, _REGION_TAGS[top.name]))

    def line(self, text: str, lineno: int) -> str:
        out: list[str] = []
        spans = code_spans(text)
        span = 0
        pos = 0
        n = len(text)
        # The next `{%` and `{{` at or after pos, found again only once pos passes them: a
        # fresh find() per tag would rescan the rest of the line each time (quadratic).
        next_tag = text.find("{%")
        next_expr = text.find("{{")
        while pos < n:
            top = self.stack[-1] if self.stack else None
            hidden = top is not None and top.mode in ("drop", "verbatim")
            if 0 <= next_tag < pos:
                next_tag = text.find("{%", pos)
            if 0 <= next_expr < pos:
                next_expr = text.find("{{", pos)
            tag_at = next_tag
            expr_at = -1 if hidden else next_expr
            at = tag_at if expr_at < 0 or 0 <= tag_at < expr_at else expr_at
            if at < 0:
                if not (top is not None and top.mode == "drop"):
                    out.append(text[pos:])
                break
            if not hidden:
                # `{% note %}` in inline code is an example of a tag, not a tag.
                while span < len(spans) and spans[span][1] <= at:
                    span += 1
                if span < len(spans) and spans[span][0] <= at:
                    out.append(text[pos : spans[span][1]])
                    pos = spans[span][1]
                    continue
            if at == expr_at:
                end = text.find("}}", expr_at + 2)
                if end < 0:
                    out.append(text[pos:])
                    break
                out.append(text[pos:expr_at])
                pos = end + 2
                continue
            end = text.find("%}", tag_at + 2)
            broken = end < 0  # `{% endnote` and a line break: no `%}` on this line
            if broken:
                end = n
            before = text[pos:tag_at]
            inner = text[tag_at + 2 : end].strip("- \t")
            pos = n if broken else end + 2
            match = _TAG_NAME.match(inner)
            name = match.group(0) if match else ""
            args = inner[match.end() :].strip() if match else ""
            if hidden:
                assert top is not None
                if name == "end" + top.name:
                    if top.mode == "verbatim":
                        out.append(before)
                    self._close(len(self.stack) - 1, lineno)
                elif top.mode == "verbatim":
                    out.append(before + text[tag_at:pos])
                continue
            out.append(before)
            if broken:
                # Its name and arguments must not leak into the text. An end tag still
                # closes its tag and a paired tag still opens (without its arguments), as
                # the writer meant, so that is not reported (an unclosed tag still is);
                # anything else is reported and ignored with the rest of the line.
                if (name.startswith("end") and len(name) > 3) or (
                    name in self.known or name in self.paired
                ):
                    self._tag(name, "", lineno, out)
                else:
                    tag = f"{{% {name}" if name else "{%"
                    self.problems.append(
                        f"{tag} at line {lineno + self.first_line} has no closing %}} on its"
                        " line; it was ignored with the rest of the line"
                    )
                continue
            self._tag(name, args, lineno, out)
        return "".join(out)

    def _tag(self, name: str, args: str, lineno: int, out: list[str]) -> None:
        if name.startswith("end") and len(name) > 3:
            opened = name[3:]
            for index in range(len(self.stack) - 1, -1, -1):
                if self.stack[index].name == opened:
                    if self.stack[index].credit:
                        out.append(self.stack[index].credit)
                    self._close(index, lineno)
                    break
            return  # a stray end tag is simply dropped
        if name in self.known or name in self.paired:
            if len(self.stack) >= _MAX_DEPTH:
                if not self.too_deep:
                    self.too_deep = True
                    self.problems.append(
                        f"tags nested deeper than {_MAX_DEPTH} levels"
                        f" (line {lineno + self.first_line}); the extra tags were ignored"
                    )
                return
            if name in _REGION_TAGS:
                mode = "region"
            elif name in _DROP_TAGS:
                mode = "drop"
            elif name in _VERBATIM_TAGS:
                mode = "verbatim"
            else:
                mode = "plain"
            credit = _quote_credit(args) if name in ("blockquote", "quote") else ""
            self.stack.append(_Open(name, lineno, mode, credit))
            return
        out.append(_inline_text(name, args))


def _without_code_spans(line: str) -> str:
    spans = code_spans(line)
    if not spans:
        return line
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(line[pos:start])
        pos = end
    parts.append(line[pos:])
    return " ".join(parts)


def _is_comment_line(line: str) -> bool:
    s = line.strip()
    return len(s) >= 7 and s.startswith("<!--") and s.endswith("-->") and "-->" not in s[4:-3]


def preprocess(
    lines: list[str], first_line: int = 1, known_paired: frozenset[str] = KNOWN_PAIRED
) -> Preprocessed:
    """Rewrite Hexo tags in `lines` (the body, without front matter).

    `first_line` is the 1-based file line of lines[0], used in problem messages.
    `known_paired`: tags paired even where the file never closes them (Hexo's by default;
    LIQUID_PAIRED for Jekyll, none for generators that render no Liquid).
    """
    paired = {
        m.group(1)
        for line in lines
        if "{%" in line
        for m in _END_NAME.finditer(_without_code_spans(line))
    }
    scanner = _Scanner(paired, first_line, known_paired)
    comment_problems: list[str] = []
    # markdown-it reads a line starting with `<!--` as an HTML block up to the next line
    # with `-->`: without one, the rest of the file would vanish. Past the last `-->`, such
    # a line is cut at `<!--` and reported, so only that line is lost.
    last_close = max((i for i, line in enumerate(lines) if "-->" in line), default=-1)
    out: list[str] = []
    fence: tuple[str, int, int] | None = None  # (char, length, line) of an open code fence
    for lineno, line in enumerate(lines):
        top = scanner.stack[-1] if scanner.stack else None
        hidden = top is not None and top.mode in ("drop", "verbatim")
        if fence is not None:
            stripped = line.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= fence[1]:
                fence = None
            out.append(line)
            continue
        if not hidden:
            match = _FENCE_OPEN.match(line)
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = (match.group(1)[0], len(match.group(1)), lineno)
                out.append(line)
                continue
            if _is_comment_line(line):
                out.append("")
                continue
            if lineno > last_close and "<!--" in line:
                prefix = _CONTAINER_PREFIX.match(line)
                cut = prefix.end() if prefix else 0
                if line.startswith("<!--", cut):
                    comment_problems.append(
                        f"HTML comment <!-- opened at line {lineno + first_line} is never "
                        "closed; only that line was skipped"
                    )
                    out.append(line[:cut])
                    continue
        if "{%" not in line and "{{" not in line:
            out.append("" if top is not None and top.mode == "drop" else line)
            continue
        rewritten = scanner.line(line, lineno)
        out.append("" if not rewritten.strip() else rewritten)
    problems = [*comment_problems, *scanner.problems]
    if fence is not None:
        problems.append(
            f"code fence opened at line {fence[2] + first_line} is never closed; "
            "the rest of the file was treated as code"
        )
    if scanner.stack:
        # The outermost unclosed tag explains what happened to the rest of the file.
        item = scanner.stack[0]
        if any(open_.mode == "drop" for open_ in scanner.stack):
            consequence = "the rest of the file was dropped with it"
        else:
            consequence = "its content was imported up to the end of the file"
        others = len(scanner.stack) - 1
        also = f" ({others} more unclosed tags inside it)" if others else ""
        problems.append(
            f"{{% {item.name} %}} opened at line {item.line + first_line} is never closed"
            f"{also}; {consequence}"
        )
    scanner._close(0, len(lines) - 1)
    kinds: list[PassageKind | None] = [None] * len(lines)
    # Regions are properly nested; filling outer ones first lets inner ones win.
    for start, end, kind in sorted(scanner.regions, key=lambda r: (r[0], -r[1])):
        for i in range(start, min(end, len(lines) - 1) + 1):
            kinds[i] = kind
    return Preprocessed(out, kinds, problems)
