"""How well one passage's text matches one form of the query (rapidfuzz over normalized,
homophone-folded and function-character-free views of the text)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from bot.models import MatchKind, PassageKind
from bot.search.forms import _FUNCTION_CHARS, _Variant
from bot.search.tuning import (
    _CONTENT_DISCOUNT,
    _CONTENT_MIN,
    _CONTENT_SHARE,
    _FOLDED_DISCOUNT,
    _PREFILTER,
    _RARE_READING_DISCOUNT,
    _SUBSTITUTION_LENGTHS,
    _UNORDERED_DISCOUNT,
    _UNORDERED_MIN,
)
from bot.store import Reader
from bot.text import (
    ViewArrays,
    fold,
    fold_views,
    normalize,
    normalize_many,
)


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
    # How much of the heading the query is: of two headings that hold it, the one it names
    # more nearly goes first (本周话题：全端 App 的时代 before the page title that ends so).
    heading_share: float = 0.0
    heading_text: str = ""  # a heading hit's heading, as written
    kind: MatchKind = MatchKind.TEXT


def _kind_rank(kind: str) -> int:
    # Editors' notes rank after the body when the scores tie.
    return 1 if kind == PassageKind.NOTE.value else 0


_HOMOPHONES_ONLY_MAX = 6  # normalized characters
# A query of two characters is a word, typed as meant: read aloud, two syllables are in
# nearly every page across a word's edge (中医 in 其中一端, 减肥 in 文件非常), and a reader
# who searches a topic the collection lacks was given those as their words.
_HOMOPHONES_MIN = 3
# How many of a short query's characters may be heard wrong: one in four characters or
# fewer (陈独绣 for 陈独秀, 林地效应 for 林迪效应), two in five or six. More is another
# phrase that reads the same: '彼得原理' is 比特币的原理 read aloud (币的原理, 94).
_MISHEARD_BY_LENGTH = ((5, 2), (0, 1))


def _heard_as(q: str, folded_q: str, norm_text: str, folded_text: str) -> int:
    """Where `norm_text` reads as the short query `q`, with no more of its characters heard
    wrong than `_MISHEARD_BY_LENGTH` allows; -1 where it does not."""
    if len(q) < _HOMOPHONES_MIN:
        return -1
    allowed = next(n for length, n in _MISHEARD_BY_LENGTH if len(q) >= length)
    at = folded_text.find(folded_q)
    while at >= 0:
        heard = norm_text[at : at + len(q)]
        if sum(a != b for a, b in zip(q, heard, strict=True)) <= allowed:
            return at
        at = folded_text.find(folded_q, at + 1)
    return -1


def _min_score(length: int) -> float:
    """The score a match must reach, by normalized query length."""
    if length <= 2:
        return 100 * _FOLDED_DISCOUNT  # exact (pinyin: an exact homophone)
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
    # The alignment itself first: the padded window is for a query remembered with a
    # character more or less, but where a character of the query also stands just before
    # the match, the longest common subsequence may take that one and split a run
    # ("间歇性断食" in "期间开始间歇性断食": 间 of 期间, then 歇性断食, 0.8 for an exact
    # homophone match).
    aligned = text[span[0] : span[1]]
    if aligned == q:
        return 1.0
    pad = len(q)
    window = text[max(0, span[0] - pad) : span[1] + pad]
    return max(_chunked_share(q, aligned), _chunked_share(q, window))


def _chunked_share(q: str, text: str) -> float:
    blocks = LCSseq.opcodes(q, text).as_matching_blocks()
    return sum(b.size for b in blocks if b.size >= 2) / len(q)


def _read_usually(variant: _Variant, norm_text: str, folded_text: str | None = None) -> str:
    """`norm_text` folded for a pinyin query with its characters' usual readings only
    (`folded_text`: its plain fold, where the caller has it already)."""
    usual = variant.usual_overrides
    if usual:
        return fold(norm_text.translate(usual))
    return fold(norm_text) if folded_text is None else folded_text


def _by_usual_readings(
    variant: _Variant, folded_text: str, score: float, where: tuple[int, int], floor: float
) -> tuple[float, tuple[int, int]]:
    """A pinyin query's match that needed a character's rare reading (或 read yu: 莴笋或芹菜
    for "wosun yu qincai"), discounted, unless the usual readings match as well: a rare
    reading is possible, the usual one likelier (the post titled 莴笋与芹菜 reads so, and is
    what the reader typed). `folded_text`: the text read the usual ways."""
    plain, plain_where = _view_score(
        variant.folded, folded_text, _floor(floor, 0.0, _FOLDED_DISCOUNT)
    )
    if plain >= score:
        return plain, plain_where
    discounted = score * _RARE_READING_DISCOUNT
    return (discounted, where) if discounted > plain else (plain, plain_where)


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
    bounds: tuple[float, float, float, float, float] = (100.0, 100.0, 100.0, 100.0, 100.0),
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
        score = fuzz.ratio(variant.folded, folded_text)
        if variant.rare_readings:
            score = max(
                fuzz.ratio(variant.folded, _read_usually(variant, norm_text, views.folded)),
                score * _RARE_READING_DISCOUNT,
            )
        return score * _FOLDED_DISCOUNT, (0, len(norm_text)), False
    if len(norm_text) < len(q):
        if not variant.romanized:
            # partial_ratio is symmetric: a short text inside a long query would score 100.
            return float(fuzz.ratio(q, norm_text)), (0, len(norm_text)), False
        best, span = 0.0, (0, 0)  # shorter than the letters typed: only the syllables count
    else:
        best, span = _view_score(q, norm_text, floor, bounds[0])
    if variant.folded != q and floor <= 100 * _FOLDED_DISCOUNT and best < 100 * _FOLDED_DISCOUNT:
        if not variant.romanized and len(q) <= _HOMOPHONES_ONLY_MAX:
            # A short query is heard right or not at all: its characters may be homophones
            # of the text's, but a homophone and a character more or less is another phrase
            # (读博士值得 / 博士组织的, zhi de twice: 75.2 over a bar of 75).
            at = _heard_as(q, variant.folded, norm_text, folded_text)
            if at >= 0:
                best, span = 100 * _FOLDED_DISCOUNT, (at, at + len(q))
        else:
            score, where = _view_score(
                variant.folded, folded_text, _floor(floor, best, _FOLDED_DISCOUNT), bounds[1]
            )
            if variant.rare_readings and score * _FOLDED_DISCOUNT > best:
                usually = _read_usually(variant, norm_text, views.folded)
                if usually != folded_text:  # (no character of it read a rare way)
                    score, where = _by_usual_readings(variant, usually, score, where, floor)
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
        unordered_floor = _floor(floor, best, _UNORDERED_DISCOUNT)
        # (its bound, when it is below what the view must score, answers for it)
        if (
            needs_unordered
            and best < 100 * _UNORDERED_DISCOUNT
            and bounds[4] + 1e-6 >= unordered_floor
        ):
            score, where = _unordered_view(variant.content, content_text, unordered_floor)
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


def _threshold(variant: _Variant) -> float:
    """The score a passage must reach to be kept for this variant."""
    # A pinyin query is as long as its syllables, not its letters.
    threshold = _min_score(len(variant.folded if variant.romanized else variant.norm))
    if variant.bare_length:
        # Chatter makes a query longer, not closer: '量子计算机的原理是什么' lined up with
        # "用C更能去理解计算机运行的原理" at 74.2, under the bar of 量子计算机的原理 (75) and
        # over that of eleven characters (65).
        threshold = max(threshold, _min_score(variant.bare_length))
    if variant.weight < 1 and len(variant.norm) <= 2:
        threshold = 100.0  # two characters cut out of a longer query: exact or nothing
    return max(threshold, variant.min_score)
