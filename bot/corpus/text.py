"""Plain-text helpers: CJK width, markup scrubbing and long-paragraph splitting.

Everything here is linear in the length of its input: passages come from untrusted files.
"""

from __future__ import annotations

import re
import unicodedata

#: A passage plus a reply header must stay under Telegram's 4,096 UTF-16 units; 1,500 code
#: points is at most 3,000 units even if every character is astral.
MAX_PASSAGE_CHARS = 1500

_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
# Bounded repetition keeps these linear: each start position scans at most a few hundred chars.
_TAG_SPAN = re.compile(r"\{%.{0,300}?%\}")
_HTMLISH = re.compile(r"<(/?[A-Za-z][^<>\n]{0,200})>")
_LT_BEFORE_NAME = re.compile(r"<(?=[A-Za-z/])")
_STARS = re.compile(r"\*{2,}")
_BOLD_PAIR = re.compile(r"\*\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s*])\*\*")
# Display math that the parser did not take as math (it spans a hard break, say): TeX, not text.
_DISPLAY_MATH = re.compile(r"\$\$.{1,2000}?\$\$", re.DOTALL)
# A bare address, or one marked as a picture whose markup was lost (`!https://s.w.org/…/1f602.svg`,
# WordPress emoji left by an export: mtfront's posts).
_URL_ONLY = re.compile(r"!?(?:https?|ftp)://\S+")

SENTENCE_ENDS = frozenset("。！？；…!?;")
CLOSERS = frozenset("”’」』）)】》〉\"'»›]")


def is_wide(ch: str) -> bool:
    """True for characters that East Asian typesetting sets without spaces between them."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def collapse_spaces(text: str) -> str:
    """Collapse runs of ASCII whitespace and trim all whitespace, including U+3000, at the ends."""
    return _ASCII_SPACE.sub(" ", text).strip()


# A tag whose name has a prefix (<o:p>, <st1:chsdate …>, </v:shape>): Word's HTML, pasted
# into posts by WordPress editors. CommonMark's tag names have no colon, so the parser left
# them as text ("‹o:p› ‹/o:p›" made 137 passages of one Jekyll blog); a browser hides them
# as elements it does not know, and shows what is between them.
_PREFIXED_TAG = re.compile(r"</?[A-Za-z][\w-]*:[A-Za-z][\w.-]*(?:\s[^<>\n]{0,500})?/?>")


def drop_prefixed_tags(text: str) -> str:
    """Drop tags whose name has a prefix (Word's `<o:p>`), keeping what they enclose."""
    return _PREFIXED_TAG.sub("", text) if ":" in text else text


def neutralize_angle_brackets(text: str) -> str:
    """Turn `<name ...>` in literal text (inline code, escapes) into ‹name ...›.

    Real inline HTML is dropped by the parser; what is left is text that only looks like a tag
    (`#include <stdio.h>`, `List<String>`). Keeping it as angle quotes stays readable and can
    never be mistaken for markup by whatever renders the passage.
    """
    if "<" not in text:
        return text
    text = _HTMLISH.sub(r"‹\1›", text)
    return _LT_BEFORE_NAME.sub("‹", text)


def untag_code(text: str) -> str:
    """Inline code that shows a Hexo tag (`{% note info %}`) keeps the tag's words only, so
    the sentence still reads and no tag markup reaches a passage."""
    if "{%" not in text:
        return text
    parts: list[str] = []
    pos = 0
    while (start := text.find("{%", pos)) >= 0:
        end = text.find("%}", start + 2)
        if end < 0:
            break
        parts.append(text[pos:start])
        words = text[start + 2 : end].strip("- \t")
        if words not in ("raw", "endraw"):  # `{% raw %}{{ x }}{% endraw %}` shows {{ x }}
            parts.append(words)
        pos = end + 2
    parts.append(text[pos:])
    return "".join(parts)


def scrub(text: str, *, keep_spaces: bool = False) -> str:
    """Last line of defence: remove markup remnants that must never reach a passage.
    `keep_spaces`: runs of spaces stay and only ASCII whitespace is trimmed at the ends (a
    heading's text as kramdown makes its id of it)."""
    if "{%" in text or "%}" in text:
        text = _TAG_SPAN.sub("", text).replace("{%", "").replace("%}", "")
    if "<!--" in text or "-->" in text:
        text = text.replace("<!--", "").replace("-->", "")
    if "](" in text:
        text = text.replace("](", "] (")
    if "**" in text:
        # Bold CommonMark did not take, which marked (Hexo) renders: '**偶数。**以下' (a closing
        # ** after punctuation and before a letter flanks nothing in CommonMark). The page
        # shows bold words, the passage shows the words.
        text = _STARS.sub("*", _BOLD_PAIR.sub(r"\1", text))
    if "$$" in text:
        text = _DISPLAY_MATH.sub(" ", text)
    text = neutralize_angle_brackets(text)
    return text.strip(" \t\n\r\f\v") if keep_spaces else collapse_spaces(text)


# A list's number and its mark, and nothing else: "1、", "2.", "（三）", "(4)", "第五条" is words.
_NUMBER_ONLY = re.compile(
    r"\s*(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*[、.．:：)）]\s*"
    r"|\s*[（(]\s*(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]\s*"
)


def is_meaningful(text: str) -> bool:
    """A passage worth storing has a letter or digit and is not just a bare URL, nor just
    a list's number ("1、" on a line of its own before the quote it numbers)."""
    if not any(ch.isalnum() for ch in text):
        return False
    return _URL_ONLY.fullmatch(text) is None and not is_list_number(text)


def is_list_number(text: str) -> bool:
    """Only a list's number and its mark ("1、", "2）", "（三）")."""
    return _NUMBER_ONLY.fullmatch(text) is not None


def _sentences(text: str) -> list[str]:
    """Split after sentence ends (plus any closing quotes) and after `. ` in Latin text."""
    pieces: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        end = -1
        if ch in SENTENCE_ENDS:
            j = i + 1
            while j < n and (text[j] in SENTENCE_ENDS or text[j] in CLOSERS):
                j += 1
            end = j
        elif ch == "." and i + 1 < n and text[i + 1] == " ":
            end = i + 1
        if end > 0:
            pieces.append(text[start:end])
            start = i = end
        else:
            i += 1
    if start < n:
        pieces.append(text[start:])
    return pieces


def split_long(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Split a paragraph longer than `limit` into pieces of at most `limit` characters.

    Pieces end at sentence ends where possible; a single sentence longer than the limit is cut
    hard (at the last space in the window if there is one), as a last resort.
    """
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    current = ""
    for sentence in _sentences(text):
        if len(current) + len(sentence) <= limit:
            current += sentence
            continue
        if current.strip():
            out.append(current.strip())
        current = ""
        while len(sentence) > limit:
            cut = sentence.rfind(" ", limit // 2, limit)
            if cut <= 0:
                cut = limit
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:]
        current = sentence
    if current.strip():
        out.append(current.strip())
    return [piece for piece in out if piece]
