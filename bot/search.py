"""Find the passage a reader half-remembers.

The plan, measured in SEARCH-NOTES.md and tuned on tests/data/dev-queries.yaml:

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
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.models import Match, PassageKind, StoredPassage
from bot.store import Reader, Store
from bot.text import analyze, fold, normalize, normalize_with_offsets, original_span, warm_up

__all__ = ["SearchResult", "clean_query", "search", "warm_up"]

MAX_QUERY_CHARS = 512  # a reply-able query; Telegram's inline queries stop at 256
_EXACT_CAP = 1000  # exact matches considered at most (paging beyond this is not useful)
_TERM_CAP = 3000  # passage ids read per rare term
_RARE_TERMS = 10  # rare terms read per query variant
_POOL = 80  # fuzzy candidates reranked
_HEADING_POOL = 30
_FOLDED_DISCOUNT = 0.94
_DERIVED_WEIGHT = 0.99
_SHORT_QUERY = 4  # normalized characters  # a homophone match is good, an exact one is better

# Things readers wrap around the words they remember. Removed from a copy of the query;
# the original is searched too, and the better answer wins.
_CHATTER = re.compile(
    r"(求出处|求原文|求原话|出处是|出自哪里?|出自哪篇|出自何处|原话是什么|原文是什么|"
    r"原话|原文|是谁说的|谁说的|在哪篇文章|哪篇文章|有篇文章说|有篇文章|有人说过?|"
    r"文章里说|文中说|书上说|记得有句话|有句话|大意是|好像是|大概是|"
    r"[^\s，,。：:]{1,6}说过?[：:]|请问|谢谢|麻烦|帮我找|找一下|"
    r"什么意思|是什么|[吗呢吧啊呀]$)"
)
_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》]{4,})[”\"」』》]")


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


@dataclass(slots=True)
class _Scored:
    score: float
    kind_rank: int
    passage_id: int
    span: tuple[int, int] | None = None  # best alignment in normalized text
    via_heading: bool = False
    heading_equal: bool = False  # the query is this passage's heading, word for word


def clean_query(query: str) -> str:
    """Drop what cannot be searched or even encoded: control and format characters
    (including RTL and zero-width marks), lone surrogates; cap the length."""
    kept = []
    for char in query[: MAX_QUERY_CHARS * 2]:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" ")
            continue
        kept.append(char)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS]


def _variants(query: str) -> list[_Variant]:
    forms = [query]
    stripped = _CHATTER.sub(" ", query).strip()
    if stripped and stripped != query:
        forms.append(stripped)
    forms.extend(m.group(1) for m in _QUOTED.finditer(query))
    out: list[_Variant] = []
    seen: set[str] = set()
    for form in forms:
        terms = analyze(form)
        norm = terms.norm
        if not norm or norm in seen:
            continue
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
        out.append(_Variant(norm, folded, raw_terms, folded_terms, weight, prefix))
    return out


def _kind_rank(kind: str) -> int:
    # Editors' notes rank after the body when the scores tie.
    return 1 if kind == PassageKind.NOTE.value else 0


def _min_score(length: int) -> float:
    """The score a match must reach, by normalized query length."""
    if length <= 2:
        return 100 * _FOLDED_DISCOUNT  # exact, or an exact homophone
    if length <= 4:
        return 74.0
    if length <= 8:
        return 66.0
    return 60.0


def _score_text(variant: _Variant, norm_text: str) -> tuple[float, tuple[int, int] | None]:
    """How well the query matches one passage's normalized text, and where."""
    q = variant.norm
    if not norm_text:
        return 0.0, None
    position = norm_text.find(q)
    if position >= 0:
        return 100.0, (position, position + len(q))
    best: float
    if len(norm_text) >= len(q):
        alignment = fuzz.partial_ratio_alignment(q, norm_text)
        best = alignment.score if alignment else 0.0
        span = (alignment.dest_start, alignment.dest_end) if alignment else None
    else:
        # partial_ratio is symmetric: a short text inside a long query would score 100.
        best = fuzz.ratio(q, norm_text)
        span = (0, len(norm_text))
    if variant.folded != q and len(q) > 1:
        folded_text = fold(norm_text)
        if len(folded_text) >= len(q):
            folded_alignment = fuzz.partial_ratio_alignment(variant.folded, folded_text)
            if folded_alignment and folded_alignment.score * _FOLDED_DISCOUNT > best:
                best = folded_alignment.score * _FOLDED_DISCOUNT
                span = (folded_alignment.dest_start, folded_alignment.dest_end)
    return best, span


def _rare_first(terms: list[str], counts: dict[str, int]) -> list[str]:
    present = [t for t in terms if counts.get(t)]
    return sorted(present, key=lambda t: counts[t])


def _exact_ids(reader: Reader, variant: _Variant, counts: dict[str, int]) -> list[int]:
    if len(variant.norm) == 1:
        return reader.ids_with_all([variant.norm], _EXACT_CAP, prefix_last=True)
    if not variant.raw_terms or any(not counts.get(t) for t in variant.raw_terms):
        return []
    return reader.ids_with_all(_rare_first(variant.raw_terms, counts)[:6], _EXACT_CAP)


def _retrieve(
    reader: Reader, variants: list[_Variant], total_passages: int, limit: int, offset: int
) -> tuple[list[_Scored], int, dict[int, StoredPassage]]:
    scored: dict[int, _Scored] = {}

    def keep(item: _Scored) -> None:
        old = scored.get(item.passage_id)
        if (
            old is None
            or item.score > old.score
            or (item.score == old.score and item.heading_equal and not old.heading_equal)
        ):
            scored[item.passage_id] = item

    for variant in variants:
        terms = variant.raw_terms + variant.folded_terms
        counts = reader.doc_counts(terms)
        exact = _exact_ids(reader, variant, counts)

        coverage: dict[int, float] = {}
        for term in _rare_first(terms, counts)[:_RARE_TERMS]:
            weight = math.log(1 + total_passages / counts[term])
            for pid in reader.ids_with_term(term, _TERM_CAP):
                coverage[pid] = coverage.get(pid, 0.0) + weight
        if variant.prefix:
            prefixed = reader.ids_with_term(variant.prefix, _TERM_CAP, prefix=True)
            weight = math.log(1 + total_passages / max(1, len(prefixed)))
            for pid in prefixed:
                coverage[pid] = coverage.get(pid, 0.0) + weight
        pool = heapq.nlargest(_POOL, coverage, key=coverage.__getitem__)
        candidate_ids = list(dict.fromkeys(exact + pool))
        texts = reader.texts(candidate_ids)
        threshold = _min_score(len(variant.norm))
        for pid in candidate_ids:
            text, kind = texts.get(pid, ("", "paragraph"))
            score, span = _score_text(variant, normalize(text))
            if score >= threshold:
                keep(_Scored(score * variant.weight, _kind_rank(kind), pid, span))

        if len(variant.norm) >= 3:
            _retrieve_headings(reader, variant, keep)

    ranked = sorted(
        scored.values(),
        key=lambda s: (-s.score, not s.heading_equal, s.kind_rank, s.passage_id),
    )
    if ranked and ranked[0].score >= 100 and len(variants[0].norm) <= _SHORT_QUERY:
        # A short word that occurs as typed: its homophones and near-misses are noise.
        ranked = [s for s in ranked if s.score >= 100]
    page = ranked[offset : offset + limit]
    stored = reader.passages([s.passage_id for s in page])
    return page, len(ranked), stored


def _retrieve_headings(reader: Reader, variant: _Variant, keep: Callable[[_Scored], None]) -> None:
    terms = variant.raw_terms + variant.folded_terms
    counts = reader.doc_counts(terms, headings=True)
    coverage: Counter[int] = Counter()
    for term in _rare_first(terms, counts)[:_RARE_TERMS]:
        for sid in reader.ids_with_term(term, _TERM_CAP, headings=True):
            coverage[sid] += 1
    sections = reader.headings(sid for sid, _ in coverage.most_common(_HEADING_POOL))
    q = variant.norm
    for heading, first_passage in sections.values():
        if first_passage is None:
            continue
        h = normalize(heading)
        if not h:
            continue
        if len(h) >= len(q):
            # A few words of a long heading are not a heading match.
            if len(q) < 0.4 * len(h):
                continue
            score = fuzz.partial_ratio(q, h)
        else:
            score = fuzz.ratio(q, h)
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
    text: str, variant_norms: list[str], span: tuple[int, int] | None
) -> tuple[tuple[int, int], ...]:
    """Character spans of `text` to highlight: every exact occurrence of the query if there
    is one, else the best fuzzy alignment."""
    norm, offsets = normalize_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for q in variant_norms:
        start = norm.find(q)
        while start >= 0 and q:
            spans.append(original_span(offsets, start, start + len(q)))
            start = norm.find(q, start + len(q))
        if spans:
            break
    if not spans and span is not None and span[1] > span[0]:
        spans.append(original_span(offsets, *span))
    return tuple(sorted(set(spans)))


async def search(store: Store, query: str, *, limit: int = 10, offset: int = 0) -> SearchResult:
    """Search the store; returns at most `limit` matches starting at `offset`."""
    started = time.perf_counter()
    cleaned = clean_query(query)
    variants = _variants(cleaned)
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    if not variants:
        return SearchResult(query, [], 0, (time.perf_counter() - started) * 1000)
    total_passages = await store.passage_total()
    page, total, stored = await store.run(
        lambda reader: _retrieve(reader, variants, total_passages, limit, offset)
    )
    norms = [v.norm for v in variants]
    matches = []
    for rank, item in enumerate(page, start=offset + 1):
        passage = stored.get(item.passage_id)
        if passage is None:
            continue
        highlights = () if item.via_heading else _highlights(passage.text, norms, item.span)
        matches.append(Match(rank, float(item.score), passage, highlights))
    return SearchResult(query, matches, total, (time.perf_counter() - started) * 1000)
