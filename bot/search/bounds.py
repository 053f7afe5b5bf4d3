"""Cheap upper bounds on a view's score, for many passages at once (numpy), so rapidfuzz is
only asked about candidates that could clear the threshold."""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import NDArray

from bot.search.forms import _FUNCTION_CHARS, _Variant
from bot.search.scoring import _VIEWS
from bot.search.tuning import (
    _CONTENT_DISCOUNT,
    _CONTENT_MIN,
    _CONTENT_SHARE,
    _FOLDED_DISCOUNT,
    _PREFILTER,
    _SUBSTITUTION_LENGTHS,
    _UNORDERED_DISCOUNT,
    _UNORDERED_MIN,
)
from bot.text import (
    Joined,
    fold,
    view_arrays,
)

_NO_BOUNDS = (100.0, 100.0, 100.0, 100.0, 100.0)


Bounds = tuple[float, float, float, float, float]


def _view_bounds(
    variant: _Variant, norms: list[str], floor: float
) -> tuple[dict[str, Bounds], set[str]]:
    """Per normalized text, bounds on partial_ratio for the four views `_score_text` may
    compare (as typed, folded, and both without function characters), from `_ratio_bounds`,
    and on the score of the words in another order (`_unordered_bounds`); and the texts
    that cannot reach `floor` in any view at all (`_score_text` would only confirm it).
    Measured on the book corpus: nine in ten alignments that could not reach the threshold
    are ruled out this way, at a tenth of their cost."""
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
        columns.append(_unordered_bounds(content, arrays.content))
        best = np.maximum(best, columns[4] * _UNORDERED_DISCOUNT)
    else:
        columns.append(full)
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
