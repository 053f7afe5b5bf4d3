"""Passages → Telegram HTML (and, for the CLI, a terminal), and the buttons under a reply
(as plain descriptions).

Telegram's rules this module keeps (https://core.telegram.org/bots/api#html-style):
every `<`, `>`, `&` and `"` in text is escaped; only `b`, `i`, `a`, `blockquote` tags are
used, properly nested; the text *after* entity parsing is at most 4,096 UTF-16 code units.
Lengths are counted in UTF-16 because that is what Telegram counts (an emoji is two).

Nothing here does I/O or imports telegram: buttons are described with `Button`, and the
handlers turn them into an `InlineKeyboardMarkup`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bot.models import Match, MatchKind, OutlineEntry, StoredPassage

MESSAGE_LIMIT = 4096  # UTF-16 code units of visible text per message
INLINE_QUERY_LIMIT = 256  # characters Telegram allows in an inline query
EXPAND_ABOVE = 320  # passages longer than this (UTF-16 units) get an expandable blockquote
SNIPPET_LENGTH = 90  # characters of an inline result's description

# C0/C1 controls except tab and newline, lone surrogates, and noncharacters: Telegram rejects
# or mangles them, and JSON cannot carry a lone surrogate as UTF-8 at all.
_UNSENDABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def sendable(text: str) -> str:
    """Text with everything Telegram cannot carry removed (used on anything a user typed)."""
    return _UNSENDABLE.sub("", text)


def escape(text: str) -> str:
    return html.escape(sendable(text), quote=True)


def _cut_utf16(text: str, budget: int) -> str:
    """The longest prefix of `text` that fits `budget` UTF-16 units, never splitting a pair."""
    if utf16_len(text) <= budget:
        return text
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return text[:index]
    return text


def shorten(text: str, budget: int) -> str:
    """`text` cut to `budget` UTF-16 units, with an ellipsis when something was cut."""
    if utf16_len(text) <= budget:
        return text
    return _cut_utf16(text, budget - 1).rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """The URL if Telegram will accept it as a link, else None (no javascript:, no spaces)."""
    if not url or any(c.isspace() for c in url) or len(url) > 2048:
        return None
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    return None


@dataclass(frozen=True, slots=True)
class Labels:
    """The few words a rendered reply needs, in the reader's language."""

    source: str  # link text when the attribution has no name ("原文" / "source")
    more_below: str  # appended when a section continues in the next message


class _Builder:
    """Accumulates HTML and counts the visible text it will produce, in UTF-16 units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.visible = 0

    def text(self, text: str) -> None:
        text = sendable(text)
        self.parts.append(html.escape(text, quote=True))
        self.visible += utf16_len(text)

    def tag(self, markup: str) -> None:
        self.parts.append(markup)

    def html(self) -> str:
        return "".join(self.parts)


def header_text(passage: StoredPassage) -> str:
    """The heading path, led by the document title when the path does not start with it."""
    path = [h for h in passage.heading_path if h]
    title = passage.document.title.strip()
    if title and (not path or path[0] != title):
        path.insert(0, title)
    return " › ".join(path)


def _source_line(builder: _Builder, passage: StoredPassage, labels: Labels) -> None:
    url = safe_url(passage.source_url) or safe_url(passage.document.url)
    name = (passage.source_name or "").strip()
    builder.text("— ")
    if passage.author:
        builder.text(passage.author.strip())
        if url or name:
            builder.text(" · ")
    if url:
        builder.tag(f'<a href="{html.escape(url, quote=True)}">')
        builder.text(name or labels.source)
        builder.tag("</a>")
    elif name:
        builder.text(name)
    elif not passage.author:
        builder.text(passage.document.title or labels.source)


def _merge(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _highlighted(builder: _Builder, text: str, spans: Sequence[tuple[int, int]]) -> None:
    position = 0
    for start, end in _merge(spans, len(text)):
        builder.text(text[position:start])
        builder.tag("<b>")
        builder.text(text[start:end])
        builder.tag("</b>")
        position = end
    builder.text(text[position:])


def _fit_passage(
    text: str, spans: Sequence[tuple[int, int]], budget: int
) -> tuple[str, Sequence[tuple[int, int]]]:
    """Cut a passage to the room left in the message, keeping the highlighted part in view:
    when the match lies beyond the cut, the text starts shortly before it instead."""
    if utf16_len(sendable(text)) <= budget:
        return text, spans
    start = 0
    if spans:
        first = min(s for s, _ in spans)
        if utf16_len(text[:first]) > budget // 2:
            start = max(0, first - 40)
    body = text[start:]
    prefix = "…" if start else ""
    cut = shorten(body, budget - len(prefix))
    shifted = [(s - start + len(prefix), e - start + len(prefix)) for s, e in spans]
    visible_end = len(prefix) + len(cut) - (1 if cut != body else 0)
    return prefix + cut, [(s, min(e, visible_end)) for s, e in shifted if s < visible_end]


def render_passage(
    passage: StoredPassage,
    labels: Labels,
    highlights: Sequence[tuple[int, int]] = (),
    *,
    footer: str = "",
    note: str = "",
) -> str:
    """The reply for one passage: header, quoted passage with the match in bold, source line,
    and an optional plain footer (e.g. "2/15"). Always within Telegram's 4,096 limit.
    `note`: said above the quote when the passage is not the reader's words (found by its
    meaning; the nearest to quoted words nothing holds), so nobody passes it on as what
    they remembered."""
    head = _Builder()
    head.tag("<b>")
    head.text(shorten(header_text(passage), 300))
    head.tag("</b>")
    head.text("\n")  # visible too: it counts against the 4,096
    if note:
        head.tag("<i>")
        head.text(note)
        head.tag("</i>")
        head.text("\n")
    tail = _Builder()
    tail.text("\n")
    _source_line(tail, passage, labels)
    if footer:
        tail.text("\n" + footer)
    budget = MESSAGE_LIMIT - head.visible - tail.visible
    text, spans = _fit_passage(passage.text, highlights, budget)
    quote = _Builder()
    long = utf16_len(text) > EXPAND_ABOVE or text.count("\n") > 5
    quote.tag("<blockquote expandable>" if long else "<blockquote>")
    _highlighted(quote, text, spans)
    quote.tag("</blockquote>")
    return head.html() + quote.html() + tail.html()


def render_context(
    passage: StoredPassage,
    before: StoredPassage | None,
    after: StoredPassage | None,
    labels: Labels,
    highlights: Sequence[tuple[int, int]] = (),
) -> str:
    """The passage between its neighbours in the same section; the neighbours are plain text
    and shortened first when the three do not fit one message."""
    head = _Builder()
    head.tag("<b>")
    head.text(shorten(header_text(passage), 300))
    head.tag("</b>")
    head.text("\n")  # visible too: it counts against the 4,096
    tail = _Builder()
    _source_line(tail, passage, labels)
    room = MESSAGE_LIMIT - head.visible - tail.visible - 4  # the newlines between the parts
    main, spans = _fit_passage(passage.text, highlights, max(200, room // 2))
    neighbour_room = max(0, (room - utf16_len(main)) // 2)
    parts: list[str] = [head.html()]
    if before is not None and neighbour_room > 1:
        parts.append(escape(_tail_of(before.text, neighbour_room)) + "\n")
    quote = _Builder()
    quote.tag("<blockquote>")
    _highlighted(quote, main, spans)
    quote.tag("</blockquote>")
    parts.append(quote.html())
    if after is not None and neighbour_room > 1:
        parts.append(escape(shorten(after.text, neighbour_room)) + "\n")
    parts.append(tail.html())
    return "".join(parts)


def _tail_of(text: str, budget: int) -> str:
    """The end of the previous paragraph: the part next to the passage matters most."""
    if utf16_len(text) <= budget:
        return text
    reversed_cut = _cut_utf16(text[::-1], budget - 1)
    return "…" + reversed_cut[::-1].lstrip()


def render_section(
    passages: Sequence[StoredPassage], labels: Labels, *, max_messages: int = 10
) -> list[str]:
    """A whole section as one or more messages, split between paragraphs (a paragraph longer
    than a message is itself split), each within 4,096; the source line ends the last. A
    section longer than `max_messages` messages stops with "…" before the source line, so
    one button press cannot flood a group."""
    if not passages:
        return []
    first = passages[0]
    head = _Builder()
    head.tag("<b>")
    head.text(shorten(header_text(first), 300))
    head.tag("</b>")
    head.text("\n\n")  # visible too: it counts against the 4,096
    tail = _Builder()
    _source_line(tail, first, labels)
    more = "\n" + labels.more_below
    budget = MESSAGE_LIMIT - utf16_len(more)

    messages: list[str] = []
    current: list[str] = [head.html()]
    used = head.visible
    for paragraph in _paragraph_pieces([p.text for p in passages], budget - 2):
        cost = utf16_len(sendable(paragraph)) + 2
        if used + cost > budget and used > 0:
            if len(messages) + 1 >= max_messages:
                current.append("…\n\n")
                used += 3
                break
            messages.append("".join(current) + escape(more))
            current, used = [], 0
        current.append(escape(paragraph) + "\n\n")
        used += cost
    if used + tail.visible > MESSAGE_LIMIT:
        messages.append("".join(current) + escape(more))
        current = []
    current.append(tail.html())
    messages.append("".join(current))
    return messages


def _paragraph_pieces(texts: Iterable[str], budget: int) -> Iterable[str]:
    for text in texts:
        while utf16_len(text) > budget:
            piece = _cut_utf16(text, budget)
            yield piece
            text = text[len(piece) :]
        if text:
            yield text


def inline_title(passage: StoredPassage) -> str:
    """An inline result's title: the innermost heading, or the document title."""
    heading = next((h for h in reversed(passage.heading_path) if h.strip()), "")
    return shorten(sendable(heading or passage.document.title or "…"), 100)


def snippet(text: str, highlights: Sequence[tuple[int, int]], length: int = SNIPPET_LENGTH) -> str:
    """A one-line excerpt of `text` around its first highlight, for an inline description."""
    flat = " ".join(sendable(text).split())
    if len(flat) <= length:
        return flat
    start = 0
    if highlights:
        # Offsets are in the original text; collapsing whitespace only moves them left.
        first = min(s for s, _ in highlights)
        start = max(0, min(first - length // 4, len(flat) - length))
    piece = flat[start : start + length]
    return ("…" if start else "") + piece + ("…" if start + length < len(flat) else "")


# --- long lists (/toc, /sources) --------------------------------------------------------------

JUMP = 10  # pages skipped by the −10 / +10 buttons


@dataclass(frozen=True, slots=True)
class Jump:
    """A button of a list's navigation: its label and the page (from 0) it shows; `here` is
    the counter, which shows where one is and leads nowhere."""

    label: str
    page: int
    here: bool = False


def page_jumps(page: int, pages: int) -> list[list[Jump]]:
    """The navigation under page `page` of `pages`: ◀ n/N ▶, and on a list of more than two
    pages a second row to the first and last page and 10 pages back and on. A jump that
    would land where ◀, ▶ or another jump already goes is left out."""
    if pages <= 1:
        return []
    near = [Jump("◀", page - 1)] if page > 0 else []
    near.append(Jump(f"{page + 1}/{pages}", page, here=True))
    if page + 1 < pages:
        near.append(Jump("▶", page + 1))
    far: list[Jump] = []
    if page >= 2:
        far.append(Jump("⏮ 1", 0))
    if page - JUMP > 0:
        far.append(Jump(f"−{JUMP}", page - JUMP))
    if page + JUMP < pages - 1:
        far.append(Jump(f"+{JUMP}", page + JUMP))
    if page + 2 < pages:
        far.append(Jump(f"{pages} ⏭", pages - 1))
    return [near, far] if far else [near]


@dataclass(frozen=True, slots=True)
class OutlineLine:
    """A heading as /toc lists it: its label, its indentation level, the passage it opens."""

    label: str
    level: int
    passage_id: int


def outline_lines(sections: Sequence[OutlineEntry], width: int = 40) -> list[OutlineLine]:
    """A document's headings for /toc. A heading with nothing under it is left out; a heading
    with no text of its own before its first subheading opens the same passage as that
    subheading, so the two are one line ("一、历史学上的分歧 › 1.1 关于社会主义建设"), at the
    outer one's level: no two lines lead to the same passage."""
    lines: list[OutlineLine] = []
    chain: list[OutlineEntry] = []  # headings waiting for the subheading they share a passage with
    shown = [s for s in sections if s.first_passage_id is not None]
    for index, section in enumerate(shown):
        after = shown[index + 1] if index + 1 < len(shown) else None
        chain.append(section)
        if (
            after is not None
            and after.first_passage_id == section.first_passage_id
            and after.level > section.level
        ):
            continue  # this heading's passage is its subheading's: one line for both
        assert section.first_passage_id is not None
        if len(chain) == 1:
            label = shorten(section.heading, width)
        else:
            # The outer headings short, the innermost (what the reader picks) as long as it may be.
            outer = [
                shorten(h.heading, max(8, width // (2 * (len(chain) - 1)))) for h in chain[:-1]
            ]
            label = " › ".join([*outer, shorten(section.heading, width)])
        lines.append(OutlineLine(label, chain[0].level, section.first_passage_id))
        chain = []
    return lines


# --- the copy button ---------------------------------------------------------------------------

COPY_TEXT_LIMIT = 256  # characters a copy_text button may carry (Bot API 7.11, CopyTextButton)
_COPY_MIN_QUOTE = 60  # the attribution gives way before the quote gets shorter than this
_COPY_MIN_TITLE = 12
_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』）)]*")


def copy_text(
    passage: StoredPassage,
    highlights: Sequence[tuple[int, int]] = (),
    *,
    limit: int = COPY_TEXT_LIMIT,
) -> str:
    """What the copy button puts on the clipboard: the passage and its attribution,
    `— author · title, link`, within `limit` UTF-16 units (stricter than Telegram's count of
    characters, so it holds whichever way they count).

    A long passage is cut at a sentence end when one is near the limit, else at the limit,
    with "…"; when the match lies beyond the cut, the quote starts shortly before it
    ("…" in front). The attribution is kept whole: only when it would leave less than
    `_COPY_MIN_QUOTE` units for the quote does it give way, the link first shown decoded
    (%E6%89%98 as 托), then the title shortened, then the link dropped."""
    text = sendable(passage.text).strip()
    link = safe_url(passage.source_url) or safe_url(passage.document.url)
    document = passage.document
    title = sendable(document.title or passage.source_name or document.path).strip()
    author = sendable(passage.author or "").strip()
    links = [link, _readable_url(link), None] if link else [None]
    attribution = ""
    for shown_link in dict.fromkeys(links):
        attribution = _attribution(author, title, shown_link)
        if limit - utf16_len(attribution) - 1 >= _COPY_MIN_QUOTE:
            break
        room_for_title = (
            limit - _COPY_MIN_QUOTE - 1 - utf16_len(_attribution(author, "", shown_link))
        )
        if title and room_for_title >= _COPY_MIN_TITLE:
            attribution = _attribution(author, shorten(title, room_for_title - 3), shown_link)
            break
    attribution = shorten(attribution, limit - 2)  # a pathological author name: still valid
    budget = limit - utf16_len(attribution) - 1
    quote = _quote_within(text, highlights, budget)
    return f"{quote}\n{attribution}" if quote else attribution


def _attribution(author: str, title: str, link: str | None) -> str:
    """`— author · title, link`, leaving out what is missing."""
    named = " · ".join(part for part in (author, title) if part)
    return "— " + ", ".join(part for part in (named, link) if part)


def _readable_url(url: str) -> str:
    """A link as a reader would type it: percent-escapes of UTF-8 decoded (a Chinese slug
    is a third as long), unless that would put a space or a control into it."""
    try:
        decoded = unquote(url, errors="strict") if "%" in url else url
    except UnicodeDecodeError:  # escapes of something other than UTF-8: left as they are
        return url
    unsafe = any(c.isspace() or not c.isprintable() for c in decoded)
    return url if unsafe or decoded == url else decoded


def _quote_within(text: str, highlights: Sequence[tuple[int, int]], budget: int) -> str:
    """`text` within `budget` UTF-16 units: whole if it fits, else cut with "…" (see
    `copy_text`), keeping the first highlighted span in view and starting, when it has to
    skip some, at the beginning of the sentence the match is in."""
    if budget < 2:
        return ""
    if utf16_len(text) <= budget:
        return text
    start = 0
    first = min((s for s, e in highlights if e > s), default=0)
    if utf16_len(text[:first]) > budget // 2:
        lead = max(0, first - budget // 3)
        ends = [m.end() for m in _SENTENCE_END.finditer(text, lead, first)]
        start = ends[-1] if ends else max(0, first - 20)
    if start and utf16_len(text[start:]) < budget - 1:
        # The match is near the end: the longest tail that fits, from a sentence start if
        # there is one early in it.
        tail = _cut_utf16(text[::-1], budget - 1)[::-1]
        start = len(text) - len(tail)
        ends = [m.end() for m in _SENTENCE_END.finditer(tail, 0, len(tail) // 3)]
        start += ends[-1] if ends else 0
        return "…" + text[start:].lstrip()
    body = text[start:].lstrip()
    prefix = "…" if start else ""
    room = budget - len(prefix) - 1  # the closing "…"
    cut = _cut_utf16(body, room)
    # A sentence end in the last third of what fits reads better than a cut mid-sentence.
    ends = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() >= room * 2 // 3]
    kept = cut[: ends[-1]] if ends else cut.rstrip()
    return prefix + kept + "…"


# --- a terminal ------------------------------------------------------------------------------


def wrap_columns(text: str, columns: int) -> list[str]:
    """Wrap by display columns: a Chinese character takes two, and textwrap counts one.
    ANSI escape sequences take none."""
    lines: list[str] = []
    current: list[str] = []
    width = 0
    in_escape = False
    for char in text:
        if char == "\033":
            in_escape = True
        char_width = 0 if in_escape else (2 if unicodedata.east_asian_width(char) in "WF" else 1)
        if in_escape and char == "m":
            in_escape = False
        if width + char_width > columns and current:
            lines.append("".join(current).rstrip())
            current, width = [], 0
            if char == " ":
                continue
        current.append(char)
        width += char_width
    if current:
        lines.append("".join(current).rstrip())
    return lines


def render_terminal(match: Match, *, color: bool) -> str:
    """A match for a terminal (`excerpt-bot search`): rank, score and where, the passage
    wrapped to 76 columns with the match in bold (or 【】 when not a terminal), the source."""
    p = match.passage
    text = p.text
    bold, reset = ("\033[1m", "\033[0m") if color else ("【", "】")
    for start, end in sorted(match.highlights, reverse=True):
        text = text[:start] + bold + text[start:end] + reset + text[end:]
    where = " › ".join(p.heading_path) or p.document.title
    if p.heading_path and p.document.title not in p.heading_path:
        where = f"{p.document.title} › {where}"
    lines = [f"{match.rank}. [{match.score:.0f}] {where}"]
    if match.kind is MatchKind.MEANING:
        lines.append("   (close in meaning, not the exact words)")
    lines.extend("   " + line for line in wrap_columns(text, 76))
    source = " · ".join(x for x in (p.author, p.source_url) if x)
    if source:
        lines.append(f"   — {source}")
    return "\n".join(lines)


# --- buttons ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Button:
    """One inline-keyboard button: exactly one of the action fields is set."""

    text: str
    callback: str | None = None
    url: str | None = None
    switch_inline: str | None = None  # opens inline mode in a chat the user picks
    copy: str | None = None  # put on the clipboard (see `copy_text`)
