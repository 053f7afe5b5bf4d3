"""Which characters of a matched passage to bold."""

from __future__ import annotations

from bot.text import (
    fold,
    normalize_with_offsets,
    original_span,
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
