"""The one text normalization, used identically when indexing and when searching.

`normalize` folds width, case, accents and Traditional script, and drops footnote markers,
punctuation and whitespace: what is left is what a reader's half-remembered phrase and the
original passage have in common. `normalize_with_offsets` gives the same string plus, for each
of its characters, the index of the original character it came from, so a match found in
normalized text can be highlighted in the original (which is all a reader ever sees).

Every step works one character at a time, so the result is a pure function of each character:
that keeps the offset map exact and lets bulk normalization run as one `str.translate` call
(C speed) with a table that grows as new characters are seen. Converting scripts per
character rather than per phrase also means no context can change a conversion (the
坏/坯 trap in docs/search.md).

`fold` maps each Chinese character of normalized text to one private-use code point per
toneless pinyin syllable, so homophone typos (组职 for 组织) still share bigrams with the
original, and lengths and offsets are kept.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import opencc
from numpy.typing import NDArray

# Circled, parenthesized and full-stop numbers and superscript digits are footnote markers in
# Chinese typesetting. They must go *before* NFKC, which would turn ⑴ into "(1)" and leave "1".
_FOOTNOTE_RANGES = (
    (0x2460, 0x24FF),  # ① … ⓿, ⑴ … ⒇, ⒈ … ⒛, Ⓐ … ⓩ, ⓪ … ⓿
    (0x2776, 0x2793),  # ❶ … ➓
    (0x3251, 0x325F),  # ㉑ … ㉟
    (0x32B1, 0x32BF),  # ㊱ … ㊿
    (0x2070, 0x209F),  # superscript and subscript digits and signs
)
_SUPERSCRIPTS = "¹²³"

_t2s = opencc.OpenCC("t2s")
# Variant characters that t2s leaves alone because each is a valid Simplified character too,
# though most texts (and readers) write the other one: 钱锺书 / 钟, 钜款 / 巨款, 馀下 / 余下.
# Found as the characters whose Simplified -> Traditional -> Simplified round trip in OpenCC
# lands on another character; the odd ones out (稆, 縆, 镟, 麹, 昵) were left alone.
_VARIANTS = {
    "锺": "钟",
    "缐": "线",
    "讬": "托",
    "谘": "咨",
    "迳": "径",
    "钜": "巨",
    "馀": "余",
    "麺": "面",
    "侭": "尽",
    "渖": "沈",
    "衹": "只",
    # Taiwan's and Hong Kong's standard forms that t2s keeps but tw2s or hk2s turn into
    # the usual Simplified one, each the only reading of its character (MtF.wiki's
    # Traditional pages write 睪丸 / 睪酮; a reader types 睾). Left out: 么 (tw2s: 幺, but
    # 什么), 著 (着 or 著名), 顎 and 鯰 (two Simplified forms each).
    "敍": "叙",
    "枱": "台",
    "痺": "痹",
    "睪": "睾",
    "簷": "檐",
    "粧": "妆",
    "糭": "粽",
    "衞": "卫",
}
_lock = threading.Lock()
# ord(char) -> its normalized form, only for characters whose form differs from themselves
# (str.translate leaves characters missing from the table untouched).
_table: dict[int, str] = {}
# The same, but with dropped characters kept as a space: to find where ASCII words begin and
# end, which the compact form forgets ("python asyncio" -> "pythonasyncio"), and where a run
# of characters was cut by punctuation (normalize_spaced).
_spaced_table: dict[int, str] = {}
_seen: set[str] = set()


def _is_footnote_marker(char: str) -> bool:
    code = ord(char)
    return char in _SUPERSCRIPTS or any(lo <= code <= hi for lo, hi in _FOOTNOTE_RANGES)


def normalize_char(char: str) -> str:
    """The normalized form of one character: "" for punctuation, spaces, symbols, markers."""
    if _is_footnote_marker(char):
        return ""
    out = []
    for part in unicodedata.normalize("NFKC", char).casefold():
        # Strip accents (café = cafe) but keep the base letter.
        for piece in unicodedata.normalize("NFKD", part):
            if unicodedata.combining(piece):
                continue
            piece = unicodedata.normalize("NFC", piece)
            if piece.isalnum():
                if ord(piece) > 0x2E7F:
                    piece = _t2s.convert(piece)
                    piece = _VARIANTS.get(piece, piece)
                out.append(piece)
    return "".join(out)


def _learn(chars: set[str]) -> None:
    new = chars - _seen
    if not new:
        return
    with _lock:
        codes = _code_table
        for char in new:
            normalized = normalize_char(char)
            if normalized != char:
                _table[ord(char)] = normalized
                _spaced_table[ord(char)] = normalized or " "
            if codes is not None:
                codes[ord(char)] = _code_of(normalized)
        _seen.update(new)


# --- many texts at once ----------------------------------------------------------------------
# A search normalizes, folds and strips a few hundred passages. `str.translate` with a dict
# looks every character up in Python (measured: 27 us for a 350-character passage, and four
# views of each); the same tables as arrays indexed by code point, applied with numpy to all
# the passages joined, do it about ten times faster. Same results, character for character.

_CODE_POINTS = 0x110000
_UNSEEN = 0xFFFFFFFF  # not learned yet: `_learn` decides
_DROPPED = 0xFFFFFFFE  # normalizes to nothing (punctuation, spaces, markers)
_SEVERAL = 0xFFFFFFFD  # normalizes to several characters (㎏ -> kg): left to str.translate
Codes = NDArray[np.uint32]
_code_table: Codes | None = None  # code point -> normalized code point (or a marker above)


def _code_of(normalized: str) -> int:
    if not normalized:
        return _DROPPED
    return ord(normalized) if len(normalized) == 1 else _SEVERAL


def _normalize_codes() -> Codes:
    global _code_table
    if _code_table is None:
        with _lock:
            if _code_table is None:
                table = np.full(_CODE_POINTS, _UNSEEN, dtype=np.uint32)
                for char in _seen:
                    table[ord(char)] = _code_of(_table.get(ord(char), char))
                _code_table = table
    return _code_table


@cache
def _fold_codes() -> Codes:
    table = np.arange(_CODE_POINTS, dtype=np.uint32)
    for code, folded in _fold_table().items():
        table[code] = ord(folded)
    return table


@cache
def _drop_mask(chars: frozenset[str]) -> NDArray[np.bool_]:
    mask = np.zeros(_CODE_POINTS, dtype=np.bool_)
    mask[[ord(c) for c in chars]] = True
    return mask


def _as_codes(texts: Sequence[str]) -> Codes | None:
    """The texts joined, as code points; None if one holds a lone surrogate."""
    try:
        return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None


def _bounds(texts: Sequence[str]) -> NDArray[np.int64]:
    """Where each text starts in the joined codes, and where the last ends."""
    out = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=out[1:])
    return out


def _split(codes: Codes, bounds: list[int]) -> list[str]:
    joined = codes.tobytes().decode("utf-32-le")
    return [joined[start:end] for start, end in itertools.pairwise(bounds)]


def _kept_bounds(keep: NDArray[np.bool_], bounds: NDArray[np.int64]) -> NDArray[np.int64]:
    """`bounds` after the characters outside `keep` are removed."""
    out = np.zeros(len(bounds), dtype=np.int64)
    if len(bounds) > 1:
        # Kept characters per text (reduceat sums from each start to the next; a sentinel
        # lets an empty text at the very end start somewhere, and an empty text holds none).
        per_text = np.add.reduceat(np.append(keep, False), bounds[:-1], dtype=np.int64)
        per_text[bounds[:-1] == bounds[1:]] = 0
        np.cumsum(per_text, out=out[1:])
    return out


_LONG_TEXT = 64  # characters: longer texts are normalized with the arrays, even alone


def normalize_many(texts: Sequence[str]) -> list[str]:
    """`[normalize(text) for text in texts]`, in one pass over all of them."""
    if len(texts) == 1:
        return [normalize(texts[0])]
    return _normalize_joined(texts)


def _mapped(codes: Codes) -> Codes:
    """Each code point normalized (or `_DROPPED`, `_SEVERAL`), learning those not seen yet."""
    table = _normalize_codes()
    mapped = table[codes]
    if (mapped == _UNSEEN).any():
        _learn({chr(c) for c in np.unique(codes[mapped == _UNSEEN]).tolist()})
        mapped = table[codes]
    return mapped


def _normalize_joined(texts: Sequence[str]) -> list[str]:
    codes = _as_codes(texts)
    if codes is None:
        return [_normalize_one(text) for text in texts]
    mapped = _mapped(codes)
    bounds = _bounds(texts)
    several = mapped == _SEVERAL
    if several.any():
        # Rare (ligatures, unit symbols): those texts take the slow path, the rest this one.
        odd = set(np.searchsorted(bounds, np.flatnonzero(several), side="right").tolist())
        plain = [t for i, t in enumerate(texts, start=1) if i not in odd]
        done = iter(_normalize_joined(plain))
        return [_normalize_one(t) if i in odd else next(done) for i, t in enumerate(texts, start=1)]
    keep = mapped != _DROPPED
    return _split(mapped[keep], _kept_bounds(keep, bounds).tolist())


@dataclass(frozen=True, slots=True)
class Joined:
    """Texts joined as code points, and where each one starts (and the last ends)."""

    codes: Codes
    bounds: NDArray[np.int64]

    def texts(self) -> list[str]:
        return _split(self.codes, self.bounds.tolist())


@dataclass(frozen=True, slots=True)
class ViewArrays:
    """Normalized texts as `fold_views` sees them, before they become strings again: the
    texts, their fold, and both without the dropped characters."""

    normalized: Joined
    folded: Joined
    content: Joined
    folded_content: Joined


def view_arrays(normalized: Sequence[str], dropped: frozenset[str]) -> ViewArrays | None:
    """The views of normalized texts as arrays (see `ViewArrays`); None if a text holds a
    lone surrogate."""
    codes = _as_codes(normalized)
    if codes is None:
        return None
    bounds = _bounds(normalized)
    folded = _fold_codes()[codes]
    keep = ~_drop_mask(dropped)[codes]
    kept = _kept_bounds(keep, bounds)
    return ViewArrays(
        Joined(codes, bounds),
        Joined(folded, bounds),
        Joined(codes[keep], kept),
        Joined(folded[keep], kept),
    )


def fold_views(
    normalized: Sequence[str], dropped: frozenset[str]
) -> tuple[list[str], list[str], list[str]]:
    """For normalized texts: `fold` of each, each without the `dropped` characters, and the
    fold of that, in one pass over all of them."""
    arrays = view_arrays(normalized, dropped)
    if arrays is None:
        drop = dict.fromkeys(map(ord, dropped))
        content = [t.translate(drop) for t in normalized]
        return [fold(t) for t in normalized], content, [fold(t) for t in content]
    return arrays.folded.texts(), arrays.content.texts(), arrays.folded_content.texts()


def normalize(text: str) -> str:
    """Normalize text for indexing and matching (see the module docstring)."""
    if len(text) > _LONG_TEXT:
        return _normalize_joined([text])[0]
    return _normalize_one(text)


def _normalize_one(text: str) -> str:
    _learn(set(text))
    return text.translate(_table)


def normalize_spaced(text: str) -> str:
    """`normalize(text)` with a space wherever it drops something (punctuation, spaces,
    markers): where its runs were cut, to tell a word from characters that meet only once
    the punctuation between them is gone (经》，心 is not 经心)."""
    _learn(set(text))
    return text.translate(_spaced_table)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalize(text)` plus, per output character, the index of its source character.

    With the code-point table (numpy) when every character normalizes to at most one: a
    search highlights up to 20 long passages, and the loop below cost ~1 ms for each."""
    if len(text) > _OFFSETS_BY_ARRAY:
        points = _as_codes([text])
        if points is not None:
            mapped = _mapped(points)
            kept = mapped != _DROPPED
            out = mapped[kept]
            if not (out == _SEVERAL).any():
                offsets: list[int] = np.flatnonzero(kept).tolist()
                return out.tobytes().decode("utf-32-le"), offsets
    return _normalize_with_offsets_slowly(text)


def _normalize_with_offsets_slowly(text: str) -> tuple[str, list[int]]:
    _learn(set(text))
    table = _table
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        normalized = table.get(ord(char), char)
        out.append(normalized)
        offsets.extend([index] * len(normalized))
    return "".join(out), offsets


_OFFSETS_BY_ARRAY = 64  # characters: shorter texts are cheaper in the loop


def original_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Map the normalized span [start, end) back to a span of the original text."""
    if not offsets or end <= start:
        return (0, 0)
    start = max(0, min(start, len(offsets) - 1))
    end = max(start + 1, min(end, len(offsets)))
    return offsets[start], offsets[end - 1] + 1


# --- pinyin folding -------------------------------------------------------------------------

_PUA_BASE = 0xE000


def _toneless(reading: str) -> str:
    reading = reading.replace("ü", "v")
    return "".join(
        c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c)
    )


@cache
def _syllables() -> dict[int, str]:
    """Chinese character code -> its toneless syllable ("zhi"), from its first reading."""
    from pypinyin.pinyin_dict import pinyin_dict  # heavy module: load only when first needed

    out: dict[int, str] = {}
    for code, readings in pinyin_dict.items():
        syllable = _toneless(readings.split(",", 1)[0])
        if syllable.isascii() and syllable.isalpha():
            out[code] = syllable
    return out


@cache
def syllable_codes() -> dict[str, str]:
    """Toneless syllable -> its private-use code point (sorted, so stable across runs)."""
    names = sorted(set(_syllables().values()))
    return {name: chr(_PUA_BASE + i) for i, name in enumerate(names)}


@cache
def _fold_table() -> dict[int, str]:
    ids = syllable_codes()
    return {code: ids[name] for code, name in _syllables().items()}


@cache
def signature() -> str:
    """What the index terms depend on besides the code: the Unicode tables, the converter
    and the syllable table. A database built under another signature would miss matches."""
    import hashlib
    from importlib.metadata import version

    variants = "".join(f"{a}{b}" for a, b in sorted(_VARIANTS.items()))
    parts = [unicodedata.unidata_version, version("opencc"), variants, *syllable_codes()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def warm_up() -> None:
    """Build the lazily-made tables now, so the first search does not pay for them."""
    _fold_table()
    normalize("繁體")
    _normalize_codes()
    _fold_codes()
    _other_readings()  # the first query typed in pinyin paid 60 ms for it
    _rare_readings()


_ROMAN_TOKEN = re.compile(r"[a-z]+")
_MAX_SYLLABLE = 6  # "zhuang", "shuang"


@dataclass(frozen=True, slots=True)
class Romanized:
    """A query typed in pinyin, read as syllables."""

    syllables: tuple[str, ...]  # toneless, as in the syllable table ("zhang", "lve")
    folded: str  # their code points: what `fold` makes of Chinese read that way
    # Characters whose *first* reading (the one `fold` and the index use) is another one,
    # but which can be read as one of these syllables (长 is zhang first, chang too):
    # mapping them to that syllable lets 长城 answer "changcheng".
    overrides: dict[int, str]
    # Of those, the ones read so only rarely (或 as yu; see `_rare_readings`): the overrides
    # without them.
    usual_overrides: dict[int, str]
    # Words of the query that are not pinyin, kept as typed among the syllables ("linkedlist"
    # in "linkedlist shi shiyong shuangxiang lianbiao"): the text writes them so too.
    literal: tuple[str, ...] = ()


_PINYIN_SEPARATORS = re.compile(r"['’‘`´\s\-·]+")
_TRAILING = re.compile(r"[\s.,!?;:。，！？；：…]+$")
_SYLLABLE_ALIASES = {"lue": "lve", "nue": "nve"}  # how people type lüe, nüe


def romanized(query: str) -> Romanized | None:
    """A query typed in pinyin ("geming bushi qingke chifan", "ZhiLaoHu", "lv3 se4",
    "gé mìng", "xi’an"), or None when it is not pinyin: anything but letters, tone marks or
    digits, spaces and apostrophes, fewer than two syllables (one matches too many
    characters), or words that do not split into syllables ("International", "CWI") where
    pinyin does not outnumber them (see `_PINYIN_PER_LITERAL`)."""
    readings = romanized_readings(query)
    return readings[0] if readings else None


_MAX_READINGS = 4


def romanized_readings(query: str) -> list[Romanized]:
    """Every way to read a pinyin query with the fewest syllables, up to a few: "fangan" is
    fan-gan or fang-an (方案), and only the text can tell which the reader meant."""
    text = _TRAILING.sub("", query.lower())
    text = text.replace("ü", "v").replace("u:", "v")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _PINYIN_SEPARATORS.sub(" ", re.sub(r"[1-5]", " ", text))
    if not text.isascii() or re.search(r"[^a-z ]", text):
        return []
    codes = syllable_codes()
    readings: list[list[str]] = [[]]
    tokens = _ROMAN_TOKEN.findall(text)
    literal: list[str] = []
    words = 0  # pinyin tokens of two syllables or more: "shiyong", not "de" or "a"
    singles: set[str] = set()  # tokens of one syllable, typed apart: "ben fang fa xue"
    for token in tokens:
        splits = _split_syllables(token, codes)
        if not splits:
            if len(token) < _LITERAL_MIN:
                return []
            literal.append(token)
            splits = [[token]]
        elif len(splits[0]) > 1:
            words += 1
        else:
            singles.add(token)
        readings = [[*before, *split] for before in readings for split in splits]
        readings = readings[:_MAX_READINGS]
    pinyin = len(tokens) - len(literal)
    # A name in capitals (GRE, APS) is plainly not English prose: fewer pinyin words will do.
    capitals = _capitals(query)
    named = all(word in capitals for word in literal)
    per_literal = _PINYIN_PER_NAME if named else _PINYIN_PER_LITERAL
    # Syllables typed one by one beside a word that is not English's own ("ben fang fa xue
    # ruby": 笨方法学 Ruby): English has few runs of four words that each spell a syllable.
    # (Four different ones: "la la la la lyrics", "yo yo ma pa cello" are songs.)
    spelled = len(singles) >= _SYLLABLES_PER_NAME * len(literal) and not _ENGLISH.intersection(
        tokens
    )
    if literal and (
        pinyin < per_literal * len(literal)
        or (
            words < _WORDS_PER_LITERAL * len(literal)
            and (not named or pinyin < _SYLLABLES_PER_NAME * len(literal))
            and not spelled
        )
    ):
        return []
    if not readings or len(readings[0]) - len(literal) < 2:
        return []
    return [_reading(syllables, codes, tuple(literal)) for syllables in readings]


# A reader typing pinyin keeps a name or an English word as it is written ("linkedlist shi
# shiyong shuangxiang lianbiao shixian de", "vue de shengming zhouqi"): such a word is read
# as itself where pinyin words are at least three times as many, two of them words of two
# syllables or more. Fewer, and the query is English in which short words happen to spell
# syllables ("he is a man": he, a, man; "women of china": wo-men, chi-na; "open one file"),
# or a name with one pinyin word beside it ("iphone shouji"). A word typed in capitals is a
# name or an exam ("GRE xiuxian zhinan", "nan ke da APS shen he zhi bei"): twice as many
# pinyin words will do, two of two syllables or four single ones.
_PINYIN_PER_LITERAL = 3
_WORDS_PER_LITERAL = 2
_PINYIN_PER_NAME = 2
_SYLLABLES_PER_NAME = 4


# English's own short words: beside them, words that spell syllables are English too ("he
# and she can hang", "a man and a woman").
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "is",
        "are",
        "was",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "my",
        "your",
        "you",
        "it",
        "this",
        "that",
        "be",
        "not",
        "or",
        "as",
        "by",
        "from",
        "we",
        "they",
        "he",
        "she",
        "his",
        "her",
        "its",
        "our",
        "their",
        "an",
        "but",
        "if",
        "so",
        "do",
        "does",
        "did",
        "can",
        "will",
    ]
)


def _capitals(query: str) -> set[str]:
    """The words of two letters or more typed in capitals, lower-cased."""
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", query) if w.isupper()}


_LITERAL_MIN = 2  # letters: a lone letter is an initial or a typo, not a word


def _reading(
    syllables: list[str], codes: dict[str, str], literal: tuple[str, ...] = ()
) -> Romanized:
    other_readings = _other_readings()
    first = _syllables()
    typed = set(syllables)
    # A character read another way than its first reading is folded to the typed syllable,
    # unless its first reading is typed too (月 is yue first and ru too: in "riyue rusuo"
    # it is the yue).
    overrides = {
        code: codes[syllable]
        for syllable in typed
        for code in other_readings.get(syllable, ())
        if first.get(code) not in typed
    }
    rare = _rare_readings()
    usual = {code: s for code, s in overrides.items() if code not in rare.get(s, ())}
    # A literal word folds to itself, as `fold` leaves Latin letters in the text alone.
    folded = "".join(codes.get(s, s) for s in syllables)
    return Romanized(tuple(syllables), folded, overrides, usual, literal)


@cache
def _other_readings() -> dict[str, tuple[int, ...]]:
    """Syllable -> the characters that can be read so, but whose first reading differs."""
    from pypinyin.pinyin_dict import pinyin_dict

    first = _syllables()
    out: dict[str, list[int]] = {}
    for code, readings in pinyin_dict.items():
        if code not in first or not _common(chr(code)):
            continue
        for reading in readings.split(",")[1:]:
            syllable = _toneless(reading)
            if syllable != first[code] and syllable.isascii() and syllable.isalpha():
                out.setdefault(syllable, []).append(code)
    return {syllable: tuple(dict.fromkeys(codes)) for syllable, codes in out.items()}


@cache
def _rare_readings() -> dict[str, frozenset[int]]:
    """Syllable code -> the characters `_other_readings` lets be read so though no word of
    pypinyin's dictionary of words (47k) reads them so: 或 as yu (或 is huo in all its eight
    words). The words tell how a reading is used, which the character table's order does
    not: 长 is chang in 407 words and zhang in 144, though zhang comes first in the table."""
    # (loaded with pypinyin already: its package imports it)
    from pypinyin.phrases_dict import phrases_dict

    used: set[tuple[int, str]] = set()
    for word, readings in phrases_dict.items():
        for char, reading in zip(word, readings, strict=False):
            used.add((ord(char), _toneless(reading[0])))
    codes = syllable_codes()
    return {
        codes[syllable]: frozenset(c for c in chars if (c, syllable) not in used)
        for syllable, chars in _other_readings().items()
        if syllable in codes
    }


def _common(char: str) -> bool:
    """GB 2312's first level: the 3,755 most used characters. A reader typing pinyin means a
    common word; rare characters' odd readings would only add noise (and look-ups)."""
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def first_reading_codes(syllable: str) -> tuple[str, ...]:
    """The code points the index may hold for a character read as `syllable`: its own, and
    the first readings of characters that can also be read so (for retrieval terms)."""
    codes = syllable_codes()
    first = _syllables()
    alternatives = {first[code] for code in _other_readings().get(syllable, ())}
    ordered = [syllable, *sorted(alternatives - {syllable})]
    return tuple(codes[s] for s in ordered if s in codes)


def _split_syllables(token: str, codes: dict[str, str]) -> list[list[str]]:
    """The splits of `token` into the fewest pinyin syllables ("xian" is one syllable, not
    xi-an; "geming" is ge-ming; "fangan" is fan-gan and fang-an), at most a few; [] if
    there is none."""
    best: list[list[list[str]]] = [[] for _ in range(len(token) + 1)]
    best[0] = [[]]
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            piece = _SYLLABLE_ALIASES.get(token[start:end], token[start:end])
            if piece not in codes and "v" in piece:
                piece = piece.replace("v", "u")  # lv, nv: the table folds ǜ into u
            if not best[start] or piece not in codes:
                continue
            candidates = [[*before, piece] for before in best[start]]
            current = best[end]
            if not current or len(candidates[0]) < len(current[0]):
                best[end] = candidates[:_MAX_READINGS]
            elif len(candidates[0]) == len(current[0]):
                best[end] = (current + candidates)[:_MAX_READINGS]
    return best[len(token)]


def fold(normalized: str) -> str:
    """Fold normalized text to syllable code points; other characters are kept."""
    return normalized.translate(_fold_table())


# --- terms -----------------------------------------------------------------------------------

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_OTHER_RUN = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Terms:
    """What the index stores (and a query looks up) for one text."""

    norm: str  # normalize(text)
    raw: list[str]  # ASCII words whole; other runs as bigrams plus their last character
    folded: list[str]  # pinyin-folded bigrams that differ from the raw ones


def _bigrams(run: str) -> list[str]:
    return list(map(str.__add__, run[:-1], run[1:]))


def analyze(text: str) -> Terms:
    """Terms of a text. A run of one character stands for itself, and the last character of
    every run is a term too, so a one-character query can be answered by prefix."""
    spaced = normalize_spaced(text)
    norm = spaced.replace(" ", "")
    raw: list[str] = []
    folded_runs: list[str] = []
    for match in _OTHER_RUN.finditer(norm):
        run = match.group()
        if len(run) == 1:
            raw.append(run)
            continue
        raw.extend(_bigrams(run))
        raw.append(run[-1])
        folded_runs.append(run)
    raw.extend(_ASCII_WORD.findall(spaced))
    folded: list[str] = []
    if folded_runs:
        seen = set(raw)
        for run in folded_runs:
            folded_run = fold(run)
            if folded_run != run:
                folded.extend(t for t in _bigrams(folded_run) if t not in seen)
    return Terms(norm, raw, folded)


def index_terms(text: str) -> str:
    """The space-separated term string stored in the full-text index for a text."""
    terms = analyze(text)
    return " ".join(terms.raw + terms.folded)


def index_terms_many(texts: Sequence[str]) -> list[str]:
    """For each text, a term string with the same terms as `index_terms(text)` (each once
    or more, in another order: the index keeps which passages hold a term, nothing else),
    for all the texts at once.

    Building terms one Python string at a time was a quarter of indexing (137 us for a
    book paragraph); here bigrams, run ends and folded bigrams are cut from the joined code
    points with numpy, and only ASCII words are found with a regular expression."""
    codes = _as_codes(texts) if len(texts) > 1 else None
    if codes is None:
        return [index_terms(text) for text in texts]
    mapped = _mapped(codes)
    bounds = _bounds(texts)
    several = mapped == _SEVERAL
    if several.any():  # ligatures, unit symbols: those texts take the slow path
        odd = set(np.searchsorted(bounds, np.flatnonzero(several), side="right").tolist())
        plain = [t for i, t in enumerate(texts, start=1) if i not in odd]
        done = iter(index_terms_many(plain))
        return [index_terms(t) if i in odd else next(done) for i, t in enumerate(texts, start=1)]
    keep = mapped != _DROPPED
    norm = mapped[keep]
    kept = _kept_bounds(keep, bounds)
    count = len(texts)
    owner = np.repeat(np.arange(count), np.diff(kept))  # which text each character is from
    word = ((norm >= 97) & (norm <= 122)) | ((norm >= 48) & (norm <= 57))  # [a-z0-9]
    other = ~word
    same = owner[:-1] == owner[1:]
    pairs = np.flatnonzero(other[:-1] & other[1:] & same)  # bigrams within a run
    last = np.ones(len(norm), dtype=np.bool_)
    last[:-1] = ~(other[1:] & same)
    ends = np.flatnonzero(other & last)  # the last character of every run
    folded = _fold_codes()[norm]
    differs = (folded[pairs] != norm[pairs]) | (folded[pairs + 1] != norm[pairs + 1])
    folded_pairs = pairs[differs]
    space = np.uint32(32)
    # Every term as three code points, the last a space (a run end: two spaces).
    kinds = [
        (pairs, np.stack([norm[pairs], norm[pairs + 1], np.full(len(pairs), space)], axis=1)),
        (
            ends,
            np.stack([norm[ends], np.full(len(ends), space), np.full(len(ends), space)], axis=1),
        ),
        (
            folded_pairs,
            np.stack(
                [
                    folded[folded_pairs],
                    folded[folded_pairs + 1],
                    np.full(len(folded_pairs), space),
                ],
                axis=1,
            ),
        ),
    ]
    # Each text's terms together: the kinds one after another, each in its own order.
    per_kind = [np.bincount(owner[positions], minlength=count) for positions, _ in kinds]
    starts = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(sum(per_kind), out=starts[1:])
    out = np.empty((int(starts[-1]), 3), dtype=np.uint32)
    offset = starts[:-1].copy()
    for (positions, rows), counts in zip(kinds, per_kind, strict=True):
        first = np.zeros(count, dtype=np.int64)
        np.cumsum(counts[:-1], out=first[1:])
        text = owner[positions]
        out[offset[text] + np.arange(len(positions)) - first[text]] = rows
        offset += counts
    joined = out.tobytes().decode("utf-32-le")
    # ASCII words whole, from the text with dropped characters as spaces (their boundaries).
    spaced = np.where(keep, mapped, space)
    has_word = np.add.reduceat(
        np.append(((spaced >= 97) & (spaced <= 122)) | ((spaced >= 48) & (spaced <= 57)), False),
        bounds[:-1],
        dtype=np.int64,
    )
    has_word[bounds[:-1] == bounds[1:]] = 0
    result = []
    for index, (start, end) in enumerate(itertools.pairwise((3 * starts).tolist())):
        terms = joined[start:end]
        if has_word[index]:
            text = spaced[bounds[index] : bounds[index + 1]].tobytes().decode("utf-32-le")
            terms += " ".join(_ASCII_WORD.findall(text))
        result.append(terms)
    return result
