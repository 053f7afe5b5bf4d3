"""Passages a reader would quote: the raw paragraphs of a section, reshaped.

* A table is one passage, a row a line (cut between rows past the size limit).
* Short hard-broken lines (a poem, an address) stay together as a stanza.
* A labelled question joins its answer (Q: … A: …, 问：… 答：…).
* A bold line of its own (`**开放性问题**`, a heading kept out of the table of contents)
  joins the paragraph it titles.
* A lead-in ending with `：`/`:` joins what follows it, a short list it introduces whole
  (and the short paragraph after it that ends its sentence: "就可以…").
  When what followed was code (which is not imported), a short one (`解决方法：`) joins the
  text after the code, or goes if there is none; a longer one says enough to stay on its
  own. A short line with no end before code (`再来看下面一段代码`) joins the body text
  after the code too, and stays as it is if there is none.
* A piece under MIN_CHARS joins its neighbour of the same kind in the same section (list
  items with list items, a quote's lines with each other), the previous one unless it
  opens what follows (an unfinished "那些天" after a finished sentence, a label "第一，医学。"),
  else any neighbour in the section, unless it is all the section has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.corpus.text import MAX_PASSAGE_CHARS, is_wide, split_long
from bot.models import PassageKind

MIN_CHARS = 8
STANZA_LINE_CHARS = 24  # a hard-broken line this short is a line of verse, not a paragraph
# ... or this short in a language of words and spaces, where a line of verse takes more
# characters ("It creeps up on you, close in your ear." is 39): English verse in a quote
# was one passage a line (io-oi.me's 7,000 RPM: 13), while its translation was a stanza.
STANZA_WORDS_LINE_CHARS = 60
_LEAD_IN_ENDS = ("：", ":")
_MAX_LEAD_IN = 80
_SHORT_LEAD_IN = 16


@dataclass(slots=True)
class Piece:
    section: int
    kind: PassageKind
    text: str
    line: int
    code_after: bool = False  # a code block came right after it in its section
    label: bool = False  # all in bold, a paragraph of its own (`**开放性问题**`)
    # Thematic breaks (`***`) before it in its file: pieces a rule sets apart never join
    # ("…的名言，地址：" above one, "**本站推广**" and an ad below it, on 120 posts).
    part: int = 0


def is_stanza(lines: list[str]) -> bool:
    """Two or more short lines with hard breaks between them."""
    return len(lines) >= 2 and all(0 < len(line) <= _verse_line_limit(line) for line in lines)


def _verse_line_limit(line: str) -> int:
    return STANZA_LINE_CHARS if any(is_wide(char) for char in line) else STANZA_WORDS_LINE_CHARS


def split_rows(rows: list[str], limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Rows joined by newlines, cut between rows when the limit is reached."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for row in rows:
        for part in split_long(row, limit):
            if current and size + len(part) + 1 > limit:
                out.append("\n".join(current))
                current, size = [], 0
            current.append(part)
            size += len(part) + 1
    if current:
        out.append("\n".join(current))
    return out


def _is_lead_in(piece: Piece) -> bool:
    return len(piece.text) <= _MAX_LEAD_IN and piece.text.endswith(_LEAD_IN_ENDS)


def _join(first: Piece, second: Piece) -> Piece:
    kind = first.kind if len(first.text) >= len(second.text) else second.kind
    return Piece(
        first.section,
        kind,
        first.text + "\n" + second.text,
        first.line,
        second.code_after,
        part=second.part,
    )


def _same_place(first: Piece, second: Piece) -> bool:
    """One section, no thematic break between."""
    return first.section == second.section and first.part == second.part


def _joinable(first: Piece, second: Piece) -> bool:
    return (
        _same_place(first, second)
        and first.kind == second.kind
        and len(first.text) + len(second.text) < MAX_PASSAGE_CHARS
    )


_BODY = frozenset({PassageKind.PARAGRAPH, PassageKind.LIST_ITEM})


def _near(first: Piece, second: Piece) -> bool:
    """Body text of either kind in one section; never a quote or a note (a footnote, an
    aside), whose words are not the body's."""
    return (
        _same_place(first, second)
        and first.kind in _BODY
        and second.kind in _BODY
        and len(first.text) + len(second.text) < MAX_PASSAGE_CHARS
    )


# An interview's or an FAQ's labelled question and answer ("Q: 这本书卖了多少本？" then
# "A: 接近 2000 本。"; 问：… 答：…): the answer alone says nothing a reader could place.
# (A colon after Q/A, not a dot: "A. Smith will…", "A 2.0 release…" are not answers.)
_QUESTION_LABEL = re.compile(r"^(?:Q\d*\s*[:：]|问[:：]|問[:：]|提问[:：])", re.IGNORECASE)
_ANSWER_LABEL = re.compile(r"^(?:A\d*\s*[:：]|答[:：])", re.IGNORECASE)
_QA_KINDS = frozenset({PassageKind.PARAGRAPH, PassageKind.QUOTE})


_SENTENCE_ENDS = ("。", "！", "？", "!", "?", "…", "”", "」", "』", "；", ";", ".")
# A short piece ending so closes something (an aside in brackets, a lead-in, a clause).
_NOT_OPENING = (*_SENTENCE_ENDS, "）", ")", "：", ":", "，", ",", "、")
# An enumerator that labels what follows: 第一，/ 其二、/ 一、/ 1. / (1)
_ENUMERATOR = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+[，,、：:\s]|其[一二三四五六七八九十][，,、：:\s]"
    r"|[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．)）]|[(（]\d{1,2}[)）])"
)


_MAX_LABEL = 30  # characters of a bold line taken as the title of what follows


def _is_label(piece: Piece) -> bool:
    """A bold line standing as the title of the paragraph below it (`**开放性问题**`), as
    blogs write a heading they do not want in the table of contents."""
    return (
        piece.label
        and len(piece.text) <= _MAX_LABEL
        and not piece.text.rstrip().endswith(_NOT_OPENING)
    )


def _introduces_code(piece: Piece) -> bool:
    """A short line with no end of its own (before code: "再来看下面一段代码", "添加
    Observer"), a lead-in without its colon."""
    return len(piece.text) < _SHORT_LEAD_IN and not piece.text.rstrip().endswith(_NOT_OPENING)


CREDIT_DASHES = ("—", "--", "－－", "~~", "～～")


def _opens_what_follows(before: Piece, short: Piece) -> bool:
    """A short piece that begins the next one rather than ending the one before: words
    with no end after a finished sentence (a poem's "那些天" whose line goes on below),
    or an enumerator's label ("第一，医学。" over the paragraph on medicine). Not a credit
    after a dash ("——歌德" under the saying it signs): that ends what is before it."""
    if short.text.lstrip().startswith(CREDIT_DASHES):
        return False
    if _ENUMERATOR.match(short.text):
        return True
    return before.text.rstrip().endswith(_SENTENCE_ENDS) and not short.text.rstrip().endswith(
        _NOT_OPENING
    )


def _joins_its_answer(question: Piece, answer: Piece) -> bool:
    """A labelled question and the labelled answer right after it, both paragraphs (or
    both quoted): not a footnote's text, not the first option of a list of choices."""
    return (
        _same_place(question, answer)
        and question.kind == answer.kind
        and question.kind in _QA_KINDS
        and bool(_QUESTION_LABEL.match(question.text))
        and bool(_ANSWER_LABEL.match(answer.text))
        and len(question.text) + len(answer.text) < MAX_PASSAGE_CHARS
    )


_SHORT_ITEM = 80  # characters: a list of points, not of paragraphs


def _short_list_after(pieces: list[Piece], lead: int) -> int:
    """How many list items right after the lead-in at `lead` make a short list that fits in
    one passage with it (0 when what follows is not one)."""
    size = len(pieces[lead].text)
    count = 0
    for piece in pieces[lead + 1 :]:
        if piece.kind is not PassageKind.LIST_ITEM or not _same_place(piece, pieces[lead]):
            break
        if len(piece.text) > _SHORT_ITEM:
            return 0
        size += len(piece.text) + 1
        if size >= MAX_PASSAGE_CHARS:
            return 0
        count += 1
        if piece.code_after:
            break
    return count


# How the sentence a lead-in began goes on after its list: "就可以解决八成的问题。"
_GOES_ON = ("就", "才", "便", "即可", "都", "所以", "因此", "这样", "這樣", "那么", "那麼", "以上")
_SHORT_END = 40  # characters


def _ends_the_sentence(joined: Piece, after: Piece) -> bool:
    """Whether a short paragraph right after a lead-in's list finishes its sentence."""
    return (
        after.section == joined.section
        and not joined.code_after  # code stood between: the sentence ended before it
        and after.kind is PassageKind.PARAGRAPH
        and len(after.text) <= _SHORT_END
        and after.text.startswith(_GOES_ON)
        and len(joined.text) + len(after.text) < MAX_PASSAGE_CHARS
    )


def reshape(pieces: list[Piece]) -> list[Piece]:
    """Join questions to their answers, lead-ins and short pieces to their neighbours."""
    paired: list[Piece] = []
    for piece in pieces:
        if paired and _joins_its_answer(paired[-1], piece):
            paired[-1] = _join(paired[-1], piece)
        else:
            paired.append(piece)
    pieces = paired
    # Lead-ins first: "解决方法：" + what follows, or nothing if only code followed.
    out: list[Piece] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        if _is_label(piece) and not piece.code_after and nxt is not None and _near(piece, nxt):
            pieces[i + 1] = _join(piece, nxt)  # "开放性问题" + the paragraph it titles
            i += 1
            continue
        if piece.code_after and _introduces_code(piece) and nxt is not None and _near(piece, nxt):
            pieces[i + 1] = _join(piece, nxt)  # "再来看下面一段代码" + what is said of it
            i += 1
            continue
        if _is_lead_in(piece) and piece.code_after:
            if len(piece.text) >= _SHORT_LEAD_IN:
                out.append(piece)
            elif nxt is not None and _same_place(piece, nxt):
                pieces[i + 1] = _join(piece, nxt)
            i += 1  # alone, "解决方法：" means nothing: its code was not imported
            continue
        if (
            _is_lead_in(piece)
            and nxt is not None
            and _same_place(piece, nxt)
            and len(piece.text) + len(nxt.text) < MAX_PASSAGE_CHARS
        ):
            # A short list it introduces, whole ("写测试只要抓住两个原则：" and both of them):
            # one item without the others is half of what was said.
            items = _short_list_after(pieces, i)
            if items > 1:
                joined = piece
                for item in pieces[i + 1 : i + 1 + items]:
                    joined = _join(joined, item)
                after = pieces[i + 1 + items] if i + 1 + items < len(pieces) else None
                if after is not None and _ends_the_sentence(joined, after):
                    joined = _join(joined, after)  # "…两个原则：" a, b "就可以解决八成的问题。"
                    items += 1
                pieces[i + items] = joined
                i += items
                continue
            pieces[i + 1] = _join(piece, nxt)
            i += 1
            continue
        out.append(piece)
        i += 1
    # Then short pieces: onto the previous piece of the same section, else the next one.
    merged: list[Piece] = []
    carry: Piece | None = None
    for index, piece in enumerate(out):
        following = out[index + 1] if index + 1 < len(out) else None
        if carry is not None:
            if _joinable(carry, piece):
                piece = _join(carry, piece)
            else:
                merged.append(carry)
            carry = None
        if len(piece.text) >= MIN_CHARS:
            merged.append(piece)
        elif (
            merged
            and _joinable(merged[-1], piece)
            and not (
                following is not None
                and _joinable(piece, following)
                and _opens_what_follows(merged[-1], piece)
            )
        ):
            merged[-1] = _join(merged[-1], piece)
        else:
            carry = piece
    if carry is not None:
        merged.append(carry)
    # Still short: join body text of the other kind in the same section (a one-word list
    # item after a paragraph), the previous one first.
    out = []
    for index, piece in enumerate(merged):
        if len(piece.text) >= MIN_CHARS:
            out.append(piece)
        elif out and _near(out[-1], piece):
            out[-1] = _join(out[-1], piece)
        elif index + 1 < len(merged) and _near(piece, merged[index + 1]):
            merged[index + 1] = _join(piece, merged[index + 1])
        else:
            out.append(piece)
    return out
