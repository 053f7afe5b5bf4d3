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

import time
from dataclasses import dataclass, replace

from bot.meaning import shared_encoder
from bot.models import Match, MatchKind
from bot.query import ParsedQuery, parse_query
from bot.search.forms import MAX_QUERY_CHARS, _keywords, _variants, clean_query
from bot.search.fusion import _MEANING_POOL, MeaningPlan, _meaning_forms
from bot.search.highlight import _highlights
from bot.search.narrowing import retrieve_narrowed
from bot.search.retrieval import _retrieve
from bot.store import CorpusReader
from bot.text import normalize
from bot.text import warm_up as _warm_up_text

__all__ = ["MAX_QUERY_CHARS", "SearchResult", "clean_query", "search", "warm_up"]


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    matches: list[Match]
    total: int
    took_ms: float
    loosened: bool = False  # nothing held the quoted words as written: these hold them nearly
    # ("author" or "title", the name as typed): the query names one the collection lacks
    unknown: tuple[str, str] | None = None


def warm_up(*, meaning: bool = False) -> None:
    """Build the lazily-made tables now (and load the sentence encoder, about a second, when
    the database has a meaning index), so the first search does not pay for them."""
    _warm_up_text()
    if meaning:
        shared_encoder().warm_up()


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
    stopped and raises `QueryTimeout`.

    The query may say more than words (bot.query): quoted phrases must occur as written, and
    nothing close in meaning is offered for them; `-词` leaves passages out; `作者:` and
    `标题:` narrow to an author or a document. When no passage holds the quoted words as
    written, the words are searched as usual and the result says it is `loosened`: a
    misremembered quote wrapped in quotation marks is still a quote to find."""
    started = time.perf_counter()
    cleaned = clean_query(query)
    parsed = parse_query(cleaned)
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    matches, total, unknown = await _search(store, cleaned, parsed, limit, offset, timeout, meaning)
    loosened = False
    if parsed.exact and not total and unknown is None:
        loose = (
            ParsedQuery(cleaned)
            if not parsed.narrowed
            else replace(parsed, text=" ".join([*parsed.phrases, parsed.text]).strip(), phrases=())
        )
        matches, total, unknown = await _search(
            store, cleaned, loose, limit, offset, timeout, meaning
        )
        loosened = bool(total)
    elapsed = (time.perf_counter() - started) * 1000
    named = None
    if unknown is not None:
        named = (unknown, (parsed.author if unknown == "author" else parsed.title) or "")
    return SearchResult(query, matches, total, elapsed, loosened, named)


async def _search(
    store: CorpusReader,
    cleaned: str,
    parsed: ParsedQuery,
    limit: int,
    offset: int,
    timeout: float | None,
    meaning: bool,
) -> tuple[list[Match], int, str | None]:
    text = cleaned if parsed.plain else parsed.text
    variants = _variants(text) if text else []
    if not variants and parsed.plain:
        return [], 0, None
    total_passages = await store.passage_total()
    words = _keywords(text, variants) if variants else []
    # Quoted words ask for those words: nothing "close in meaning" is offered for them.
    forms = (
        _meaning_forms(text, variants)
        if meaning and store.meaning is not None and variants and not parsed.exact
        else []
    )
    plan = (
        MeaningPlan(store.meaning, forms, store.look_ahead(forms, _MEANING_POOL))
        if store.meaning is not None and forms
        else None
    )
    unknown = None
    try:
        if parsed.plain:
            page, total, stored = await store.run(
                lambda reader: _retrieve(
                    reader, variants, total_passages, limit, offset, plan, words
                ),
                timeout=timeout,
            )
        else:
            page, total, stored, unknown = await store.run(
                lambda reader: retrieve_narrowed(
                    reader, parsed, variants, total_passages, limit, offset, plan, words
                ),
                timeout=timeout,
            )
    finally:
        if plan is not None:
            plan.close()  # a look-up begun ahead that the search turned out not to need
    if parsed.exact:
        # Every quoted phrase is bolded, and the other words where they occur as typed.
        quoted = [normalize(p) for p in parsed.phrases]
        words = [*quoted, *(v.norm for v in variants[:1]), *words]
    norms = [] if parsed.exact else [v.norm for v in variants]
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
    return matches, total, unknown
