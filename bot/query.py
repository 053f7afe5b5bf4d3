"""What a reader can say besides the words: exact phrases, excluded words, an author, a title.

    "理论再正确"            these exact words: no typos forgiven, no meaning matches
    「理论再正确」           the same with corner brackets (or 『』, “”)
    托派 -斯大林            passages without 斯大林
    作者:鲁迅 / author:鲁迅   only passages credited to that author (a name near enough counts)
    标题:坟 / title:坟        only passages of a document whose title is near enough

A query that does not parse cleanly (an unbalanced quote, a field nobody knows, a field with
nothing after it) is searched as typed: the syntax is a help, never a way to fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ParsedQuery", "parse_query"]

_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
_FIELDS = {"作者": "author", "author": "author", "标题": "title", "title": "title"}
# A field is a known name followed by a colon (ASCII or full-width) and a value that runs to
# the next space; "作者：鲁迅 坟" is the author 鲁迅 and the word 坟.
_FIELD = re.compile(r"(?:(?<=\s)|^)(作者|author|标题|title)\s*[:：]\s*(\S+)", re.IGNORECASE)
# An excluded word: a minus (ASCII or full-width) at the start of a word, then the word.
# "1920-1927" and "托派-斯大林" have no space before the minus and stay as typed.
_EXCLUDED = re.compile(r"(?:(?<=\s)|^)[-－](\S+)")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into what to search for and how to narrow the results."""

    text: str  # the words to search for, the syntax taken out ("" when only filters remain)
    phrases: tuple[str, ...] = ()  # quoted: must occur exactly
    excluded: tuple[str, ...] = ()  # a result must not hold any of these
    author: str | None = None
    title: str | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)  # what was read, for tests

    @property
    def exact(self) -> bool:
        """Quoted words: text matches only, no typos forgiven, no meaning matches."""
        return bool(self.phrases)

    @property
    def narrowed(self) -> bool:
        return bool(self.excluded or self.author or self.title)

    @property
    def plain(self) -> bool:
        return not (self.exact or self.narrowed)


def _quoted(query: str) -> tuple[str, list[str]] | None:
    """The query without its quoted phrases, and the phrases; None if a quote is unbalanced
    (then nothing is taken as quoted).

    A quotation mark is syntax only where a reader puts one around words to search for: at
    the start of the query or after a space, closed at its end or before a space. Chinese
    text quotes inside sentences (浅议“托派”问题), and a pasted sentence is not a request for
    exact words, so marks between characters are text."""
    phrases: list[str] = []
    rest: list[str] = []
    position = 0
    while position < len(query):
        char = query[position]
        closing = _QUOTES.get(char)
        at_word_start = position == 0 or query[position - 1].isspace()
        if closing is None or not at_word_start:
            rest.append(char)
            position += 1
            continue
        end = query.find(closing, position + 1)
        while end >= 0 and end + 1 < len(query) and not query[end + 1].isspace():
            end = query.find(closing, end + 1)  # a mark inside the phrase's words
        if end < 0:
            return None
        phrase = query[position + 1 : end].strip()
        if phrase:
            phrases.append(phrase)
        rest.append(" ")
        position = end + 1
    return "".join(rest), phrases


def _is_flag(query: str, match: re.Match[str]) -> bool:
    """Whether a minus word is a command-line option the reader copied ("go build -o",
    "ls -la", "--force", "java -jar"), not a word to leave out: an ASCII word right after
    another (a command and its options), one or two ASCII characters, or a second minus.
    Left out, "-o" would drop every passage with the letter o in it."""
    word = match.group(1)
    if word.startswith(("-", "－")):
        return True
    if not word.isascii():
        return False
    before = query[: match.start()].split()
    return len(word) <= 2 or bool(before and before[-1].isascii() and before[-1][-1].isalnum())


def parse_query(query: str) -> ParsedQuery:
    """Read the syntax out of a cleaned query (see the module docstring)."""
    quoted = _quoted(query)
    if quoted is None:
        return ParsedQuery(query)
    rest, phrases = quoted
    fields: dict[str, str] = {}

    def take_field(match: re.Match[str]) -> str:
        fields[_FIELDS[match.group(1).lower()]] = match.group(2)
        return " "

    rest = _FIELD.sub(take_field, rest)
    excluded: list[str] = []

    def take_excluded(match: re.Match[str]) -> str:
        if _is_flag(rest, match):
            return match.group(0)  # part of a command line, searched as typed
        if match.group(1).strip("-－"):
            excluded.append(match.group(1))
        return " "

    rest = _EXCLUDED.sub(take_excluded, rest)
    text = " ".join(rest.split())
    if not (phrases or fields or excluded):
        return ParsedQuery(query)  # nothing but words
    if not (text or phrases or fields):
        return ParsedQuery(query)  # only excluded words: nothing to look for; search as typed
    return ParsedQuery(
        text,
        tuple(phrases),
        tuple(excluded),
        fields.get("author"),
        fields.get("title"),
    )
