"""Find the passage a reader half-remembers.

The plan, measured in docs/search.md and tuned on tests/data/dev-queries.yaml:

1. Clean the query (control characters, lone surrogates, chatter such as "求出处："), and
   normalize it the same way the index was built (`bot.text`).
2. Exact tier: passages holding every one of the query's rarest terms, verified as a
   substring of the normalized text. These score 100.
3. Fuzzy tier: the query's rarest bigrams, raw and pinyin-folded, each read up to a cap of
   passage ids; passages are ranked by how much rare evidence they cover, and the best
   `_POOL` are reranked with rapidfuzz on normalized (and folded) text.
4. Headings are searched the same way; a heading hit answers with its section's first
   passage.
5. A result must clear a threshold that depends on the query's length, so a query with
   nothing relevant returns nothing rather than the best of the junk.

Everything from step 2 on runs in one hop to the database thread (`Store.run`).
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from bot.meaning import MeaningIndex, shared_encoder
from bot.models import Match, MatchKind, PassageKind, StoredPassage
from bot.store import CorpusReader, IdArray, Reader
from bot.text import (
    Joined,
    ViewArrays,
    analyze,
    first_reading_codes,
    fold,
    fold_views,
    normalize,
    normalize_many,
    normalize_with_offsets,
    original_span,
    romanized_readings,
    view_arrays,
)
from bot.text import warm_up as _warm_up_text

__all__ = ["SearchResult", "clean_query", "search", "warm_up"]

MAX_QUERY_CHARS = 512  # a reply-able query; Telegram's inline queries stop at 256
_EXACT_CAP = 1000  # exact matches considered at most (paging beyond this is not useful)
_TERM_CAP = 1500  # passage ids read per rare term
_RARE_TERMS = 10  # rare terms read per query variant
_RARE_TERMS_LONG = 16  # ... for a long query, whose rarest terms may be typos' noise
_POOL = 80  # fuzzy candidates reranked
_PER_COVERAGE = 6  # of them with the same coverage: near-duplicates tie (see _diverse_pool)
_HEADING_POOL = 30
_FOLDED_DISCOUNT = 0.94  # a homophone match is good, an exact one is better
_CONTENT_DISCOUNT = 0.96  # so is one that needed function characters left out
_UNORDERED_DISCOUNT = 0.88  # the right words in another order: good, not as good
_UNORDERED_MIN = 6  # content characters; shorter queries are not reordered clauses
_CONTENT_MIN = 4  # content characters needed before the views without function characters
_CONTENT_SHARE = 0.6  # ... and the share of the query they must keep
_DERIVED_WEIGHT = 0.99
_SHORT_QUERY = 4  # normalized characters
_LONG_QUERY = 16
_READING_ALTERNATIVES = 32  # first readings looked up per pinyin syllable
_PAIR_TERMS = 256  # bigram terms per pair of pinyin syllables
_SUBSTITUTION_LENGTHS = (4, 8)  # queries this long may have one character wrong
_PREFILTER = 45.0  # below this partial_ratio a passage cannot reach any threshold
# Meaning matches (bot.meaning). Candidates: the passages whose best unit is closest to the
# query, ranked by cosine plus the evidence of their words: the share of the query's specific
# terms they hold (names, numbers and rare nouns survive a paraphrase) and their character
# score. Cosine alone cannot decide whether to answer (measured: a nearby-topic question's
# best cosine reaches 0.66 while right answers start near 0.45), so the best candidate is
# offered only when a logistic model of four signals (its cosine, its share of terms, its
# character score, and how far its cosine stands above the runner-up's) says a right answer
# is more likely than not. The weights were fitted on the dev halves of query sets written
# by reading four corpora (the shipped post, hexo-sample, a Hugo blog, Lu Xun's essays; 490
# queries with 80 negatives), left one corpus out at a time to check they carry over:
# answers 9% of those negatives, finds 0.90 of the rest first (0.84-0.92 per corpus held
# out); see docs/search.md.
_ALL_WORDS_SCORE = 99.0  # every keyword in the passage: after the query as typed, before the rest
_ALL_WORDS_CAP = 2000  # candidate passages read for a keyword query
_MEANING_MIN_CHARS = 5  # shorter queries are words, not meanings ("谢谢", "托派")
_MEANING_POOL = 30
_RANK_LEXICAL = 0.4  # candidate rank: cosine + these times the word evidence
_RANK_CHARACTERS = 0.15
_ANSWER_WEIGHTS = (13.65, 3.27, 5.01, 7.66)  # cosine, share of terms, characters/100, lead
_ANSWER_BIAS = -10.53  # offered when the weighted sum is at least 0 (probability >= 0.5)
_MEANING_SPREAD = 0.1  # once confident, also offer candidates this close to the best
# Function characters: particles, copulas, common adverbs and conjunctions. Readers drop and
# add them freely when they misremember ("托派最擅长的就是篡改历史" for "托派很擅长篡改历史").
# Negations (不, 没) carry meaning and are not here.
_FUNCTION_CHARS = frozenset(
    "的地得了着过是在就也都还很最更又再才却把被将让给对和与及而并或但则即之其这那此个一有吗呢吧啊呀嘛啦哦们"
)
_DROP_FUNCTION_CHARS: dict[int, None] = dict.fromkeys(map(ord, _FUNCTION_CHARS))

# Things readers wrap around the words they remember. Removed from a copy of the query;
# the original is searched too, and the better answer wins.
_CHATTER = re.compile(
    r"(求出处|求原文|求原话|求助|出处是|(这|那)(句|段)话?|出自哪(里|篇|本书)?|出自何处|"
    r"(原话|原文)(是什么|是怎么说的|怎么说)|是怎么说的|怎么说的|能找到(原文|原话|出处)吗?|"
    r"原话|原文|(是|是在)?哪(篇|本)(文章|书)里?的?|是谁说的|谁说的|(群|网)上?里?有人(发|说)过?(一段)?|"
    r"有(篇|本)(文章|书)(里|上|中)?说过?|有人说过?|文章里说|文中说|书上说|记得有句话|"
    r"有句话|大意是|好像是|大概是|[^\s，,。：:“”]{1,6}说过?[：:]|请问|谢谢|麻烦|"
    r"帮(我|忙)找|找一下|什么意思|是什么|[吗呢吧啊呀？?]+$)"
)
# Quotation marks around the words a reader remembers. Not 《》: a book's title names a work,
# it is not a quote of it ("列宁在《国家与革命》里怎么讲…" is not a search for the title).
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{4,})[”\"」』]")
# Clauses: what a reader's chatter is wrapped around ("之前读到过一个比方，说…，在哪篇文章里").
# A clause cut out of the query stands for it only when it matches almost word for word.
_CLAUSE_SPLIT = re.compile(r"[\s，,。.!！?？;；:：、“”\"「」『』()（）…~～]+")
_CLAUSE_MIN = 6  # normalized characters
_CLAUSE_SCORE = 88.0
# Numbers written the other way: 三个月 / 3个月, 一八九八年 / 1898年, 第十五次 / 第15次.
_CHINESE_DIGITS = dict(
    zip("〇零一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile(r"[〇零一二两三四五六七八九十百千]+")
_MEASURE_AFTER = re.compile(r"[个年月日号天次岁人位种条本篇章节周倍万亿分小届期]")
_DIGIT_RUN = re.compile(r"(?<![0-9.])[0-9]+(?![0-9.])")


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    matches: list[Match]
    total: int
    took_ms: float


@dataclass(slots=True)
class _Variant:
    """One normalized form of the query to look for."""

    norm: str
    folded: str
    raw_terms: list[str]
    folded_terms: list[str]
    weight: float  # 1 for the query as typed; a little less for forms cut out of it
    prefix: str | None  # a trailing ASCII word that may be unfinished ("Intern…")
    content: str  # norm without function characters
    romanized: bool = False  # typed in pinyin: `folded` holds the syllables it stands for
    # For a pinyin query: characters to fold by another reading than their first (长 -> chang)
    overrides: dict[int, str] | None = None
    term_groups: list[list[str]] | None = None  # pinyin: each syllable pair's spellings
    min_score: float = 0.0  # a clause cut out of the query must match almost word for word


@dataclass(slots=True)
class _Scored:
    score: float
    kind_rank: int
    passage_id: int
    span: tuple[int, int] | None = None  # best alignment in normalized text
    # ... or in normalized text without function characters: mapped back only for the page
    span_in_content: bool = False
    via_heading: bool = False
    heading_equal: bool = False  # the query is this passage's heading, word for word
    kind: MatchKind = MatchKind.TEXT


def clean_query(query: str, *, limit: int = MAX_QUERY_CHARS) -> str:
    """The one query cleaner, for every entry (CLI, chat, inline, buttons): drop what cannot
    be searched or even encoded: control and format characters (including RTL and zero-width
    marks), lone surrogates; collapse spaces; cap the length at `limit` characters."""
    kept = []
    for char in query[: limit * 2]:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" ")
            continue
        kept.append(char)
    return " ".join("".join(kept).split())[:limit]


def _chinese_number(run: str) -> int | None:
    """The value of a run of Chinese numerals (三十五, 一百二十, 十); None if malformed."""
    total, digit = 0, None
    for char in run:
        if char in _CHINESE_DIGITS:
            if digit is not None:
                return None  # 三五 is not a number a reader would mean as 35
            digit = _CHINESE_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * _CHINESE_UNITS[char]
            digit = None
    return total + (digit or 0)


def _numbers_as_digits(text: str) -> str:
    """Chinese numerals that count something, as digits: 一八九八年 -> 1898年, 三个月 -> 3个月."""

    def convert(match: re.Match[str]) -> str:
        run = match.group()
        after = text[match.end() : match.end() + 1]
        counts = (
            len(run) >= 2 or bool(_MEASURE_AFTER.match(after)) or text[: match.start()][-1:] == "第"
        )
        if not counts:
            return run  # 一定, 统一: a word, not a number
        if not any(c in _CHINESE_UNITS for c in run):
            return "".join(str(_CHINESE_DIGITS[c]) for c in run)  # a year read digit by digit
        value = _chinese_number(run)
        return run if value is None else str(value)

    return _NUMERAL_RUN.sub(convert, text)


def _numbers_as_chinese(text: str) -> str:
    """Digits as Chinese numerals: 1898年 -> 一八九八年, 3个月 -> 三个月, 15次 -> 十五次."""
    names = "〇一二三四五六七八九"

    def convert(match: re.Match[str]) -> str:
        digits = match.group()
        if len(digits) >= 3:
            return "".join(names[int(d)] for d in digits)  # years and codes: digit by digit
        value = int(digits)
        if value < 10:
            return names[value]
        tens, ones = divmod(value, 10)
        return ("" if tens == 1 else names[tens]) + "十" + (names[ones] if ones else "")

    return _DIGIT_RUN.sub(convert, text)


def _clauses(query: str) -> list[str]:
    """The clauses of a query that has several (and pairs of neighbours), chatter removed:
    the remembered words are usually one or two of them."""
    parts = [p for p in _CLAUSE_SPLIT.split(query) if p]
    if len(parts) < 2:
        return []
    out = []
    for part in [*parts, *map("，".join, itertools.pairwise(parts))]:
        kept = _CHATTER.sub(" ", part).strip()
        norm = normalize(kept)
        chinese = sum(1 for char in norm if not char.isascii())
        # A few words of Chinese at least: a lone English word ("ChatGPT") is a keyword,
        # and a clause that is one would match every passage that mentions it.
        if chinese >= 3 and len(norm) >= _CLAUSE_MIN:
            out.append(kept)
    return out


def _variants(query: str) -> list[_Variant]:
    forms = [query]
    stripped = _CHATTER.sub(" ", query).strip()
    if stripped and stripped != query:
        forms.append(stripped)
    forms.extend(m.group(1) for m in _QUOTED.finditer(query))
    for converted in (_numbers_as_digits(query), _numbers_as_chinese(query)):
        if converted != query:
            forms.append(converted)
    # Clauses cut out of the query are held to a stricter standard than the forms above.
    clauses = set(_clauses(query)) - set(forms)
    forms.extend(sorted(clauses, key=len, reverse=True))
    out: list[_Variant] = []
    seen: set[str] = set()
    for form in forms:
        terms = analyze(form)
        norm = terms.norm
        if not norm or norm in seen or (len(norm) == 1 and norm.isascii()):
            continue  # a lone Latin letter or digit is in nearly every passage
        seen.add(norm)
        folded = fold(norm)
        # Single characters are only terms for a one-character query.
        raw_terms = list(dict.fromkeys(t for t in terms.raw if len(t) > 1 or len(norm) == 1))
        folded_terms = list(dict.fromkeys(terms.folded))
        # A form cut out of the query (chatter removed, a quoted part) must not tie with the
        # whole query matching exactly.
        weight = 1.0 if form is query else _DERIVED_WEIGHT
        last = raw_terms[-1] if raw_terms else ""
        prefix = last if last.isascii() and len(last) >= 3 and norm.endswith(last) else None
        content = _without_function_chars(norm)
        variant = _Variant(norm, folded, raw_terms, folded_terms, weight, prefix, content)
        if form in clauses:
            variant.min_score = _CLAUSE_SCORE
        out.append(variant)
    for roman in romanized_readings(query):
        # Also look for the Chinese the pinyin stands for. Typed words still count as words:
        # where they occur as typed ("long", "change"), that match scores 100 and this one at
        # most 94, so English keeps its meaning.
        norm = "".join(query.lower().split())
        groups = _pinyin_groups(roman.syllables)
        out.append(
            _Variant(
                norm,
                roman.folded,
                [],
                [t for group in groups for t in group],
                1.0,
                None,
                "",
                romanized=True,
                overrides=roman.overrides,
                term_groups=groups,
            )
        )
    return out


def _pinyin_groups(syllables: tuple[str, ...]) -> list[list[str]]:
    """Per pair of syllables, the index terms a text read that way may have: the index folds
    each character by its first reading, so 长城 is stored as zhang-cheng and "changcheng"
    must look for that too. Terms the index lacks cost one look-up each and are dropped."""
    options = [first_reading_codes(s)[:_READING_ALTERNATIVES] for s in syllables]
    return [
        list(dict.fromkeys(a + b for a in left for b in right))[:_PAIR_TERMS]
        for left, right in itertools.pairwise(options)
    ]


def _kind_rank(kind: str) -> int:
    # Editors' notes rank after the body when the scores tie.
    return 1 if kind == PassageKind.NOTE.value else 0


def _min_score(length: int) -> float:
    """The score a match must reach, by normalized query length."""
    if length <= 2:
        return 100 * _FOLDED_DISCOUNT  # exact, or an exact homophone
    if length <= 4:
        return 78.0  # three of four characters is another word (就是这样 / 就是这个)
    if length <= 8:
        return 75.0
    # Measured: misremembered sentences score 66+, nearby-topic sentences up to 63 even on
    # 24 M characters of near-duplicate text.
    return 65.0


def _chunk_coverage(q: str, text: str, span: tuple[int, int]) -> float:
    """Share of the query's characters that match, in order, in runs of two or more near
    the best alignment: a related sentence sharing only scattered characters scores low."""
    pad = len(q)
    window = text[max(0, span[0] - pad) : span[1] + pad]
    blocks = LCSseq.opcodes(q, window).as_matching_blocks()
    return sum(b.size for b in blocks if b.size >= 2) / len(q)


def _view_score(
    q: str, text: str, floor: float = 0.0, bound: float = 100.0
) -> tuple[float, tuple[int, int]]:
    """partial_ratio blended with chunk coverage, for one view of query and text.

    With a `floor`, a score that cannot reach it comes back as 0: rapidfuzz then stops early
    on hopeless windows (about half the time of a full alignment), and is not even asked when
    `bound` (at least partial_ratio, see `_ratio_bounds`) is below what it would need. A score
    that can reach the floor is the same, with the same alignment."""
    cutoff = 0.0
    if floor > _PREFILTER / 2:
        # Below _PREFILTER the score is half of partial_ratio; above, at most (ratio + 100) / 2.
        cutoff = max(_PREFILTER, 2 * floor - 100)
        if bound + 1e-6 < cutoff:  # (a hair of room for float rounding)
            return 0.0, (0, 0)  # what rapidfuzz answers below the cutoff
    alignment = fuzz.partial_ratio_alignment(q, text, score_cutoff=cutoff)
    if not alignment:
        return 0.0, (0, 0)
    span = (alignment.dest_start, alignment.dest_end)
    if alignment.score < _PREFILTER:
        return alignment.score / 2, span
    return (alignment.score + 100 * _chunk_coverage(q, text, span)) / 2, span


def _unordered_view(q: str, text: str, floor: float = 0.0) -> tuple[float, tuple[int, int]]:
    """Share of the query's distinct bigrams found together, in any order, within a window
    twice the query's length: clauses remembered in another order (篡改历史是托派很擅长的).

    Below a `floor` it may answer 0: when the query's characters covered by the pairs the
    text holds anywhere (a bound on the score, a few `in` tests) cannot reach it."""
    pairs = set(map(str.__add__, q[:-1], q[1:]))
    if floor > 0:
        present = {pair for pair in pairs if pair in text}
        reachable = sum(
            1
            for i in range(len(q))
            if q[i : i + 2] in present or (i and q[i - 1 : i + 1] in present)
        )
        if 100 * reachable / len(q) < floor:
            return 0.0, (0, 0)
        pairs = present
    hits: list[tuple[int, str]] = []
    for pair in pairs:
        start = text.find(pair)
        while start >= 0:
            hits.append((start, pair))
            start = text.find(pair, start + 1)
    if not hits:
        return 0.0, (0, 0)
    hits.sort()
    width = 2 * len(q)
    best, best_span, best_pairs = 0, (0, 0), set()
    counts: dict[str, int] = {}
    left = 0
    for position, pair in hits:
        counts[pair] = counts.get(pair, 0) + 1
        while position - hits[left][0] > width:
            old = hits[left][1]
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
            left += 1
        if len(counts) > best:
            best, best_span, best_pairs = len(counts), (hits[left][0], position + 2), set(counts)
    # Score by the query characters those pairs cover: a remembered run of four characters
    # is three pairs, and should count for four characters, not three of the pairs.
    covered = {i + k for i in range(len(q) - 1) if q[i : i + 2] in best_pairs for k in (0, 1)}
    return 100 * len(covered) / len(q), best_span


def _without_function_chars(norm: str) -> str:
    return norm.translate(_DROP_FUNCTION_CHARS)


# The same passages come back query after query (and variant after variant), and `str`
# caches its hash, so a small LRU saves normalizing the few texts read one at a time.
_cached_normalize = lru_cache(maxsize=4096)(normalize)


@dataclass(frozen=True, slots=True)
class _Views:
    """The other views of a normalized passage text that `_score_text` compares."""

    folded: str
    content: str  # without function characters
    folded_content: str


class _ViewCache:
    """Normalized text -> its `_Views`, for the most recent few thousand texts. A search
    fills it with all its candidates at once (`fill`: one pass of numpy over all of them,
    about ten times faster than three `str.translate` calls per passage, which took a third
    of a search on 24 M characters); a text scored without that (`get`) is done alone."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._views: dict[str, _Views] = {}
        self._lock = threading.Lock()  # searches on two databases' threads share it

    def get(self, norm: str) -> _Views:
        found = self._views.get(norm)
        return found if found is not None else self._add([norm])[0]

    def fill(self, norms: Iterable[str]) -> None:
        self._add([n for n in dict.fromkeys(norms) if n not in self._views])

    def fill_from(self, norms: list[str], arrays: ViewArrays) -> None:
        """Keep the views of `norms` already computed as `arrays` (see `text.view_arrays`)."""
        if any(n not in self._views for n in norms):
            strings = (arrays.folded.texts(), arrays.content.texts(), arrays.folded_content.texts())
            self._store(norms, [_Views(*v) for v in zip(*strings, strict=True)])

    def _add(self, norms: list[str]) -> list[_Views]:
        if not norms:
            return []
        views = [_Views(*v) for v in zip(*fold_views(norms, _FUNCTION_CHARS), strict=True)]
        self._store(norms, views)
        return views

    def _store(self, norms: list[str], views: list[_Views]) -> None:
        with self._lock:
            self._views.update(zip(norms, views, strict=True))
            excess = max(0, len(self._views) - self._size)
            for old in list(itertools.islice(self._views, excess)):
                del self._views[old]


_VIEWS = _ViewCache(4096)


def _load(reader: Reader, ids: Iterable[int], normalized: dict[int, tuple[str, str]]) -> None:
    """Read and normalize the texts of the passages not in `normalized` yet, all at once."""
    missing = [pid for pid in ids if pid not in normalized]
    if not missing:
        return
    rows = reader.texts(missing)
    norms = normalize_many([text for text, _ in rows.values()])
    for (pid, (_, kind)), norm in zip(rows.items(), norms, strict=True):
        normalized[pid] = (norm, kind)


def _content_span(norm: str, start: int, end: int) -> tuple[int, int]:
    """Map a span of `_without_function_chars(norm)` back to a span of `norm`; only called
    for the results on the page (a per-character loop: measured at 12% of a search's time
    when it ran for every candidate)."""
    kept = [i for i, char in enumerate(norm) if char not in _FUNCTION_CHARS]
    if not kept or end <= start:
        return (0, 0)
    end = min(end, len(kept))
    return kept[min(start, end - 1)], kept[end - 1] + 1


def _is_plain_or_function(char: str) -> bool:
    return char.isascii() or char in _FUNCTION_CHARS


def _one_substitution(q: str, text: str) -> tuple[int, int] | None:
    """Where `q` occurs in `text` with one inner character replaced (托洛斯基 for 托洛茨基).

    Such an occurrence contains one of the query's halves intact, so `str.find` on the halves
    finds every candidate position without scanning the text character by character."""
    half = len(q) // 2
    for part, offset in ((q[:half], 0), (q[half:], half)):
        start = text.find(part)
        while start >= 0:
            begin = start - offset
            window = text[begin : begin + len(q)]
            if begin >= 0 and len(window) == len(q):
                differ = [i for i, (a, b) in enumerate(zip(q, window, strict=True)) if a != b]
                # Interior only: 社会主义好 is 社会主义 plus a word, not a typo of anything.
                # Never a digit or Latin letter: 第15次 is not a typo of 第16次.
                # Nor a function character typed by the reader: 这是问题 is not a typo of
                # 这个问题. (One in the text is fine: 妈妈效我 is a typo of 妈妈对我.)
                if (
                    len(differ) == 1
                    and 0 < differ[0] < len(q) - 1
                    and not _is_plain_or_function(q[differ[0]])
                    and not window[differ[0]].isascii()
                ):
                    return begin, begin + len(q)
            start = text.find(part, start + 1)
    return None


def _floor(floor: float, best: float, discount: float) -> float:
    """What a view discounted so must score to matter: reach the floor and beat the best
    view so far (a hair lower, so float rounding never hides a view that would win)."""
    return max(0.0, max(floor, best) / discount - 1e-9)


def _score_text(
    variant: _Variant,
    norm_text: str,
    floor: float = 0.0,
    bounds: tuple[float, float, float, float] = (100.0, 100.0, 100.0, 100.0),
) -> tuple[float, tuple[int, int] | None, bool]:
    """How well the query matches one passage's normalized text (0..100), and where: a span
    of `norm_text`, or (when the last item is True) of the text without function characters
    (`_content_span` maps it back; only the page needs that).

    Four views, each discounted by how much it forgives: the text as is; folded to pinyin
    (homophone typos); and both without function characters.

    With a `floor` (the threshold a match must reach), a passage that reaches it gets the
    same score and span as without; one that does not gets some lower score. Views that
    cannot reach the floor, or beat the best view so far, are skipped or cut short (the
    result is their maximum, so that changes nothing else); `bounds` (from `_view_bounds`)
    spare rapidfuzz the views that cannot reach the floor."""
    q = variant.norm
    if not norm_text:
        return 0.0, None, False
    position = norm_text.find(q)
    if position >= 0:
        return 100.0, (position, position + len(q)), False
    views = _VIEWS.get(norm_text)
    folded_text = (
        fold(norm_text.translate(variant.overrides)) if variant.overrides else views.folded
    )
    if variant.romanized and len(norm_text) < len(variant.folded):
        # Pinyin: a query's length is its syllables, not its letters.
        score = fuzz.ratio(variant.folded, folded_text) * _FOLDED_DISCOUNT
        return score, (0, len(norm_text)), False
    if len(norm_text) < len(q):
        if not variant.romanized:
            # partial_ratio is symmetric: a short text inside a long query would score 100.
            return float(fuzz.ratio(q, norm_text)), (0, len(norm_text)), False
        best, span = 0.0, (0, 0)  # shorter than the letters typed: only the syllables count
    else:
        best, span = _view_score(q, norm_text, floor, bounds[0])
    if variant.folded != q and floor <= 100 * _FOLDED_DISCOUNT and best < 100 * _FOLDED_DISCOUNT:
        score, where = _view_score(
            variant.folded, folded_text, _floor(floor, best, _FOLDED_DISCOUNT), bounds[1]
        )
        if score * _FOLDED_DISCOUNT > best:
            best, span = score * _FOLDED_DISCOUNT, where
    # The forgiving views are discounted; skip them when they cannot win, and when what is
    # left without function characters is too little of the query to stand for it
    # (这就是问题 must not become a search for 问题).
    substantial = len(variant.content) >= _CONTENT_MIN and len(
        variant.content
    ) >= _CONTENT_SHARE * len(q)
    # A view that cannot reach the floor even scoring 100 is not computed.
    needs_content = substantial and variant.content != q and floor <= 100 * _CONTENT_DISCOUNT
    needs_unordered = (
        substantial
        and len(variant.content) >= _UNORDERED_MIN
        and floor <= 100 * _UNORDERED_DISCOUNT
    )
    content_span: tuple[int, int] | None = None
    if (needs_content and best < 100 * _CONTENT_DISCOUNT) or (
        needs_unordered and best < 100 * _UNORDERED_DISCOUNT
    ):
        content_text = views.content
        if needs_content and len(content_text) >= len(variant.content):
            for query_view, text_view, discount, bound in (
                (variant.content, content_text, _CONTENT_DISCOUNT, bounds[2]),
                (
                    fold(variant.content),
                    views.folded_content,
                    _CONTENT_DISCOUNT * _FOLDED_DISCOUNT,
                    bounds[3],
                ),
            ):
                if best >= 100 * discount:
                    continue
                score, where = _view_score(
                    query_view, text_view, _floor(floor, best, discount), bound
                )
                if score * discount > best and where[1] > where[0]:
                    best, content_span = score * discount, where
        if needs_unordered and best < 100 * _UNORDERED_DISCOUNT:
            score, where = _unordered_view(
                variant.content, content_text, _floor(floor, best, _UNORDERED_DISCOUNT)
            )
            if score * _UNORDERED_DISCOUNT > best and where[1] > where[0]:
                best, content_span = score * _UNORDERED_DISCOUNT, where
    in_content = content_span is not None
    if content_span is not None:
        span = content_span
    if _SUBSTITUTION_LENGTHS[0] <= len(q) <= _SUBSTITUTION_LENGTHS[1]:
        # A short name with one wrong character is a typo, not a different sentence, but
        # the blended score above treats a quarter of a 4-character query as too much.
        typo_score = 100 * (1 - 0.8 / len(q))
        if typo_score > best and typo_score >= floor:
            where_typo = _one_substitution(q, norm_text)
            if where_typo is not None:
                best, span, in_content = typo_score, where_typo, False
    return best, span, in_content


def _rare_first(terms: list[str], counts: dict[str, int]) -> list[str]:
    present = [t for t in terms if counts.get(t)]
    return sorted(present, key=lambda t: counts[t])


def _pool(
    reader: Reader, variant: _Variant, counts: dict[str, int], total_passages: int
) -> list[int]:
    """The fuzzy tier's candidates: the passages holding the most of the query's rarest
    terms, raw and folded (see `_diverse_pool`)."""
    rare = _RARE_TERMS_LONG if len(variant.norm) >= _LONG_QUERY else _RARE_TERMS
    if variant.term_groups:
        coverage: dict[int, float] = {}
        _cover_groups(reader, variant.term_groups, counts, total_passages, rare, coverage)
        return _diverse_pool(coverage)
    found: list[IdArray] = []
    weights: list[float] = []
    for term in _rare_first(variant.raw_terms + variant.folded_terms, counts)[:rare]:
        found.append(reader.term_ids(term, _TERM_CAP))
        weights.append(math.log(1 + total_passages / counts[term]))
    if variant.prefix:
        found.append(reader.term_ids(variant.prefix, _TERM_CAP, prefix=True))
        weights.append(math.log(1 + total_passages / max(1, len(found[-1]))))
    return _diverse(*_most_covered(found, weights, _POOL * 6))


def _most_covered(
    found: list[IdArray], weights: list[float], n: int
) -> tuple[list[int], list[float]]:
    """The `n` ids with the highest sum of the weights of the lists they are in, best first,
    and those sums.

    Up to 16 x 1,500 ids: summed in arrays, not a dict (a third of a search's time). Each
    id's weights are added in the same order, and ties keep the order in which ids were
    first seen: the ranking a dict and heapq.nlargest (or Counter.most_common) gave."""
    ids = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
    if not len(ids):
        return [], []
    unique, first, where = np.unique(ids, return_index=True, return_inverse=True)
    coverage = np.zeros(len(unique))
    start = 0
    for term_ids, weight in zip(found, weights, strict=True):
        coverage[where[start : start + len(term_ids)]] += weight
        start += len(term_ids)
    order = np.lexsort((first, -coverage))[:n]
    return unique[order].tolist(), coverage[order].tolist()


def _exact_ids(reader: Reader, variant: _Variant, counts: dict[str, int]) -> list[int]:
    if len(variant.norm) == 1:
        return reader.ids_with_all([variant.norm], _EXACT_CAP, prefix_last=True)
    if not variant.raw_terms or any(not counts.get(t) for t in variant.raw_terms):
        return []
    return reader.ids_with_all(_rare_first(variant.raw_terms, counts)[:6], _EXACT_CAP)


def _cover_groups(
    reader: Reader,
    groups: list[list[str]],
    counts: dict[str, int],
    total_passages: int,
    rare: int,
    coverage: dict[int, float],
) -> None:
    """Coverage for a pinyin query: each pair of syllables is one term written several ways
    (the first readings its characters may have in the index). The rarest pairs count, each
    once per passage whatever way it is written there; ranking the alternatives one by one
    would pick the odd readings, rare because nobody means them."""
    present = [[t for t in group if counts.get(t)] for group in groups]
    ranked = sorted((g for g in present if g), key=lambda g: sum(counts[t] for t in g))
    for group in ranked[:rare]:
        weight = math.log(1 + total_passages / sum(counts[t] for t in group))
        found: set[int] = set()
        for term in group:
            found.update(reader.ids_with_term(term, _TERM_CAP))
        for pid in found:
            coverage[pid] = coverage.get(pid, 0.0) + weight


def _diverse_pool(coverage: dict[int, float]) -> list[int]:
    """The `_POOL` best-covered candidates, at most `_PER_COVERAGE` of them per coverage value.

    Near-duplicate passages (a post reposted, a corpus of copies) contain the same query terms
    and so tie exactly; without a cap, one family of copies fills the whole pool and the
    passage the reader meant, a little further down, is never reranked."""
    ranked = heapq.nlargest(_POOL * 6, coverage, key=coverage.__getitem__)
    return _diverse(ranked, [coverage[pid] for pid in ranked])


def _diverse(ranked: list[int], values: list[float]) -> list[int]:
    """`_diverse_pool` of passages ranked best first, with their coverage."""
    pool: list[int] = []
    overflow: list[int] = []
    per_value: dict[float, int] = {}
    for pid, value in zip(ranked, values, strict=True):
        seen = per_value.get(value, 0)
        if seen < _PER_COVERAGE:
            per_value[value] = seen + 1
            pool.append(pid)
            if len(pool) == _POOL:
                return pool
        else:
            overflow.append(pid)
    return pool + overflow[: _POOL - len(pool)]


def _keywords(cleaned: str, variants: list[_Variant]) -> list[str]:
    """The normalized words of a query typed as keywords ("斯大林 镇压", "托派 1927"), or []
    for a query without spaces or typed in pinyin."""
    if any(v.romanized for v in variants):
        return []
    words = list(dict.fromkeys(w for w in map(normalize, cleaned.split()) if w))
    return words if len(words) >= 2 else []


def _word_terms(word: str) -> list[str]:
    """Index terms that every passage holding `word` has (its rarest two are enough to find
    the candidates; the words are then checked in the text)."""
    raw = analyze(word).raw
    return [t for t in raw if len(t) > 1] or raw


def _window(norm: str, words: list[str]) -> int | None:
    """Characters spanned by the closest occurrences of all `words` in `norm` (None if one
    is missing): words read together in one sentence rank before words pages apart."""
    positions = []
    for word in words:
        found = [m.start() for m in re.finditer(re.escape(word), norm)]
        if not found:
            return None
        positions.append(found)
    best: int | None = None
    for start in positions[0]:
        ends = [min(found, key=lambda p: abs(p - start)) for found in positions[1:]]
        width = max([start, *ends]) - min([start, *ends])
        best = width if best is None else min(best, width)
    return best


def _all_words(
    reader: Reader,
    words: list[str],
    normalized: dict[int, tuple[str, str]],
) -> list[_Scored]:
    """Passages holding every keyword, in their text or in their document title and heading
    path (a reader recalls the article's subject and one word of the passage)."""
    terms = {word: _word_terms(word) for word in words}
    counts = reader.doc_counts(t for ts in terms.values() for t in ts)
    in_text = [
        _rare_first(ts, counts)[:2] for ts in terms.values() if all(counts.get(t) for t in ts)
    ]
    candidates: list[int] = []
    if len(in_text) == len(words):  # every word is in some passage's text
        candidates = reader.ids_with_all([t for ts in in_text for t in ts], _ALL_WORDS_CAP)
    heading_counts = reader.doc_counts((t for ts in terms.values() for t in ts), headings=True)
    sections: list[int] = []
    for ts in terms.values():
        if ts and all(heading_counts.get(t) for t in ts):
            sections += reader.ids_with_all(_rare_first(ts, heading_counts)[:2], 200, headings=True)
    if sections:
        candidates += reader.passages_in_sections(sections[:200], _ALL_WORDS_CAP)
    candidates = list(dict.fromkeys(candidates))
    if not candidates:
        return []
    _load(reader, candidates, normalized)
    headings = reader.heading_texts(candidates)
    found: list[_Scored] = []
    for pid in candidates:
        reader.check_deadline()
        norm_text, kind = normalized.get(pid, ("", "paragraph"))
        width = _window(norm_text, words)
        if width is not None:
            # Closer together ranks first; the score stays under the query found as typed.
            score = _ALL_WORDS_SCORE - min(width, 500) / 1000
        else:
            heading = _cached_normalize(headings.get(pid, ""))
            if not all(word in norm_text or word in heading for word in words):
                continue
            score = _ALL_WORDS_SCORE - 0.6
        found.append(_Scored(score, _kind_rank(kind), pid))
    return found


def _term_weights(reader: Reader, variant: _Variant, total_passages: int) -> dict[str, float]:
    """The query's terms weighted by how specific they are in this corpus; a term no passage
    has (chatter, a typo) carries no evidence either way."""
    counts = reader.doc_counts(variant.raw_terms)
    return {term: math.log(1 + total_passages / n) for term, n in counts.items()}


def _meaning_matches(
    reader: Reader,
    index: MeaningIndex,
    queries: NDArray[np.float32],
    variants: list[_Variant],
    exclude: set[int],
    total_passages: int,
    normalized: dict[int, tuple[str, str]],
) -> list[_Scored]:
    """Passages close in meaning to the query, if the evidence is confident (see
    _ANSWER_WEIGHTS), best first; none of `exclude` (already found by their words)."""
    every = index.top(queries, _MEANING_POOL, reader)
    if len(every) < 2:
        return []
    lead = every[0].cosine - every[1].cosine  # a query close to one passage, not a topic
    hits = [h for h in every if h.passage_id not in exclude]
    if not hits:
        return []
    missing = [h.passage_id for h in hits if h.passage_id not in normalized]
    for pid, (text, kind) in reader.texts(missing).items():
        normalized[pid] = (_cached_normalize(text), kind)
    weights = _term_weights(reader, variants[0], total_passages)
    total_weight = sum(weights.values())
    textual = [v for v in variants if not v.romanized]
    scored: list[tuple[float, float, float, float, int, int]] = []
    for hit in hits:
        reader.check_deadline()
        norm_text, kind = normalized.get(hit.passage_id, ("", "paragraph"))
        lexical = (
            sum(w for term, w in weights.items() if term in norm_text) / total_weight
            if total_weight
            else 0.0
        )
        characters = max((_score_text(v, norm_text)[0] for v in textual), default=0.0) / 100
        rank = hit.cosine + _RANK_LEXICAL * lexical + _RANK_CHARACTERS * characters
        scored.append((rank, hit.cosine, lexical, characters, _kind_rank(kind), hit.passage_id))
    scored.sort(key=lambda item: (-item[0], item[5]))
    best, cosine, lexical, characters, _, _ = scored[0]
    evidence = sum(
        w * x for w, x in zip(_ANSWER_WEIGHTS, (cosine, lexical, characters, lead), strict=True)
    )
    if evidence + _ANSWER_BIAS < 0:
        return []
    return [
        _Scored(100 * cosine, kind_rank, pid, kind=MatchKind.MEANING)
        for rank, cosine, _, _, kind_rank, pid in scored
        if rank >= best - _MEANING_SPREAD
    ]


def _retrieve(
    reader: Reader,
    variants: list[_Variant],
    total_passages: int,
    limit: int,
    offset: int,
    meaning: tuple[MeaningIndex, list[str]] | None = None,
    words: list[str] | None = None,
) -> tuple[list[_Scored], int, dict[int, StoredPassage]]:
    scored: dict[int, _Scored] = {}

    def keep(item: _Scored) -> None:
        old = scored.get(item.passage_id)
        if (
            old is None
            or item.score > old.score
            or (item.score == old.score and item.via_heading and not old.via_heading)
        ):
            scored[item.passage_id] = item

    normalized: dict[int, tuple[str, str]] = {}  # passage id -> (normalized text, kind)
    if not _answer_short(reader, variants, total_passages, keep, normalized):
        for variant in variants:
            counts = reader.doc_counts(variant.raw_terms + variant.folded_terms)
            exact = _exact_ids(reader, variant, counts)
            pool = _pool(reader, variant, counts, total_passages)
            _score_candidates(reader, variant, list(dict.fromkeys(exact + pool)), keep, normalized)
            if len(variant.norm) >= 3:
                _retrieve_headings(reader, variant, keep)
        if words:
            for item in _all_words(reader, words, normalized):
                keep(item)

    ranked = sorted(
        scored.values(),
        # At equal scores a heading hit goes first: the reader named a section.
        key=lambda s: (-s.score, not s.heading_equal, not s.via_heading, s.kind_rank, s.passage_id),
    )
    if ranked and ranked[0].score >= 100 and len(variants[0].norm) <= _SHORT_QUERY:
        # A short word that occurs as typed: its homophones and near-misses are noise.
        ranked = [s for s in ranked if s.score >= 100]
    if meaning is not None:
        index, forms = meaning
        # Encoded here, on the database thread, so the event loop never waits for it.
        queries = shared_encoder().encode(forms)
        exclude = {s.passage_id for s in ranked}
        ranked += _meaning_matches(
            reader, index, queries, variants, exclude, total_passages, normalized
        )
    page = ranked[offset : offset + limit]
    for item in page:
        if item.span_in_content and item.span is not None:
            item.span = _content_span(normalized[item.passage_id][0], *item.span)
            item.span_in_content = False
    stored = reader.passages([s.passage_id for s in page])
    return page, len(ranked), stored


def _threshold(variant: _Variant) -> float:
    """The score a passage must reach to be kept for this variant."""
    # A pinyin query is as long as its syllables, not its letters.
    threshold = _min_score(len(variant.folded if variant.romanized else variant.norm))
    if variant.weight < 1 and len(variant.norm) <= 2:
        threshold = 100.0  # two characters cut out of a longer query: exact or nothing
    return max(threshold, variant.min_score)


def _score_candidates(
    reader: Reader,
    variant: _Variant,
    candidates: list[int],
    keep: Callable[[_Scored], None],
    normalized: dict[int, tuple[str, str]],
) -> None:
    """Score one variant against its candidates; keep those over its threshold."""
    # Variants of one query share most candidates: read and normalize each text once.
    _load(reader, candidates, normalized)
    threshold = _threshold(variant)
    # The texts the query is not in as typed need the fuzzy views: all of them in one pass,
    # and for each view a bound that spares rapidfuzz most of the hopeless ones.
    fuzzy = list(
        dict.fromkeys(
            norm
            for norm, _ in (normalized.get(pid, ("", "")) for pid in candidates)
            if norm and variant.norm not in norm
        )
    )
    bounds, hopeless = _view_bounds(variant, fuzzy, threshold)
    for pid in candidates:
        reader.check_deadline()
        norm_text, kind = normalized.get(pid, ("", "paragraph"))
        if norm_text in hopeless:
            continue
        score, span, in_content = _score_text(
            variant, norm_text, threshold, bounds.get(norm_text, _NO_BOUNDS)
        )
        if score >= threshold:
            keep(_Scored(score * variant.weight, _kind_rank(kind), pid, span, in_content))


_NO_BOUNDS = (100.0, 100.0, 100.0, 100.0)


Bounds = tuple[float, float, float, float]


def _view_bounds(
    variant: _Variant, norms: list[str], floor: float
) -> tuple[dict[str, Bounds], set[str]]:
    """Per normalized text, bounds on partial_ratio for the four views `_score_text` may
    compare (as typed, folded, and both without function characters), from `_ratio_bounds`;
    and the texts that cannot reach `floor` in any view at all (`_score_text` would only
    confirm it). Measured on the book corpus: nine in ten alignments that could not reach
    the threshold are ruled out this way, at a tenth of their cost."""
    if not norms:
        return {}, set()
    arrays = view_arrays(norms, _FUNCTION_CHARS)
    if arrays is None:
        _VIEWS.fill(norms)
        return {}, set()
    _VIEWS.fill_from(norms, arrays)  # the views `_score_text` reads, in the same pass
    if variant.romanized or variant.overrides:
        return {}, set()
    q, content = variant.norm, variant.content
    full = np.full(len(norms), 100.0)
    columns = [
        _ratio_bounds(q, arrays.normalized),
        _ratio_bounds(variant.folded, arrays.folded) if variant.folded != q else full,
        _ratio_bounds(content, arrays.content) if content else full,
        _ratio_bounds(fold(content), arrays.folded_content) if content else full,
    ]
    # The best any view could score (see _score_text), from the bounds: below the floor,
    # the text is not worth a call.
    best = _blend_bound(columns[0])
    if variant.folded != q:
        best = np.maximum(best, _blend_bound(columns[1]) * _FOLDED_DISCOUNT)
    substantial = len(content) >= _CONTENT_MIN and len(content) >= _CONTENT_SHARE * len(q)
    if substantial and content != q:
        best = np.maximum(best, _blend_bound(columns[2]) * _CONTENT_DISCOUNT)
        best = np.maximum(best, _blend_bound(columns[3]) * _CONTENT_DISCOUNT * _FOLDED_DISCOUNT)
    if substantial and len(content) >= _UNORDERED_MIN:
        best = np.maximum(best, _unordered_bounds(content, arrays.content) * _UNORDERED_DISCOUNT)
    if _SUBSTITUTION_LENGTHS[0] <= len(q) <= _SUBSTITUTION_LENGTHS[1]:
        best = np.maximum(best, 100 * (1 - 0.8 / len(q)))
    hopeless = {
        norm for norm, reach in zip(norms, best.tolist(), strict=True) if reach + 1e-6 < floor
    }
    rows = zip(*(column.tolist() for column in columns), strict=True)
    return dict(zip(norms, rows, strict=True)), hopeless


def _blend_bound(ratio: NDArray[np.float64]) -> NDArray[np.float64]:
    """The most `_view_score` can give a view whose partial_ratio is at most `ratio`."""
    return np.where(ratio < _PREFILTER, ratio / 2, (ratio + 100) / 2)


def _unordered_bounds(needle: str, texts: Joined) -> NDArray[np.float64]:
    """For each text, a number at least `_unordered_view(needle, text)`'s score: the pairs
    it counts lie within 2 x len(needle) + 2 characters, and cover at most as many of the
    needle's characters as that stretch holds occurrences of them (each character counted
    as often as the needle has it)."""
    size = len(needle)
    starts = texts.bounds[:-1]
    lengths = texts.bounds[1:] - starts
    if not size or not len(starts):
        return np.full(len(starts), 100.0)
    try:
        needle_codes = np.frombuffer(needle.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return np.full(len(starts), 100.0)
    chars, counts_in_needle = np.unique(needle_codes, return_counts=True)
    codes = texts.codes
    present = _presence_table()
    present[chars] = True
    try:
        where = np.flatnonzero(present[codes])
    finally:
        present[chars] = False
    weights = np.zeros(len(codes) + 1, dtype=np.int64)
    weights[where + 1] = counts_in_needle[np.searchsorted(chars, codes[where])]
    held = np.cumsum(weights)  # weight of the characters before each position
    width = 2 * size + 2
    ends = starts + lengths
    # Windows of `width` starting anywhere in the text (cut at its end).
    best = np.zeros(len(starts), dtype=np.int64)
    wide = np.flatnonzero(lengths > width)
    if len(wide):
        window = np.append(held[width:] - held[:-width], 0)
        edges = np.stack([starts[wide], ends[wide] - width + 1], axis=1).ravel()
        best[wide] = np.maximum.reduceat(window, edges)[::2]
    narrow = np.flatnonzero(lengths <= width)
    best[narrow] = held[ends[narrow]] - held[starts[narrow]]
    result: NDArray[np.float64] = 100 * np.minimum(best, size) / size
    return result


_scratch = threading.local()


def _presence_table() -> NDArray[np.bool_]:
    """A table of every code point, all False, for this thread to mark a needle in (and
    clear again): allocating 1.1 MB for each bound cost more than the bound."""
    table: NDArray[np.bool_] | None = getattr(_scratch, "presence", None)
    if table is None:
        table = _scratch.presence = np.zeros(0x110000, dtype=np.bool_)
    return table


def _ratio_bounds(needle: str, texts: Joined) -> NDArray[np.float64]:
    """For each text longer than `needle`, a number at least `fuzz.partial_ratio(needle,
    text)` (100 for any other), for all texts at once.

    partial_ratio is the best `ratio` of the needle against a window of the text as long as
    the needle, or a shorter window at either end (rapidfuzz's definition). A window's ratio
    is 2 x (common subsequence) / (both lengths), and the common subsequence is at most the
    window's characters that occur in the needle at all; those are counted for every window
    with one cumulative sum."""
    size = len(needle)
    starts = texts.bounds[:-1]
    lengths = texts.bounds[1:] - starts
    out = np.full(len(starts), 100.0)
    if not size or not len(starts):
        return out
    try:
        wanted = np.frombuffer(needle.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return out
    codes = texts.codes
    present = _presence_table()
    present[wanted] = True
    try:
        counts = np.zeros(len(codes) + 1, dtype=np.int32)  # characters of the needle before i
        np.cumsum(present[codes], out=counts[1:])
    finally:
        present[wanted] = False
    # A text as long as the needle is also aligned the other way round (rapidfuzz takes the
    # better of both): no bound for it.
    ok = lengths > size
    if not ok.any():
        return out
    first, length = starts[ok], lengths[ok]
    # Windows as long as the needle: the most needle characters any one holds.
    windows = np.append(counts[size:] - counts[:-size], 0)
    edges = np.stack([first, first + length - size + 1], axis=1).ravel()
    best = np.maximum.reduceat(windows, edges)[::2] / size
    # Shorter windows at either end: 2 x held / (size + their length).
    if size > 1:
        shorter = np.arange(1, size)
        head = counts[first[:, None] + shorter] - counts[first][:, None]
        tail = counts[(first + length)[:, None]] - counts[(first + length)[:, None] - shorter]
        ends = 2 * np.maximum(head, tail) / (size + shorter)
        best = np.maximum(best, ends.max(axis=1))
    out[ok] = 100 * best
    return out


def _one_run(norm: str) -> bool:
    """Whether normalized text is one run of characters the index cuts into bigrams (no
    ASCII letters or digits, which it indexes as whole words)."""
    return len(norm) >= 2 and not any(char in _ASCII_WORD_CHARS for char in norm)


_ASCII_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _answer_short(
    reader: Reader,
    variants: list[_Variant],
    total_passages: int,
    keep: Callable[[_Scored], None],
    normalized: dict[int, tuple[str, str]],
) -> bool:
    """Answer a short query (at most `_SHORT_QUERY` characters) that occurs as typed, and
    say so; False (nothing kept) when this cannot decide it.

    Such a query keeps only the passages holding it and headings equal to it (see
    `_retrieve`): only the query as typed can score 100 (a form cut out of it is weighted
    below 1), and only where it occurs (every other view is discounted). For a query that
    is one run of Chinese characters, the index's bigrams hold the query wherever the text
    does, so the exact tier has every such passage unless it stopped at its cap: then the
    pool may hold more. Nothing else (the other variants, the fuzzy scoring of passages
    that do not hold it, keywords, meaning) can change the answer, so nothing else runs."""
    variant = variants[0]
    if (
        len(variant.norm) > _SHORT_QUERY
        or variant.weight < 1
        or any(v.romanized for v in variants)
        or not _one_run(variant.norm)
    ):
        return False
    q = variant.norm
    counts = reader.doc_counts(variant.raw_terms + variant.folded_terms)
    exact = _exact_ids(reader, variant, counts)
    if not exact:
        return False
    found = 0
    to_check = exact
    if variant.raw_terms == [q]:
        # Two characters, one bigram: every passage the index returns holds them, and
        # only the editors' notes among them need telling apart (they rank after the body).
        notes = reader.notes_among(exact)
        for pid in exact:
            keep(_Scored(100.0, int(pid in notes), pid))
        found, to_check = len(exact), []
    if len(exact) >= _EXACT_CAP:
        seen = set(exact)
        to_check += [p for p in _pool(reader, variant, counts, total_passages) if p not in seen]
    _load(reader, to_check, normalized)
    for pid in to_check:
        reader.check_deadline()
        norm_text, kind = normalized.get(pid, ("", "paragraph"))
        position = norm_text.find(q)
        if position >= 0:
            keep(_Scored(100.0, _kind_rank(kind), pid, (position, position + len(q))))
            found += 1
    if not found:
        return False  # the bigrams occur, the query does not: the fuzzy tier decides
    if len(q) >= 3:
        _retrieve_headings(reader, variant, keep)
    return True


def _retrieve_headings(reader: Reader, variant: _Variant, keep: Callable[[_Scored], None]) -> None:
    terms = variant.raw_terms + variant.folded_terms
    counts = reader.doc_counts(terms, headings=True)
    found = [
        reader.term_ids(term, _TERM_CAP, headings=True)
        for term in _rare_first(terms, counts)[:_RARE_TERMS]
    ]
    sections = reader.headings(_most_covered(found, [1.0] * len(found), _HEADING_POOL)[0])
    # A pinyin query is compared with headings read as pinyin, like passages.
    q = variant.folded if variant.romanized else variant.norm
    discount = _FOLDED_DISCOUNT if variant.romanized else 1.0
    for heading, first_passage in sections.values():
        if first_passage is None:
            continue
        h = _cached_normalize(heading)
        if variant.romanized:
            h = fold(h.translate(variant.overrides)) if variant.overrides else fold(h)
        if not h:
            continue
        if len(h) >= len(q):
            # A few words of a long heading are not a heading match, unless they are quoted
            # exactly and are long enough to name it (历史学上的分歧 in a 19-character one).
            if len(q) < 0.4 * len(h) and not (len(q) >= 5 and q in h):
                continue
            score = fuzz.partial_ratio(q, h)
        else:
            score = fuzz.ratio(q, h)
        score *= discount
        if score >= max(_min_score(len(q)), 70.0):
            keep(
                _Scored(
                    score * variant.weight,
                    0,
                    first_passage,
                    None,
                    via_heading=True,
                    heading_equal=h == q,
                )
            )


def _highlights(
    text: str,
    variant_norms: list[str],
    span: tuple[int, int] | None,
    words: list[str],
    typed: frozenset[str] = frozenset(),
) -> tuple[tuple[int, int], ...]:
    """Character spans of `text` to highlight: every exact occurrence of the query if there
    is one, else of each of its keywords, else the best fuzzy alignment."""
    norm, offsets = normalize_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for group in [[q] for q in variant_norms] + [words]:
        for q in group:
            start = norm.find(q)
            while start >= 0 and q:
                spans.append(original_span(offsets, start, start + len(q)))
                start = norm.find(q, start + len(q))
        if spans:
            break
    if not spans and span is not None and span[1] > span[0]:
        spans.append(original_span(offsets, *_typed_part(norm, span, typed)))
    return tuple(sorted(set(spans)))


def _typed_part(norm: str, span: tuple[int, int], typed: frozenset[str]) -> tuple[int, int]:
    """A fuzzy match's span without the characters at its ends that the reader did not type
    (neither as written nor as a homophone): partial_ratio's alignment window is as long as
    the query, so when the text is a character shorter (一国建成社会主义论 for …理论) the
    window takes the character beside the match, and the quote between, into the bold."""
    start, end = span
    while start < end and norm[start] not in typed and fold(norm[start]) not in typed:
        start += 1
    while end > start and norm[end - 1] not in typed and fold(norm[end - 1]) not in typed:
        end -= 1
    return (start, end) if end > start else span


def warm_up(*, meaning: bool = False) -> None:
    """Build the lazily-made tables now (and load the sentence encoder, about a second, when
    the database has a meaning index), so the first search does not pay for them."""
    _warm_up_text()
    if meaning:
        shared_encoder().warm_up()


def _meaning_forms(cleaned: str, variants: list[_Variant]) -> list[str]:
    """What to encode for the meaning path, or nothing: a query too short to carry a
    meaning of its own, or typed in pinyin (letters the encoder would read as English)."""
    if any(v.romanized for v in variants) or len(variants[0].norm) < _MEANING_MIN_CHARS:
        return []
    return [cleaned]


async def search(
    store: CorpusReader,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    timeout: float | None = None,
    meaning: bool = True,
) -> SearchResult:
    """Search the store; returns at most `limit` matches starting at `offset`: the passages
    found by the reader's words first, then (with `meaning` and a database that has a
    meaning index) those close in meaning. With a `timeout`, a search that takes longer is
    stopped and raises `QueryTimeout`."""
    started = time.perf_counter()
    cleaned = clean_query(query)
    variants = _variants(cleaned)
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    if not variants:
        return SearchResult(query, [], 0, (time.perf_counter() - started) * 1000)
    total_passages = await store.passage_total()
    words = _keywords(cleaned, variants)
    forms = _meaning_forms(cleaned, variants) if meaning and store.meaning is not None else []
    plan = (store.meaning, forms) if store.meaning is not None and forms else None
    page, total, stored = await store.run(
        lambda reader: _retrieve(reader, variants, total_passages, limit, offset, plan, words),
        timeout=timeout,
    )
    norms = [v.norm for v in variants]
    # What the reader typed, as characters and as syllables: a fuzzy bold ends on them.
    typed = frozenset("".join(norms) + "".join(v.folded for v in variants))
    matches = []
    for rank, item in enumerate(page, start=offset + 1):
        passage = stored.get(item.passage_id)
        if passage is None:
            continue
        # A meaning match is not the reader's words: nothing in it is theirs to highlight.
        highlights = (
            ()
            if item.via_heading or item.kind is MatchKind.MEANING
            else _highlights(passage.text, norms, item.span, words, typed)
        )
        matches.append(Match(rank, float(item.score), passage, highlights, item.kind))
    return SearchResult(query, matches, total, (time.perf_counter() - started) * 1000)
