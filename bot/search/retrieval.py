"""Which passages to score: exact hits, rare-term candidates, keywords, headings; and the
tier of answers for short queries."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable

import numpy as np
from rapidfuzz import fuzz

from bot.models import MatchKind, PassageKind, StoredPassage
from bot.search.bounds import _NO_BOUNDS, _view_bounds
from bot.search.forms import (
    _ANY_QUESTION,
    _CLAUSE_SCORE,
    _numbers_as_digits,
    _Variant,
    _word_terms,
)
from bot.search.fusion import MeaningPlan, _absent_names, _meaning_matches
from bot.search.scoring import (
    _VIEWS,
    _cached_normalize,
    _content_span,
    _kind_rank,
    _load,
    _min_score,
    _read_usually,
    _score_text,
    _Scored,
    _threshold,
)
from bot.search.tuning import (
    _ALL_WORDS_CAP,
    _ALL_WORDS_SCORE,
    _CLAUSE_MEANT,
    _CLAUSE_POOL,
    _DERIVED_WEIGHT,
    _EXACT_CAP,
    _FOLDED_DISCOUNT,
    _HEADING_POOL,
    _LONG_QUERY,
    _PER_COVERAGE,
    _POOL,
    _QUOTE_MIN,
    _RARE_READING_DISCOUNT,
    _RARE_TERMS,
    _RARE_TERMS_LONG,
    _SHORT_QUERY,
    _TERM_CAP,
    _TITLE_WEIGHT,
    _WHOLE_TITLE_MIN,
)
from bot.store import IdArray, Reader
from bot.text import fold, normalize, normalize_many, normalize_spaced


def _rare_first(terms: list[str], counts: dict[str, int]) -> list[str]:
    present = [t for t in terms if counts.get(t)]
    return sorted(present, key=lambda t: counts[t])


def _pool(
    reader: Reader, variant: _Variant, counts: dict[str, int], total_passages: int
) -> list[int]:
    """The fuzzy tier's candidates: the passages holding the most of the query's rarest
    terms, raw and folded (see `_diverse_pool`)."""
    rare = _RARE_TERMS_LONG if len(variant.norm) >= _LONG_QUERY else _RARE_TERMS
    # A clause cut out of a query must match almost word for word, so the passage it
    # stands for holds nearly all its rare terms and is among the best covered: a smaller
    # pool finds it (a long query has up to ten clauses; each was a pool of its own).
    size = _CLAUSE_POOL if variant.min_score else _POOL
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
    return _diverse(*_most_covered(found, weights, size * 6), size)


def _most_covered(
    found: list[IdArray], weights: list[float], n: int
) -> tuple[list[int], list[float]]:
    """The `n` ids with the highest sum of the weights of the lists they are in, best first,
    and those sums.

    Up to 16 x 1,500 ids: summed in arrays, not a dict (a third of a search's time). Each
    id's weights are added in the same order, and ties keep the order in which ids were
    first seen: the ranking a dict and heapq.nlargest (or Counter.most_common) gave. Each
    list is in id order, so "first seen" is: in the earliest list holding it, then by id."""
    if not any(len(term_ids) for term_ids in found):
        return [], []
    top = max(int(term_ids[-1]) for term_ids in found if len(term_ids))
    if top >= _DENSE_IDS_MAX:
        return _most_covered_sparse(found, weights, n)
    # Passage ids are row ids, dense from 1: a table indexed by id is cheaper than sorting
    # every id (np.unique) to find the distinct ones.
    coverage = np.zeros(top + 1)
    first_list = np.full(top + 1, -1, dtype=np.int64)
    for term_ids, weight in zip(found, weights, strict=True):
        coverage[term_ids] += weight  # ids are distinct within one list
    for index in range(len(found) - 1, -1, -1):
        first_list[found[index]] = index  # the earliest list wins, being written last
    ids = np.flatnonzero(first_list >= 0)
    if len(ids) > n:
        # Only ids at least as covered as the n-th best can be among the n (ties included).
        values = coverage[ids]
        ids = ids[values >= np.partition(values, len(ids) - n)[len(ids) - n]]
    order = np.lexsort((ids, first_list[ids], -coverage[ids]))[:n]
    return ids[order].tolist(), coverage[ids[order]].tolist()


_DENSE_IDS_MAX = 4_000_000  # ids up to this are ranked in tables indexed by id (32 MB at most)


def _most_covered_sparse(
    found: list[IdArray], weights: list[float], n: int
) -> tuple[list[int], list[float]]:
    """`_most_covered` for ids too large for a table indexed by id."""
    ids = np.concatenate(found)
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


def _diverse(ranked: list[int], values: list[float], size: int = _POOL) -> list[int]:
    """`_diverse_pool` of `size` passages ranked best first, with their coverage. A passage
    past the cap of its value counts half: it still goes before one covering less than half
    as much. 'anzhiyuzhile' (安知鱼之乐): ten passages held every rare pair of syllables, in
    one reading or another; the one meant was seventh of them, and the pool filled up with
    passages holding one pair of the four."""
    pool: list[tuple[float, int]] = []  # (what it counts for, its place), best first
    per_value: dict[float, int] = {}
    for place, value in enumerate(values):
        seen = per_value.get(value, 0)
        per_value[value] = seen + 1
        pool.append((value if seen < _PER_COVERAGE else value / 2, place))
    best = heapq.nsmallest(size, pool, key=lambda entry: (-entry[0], entry[1]))
    return [ranked[place] for _, place in best]


def _window(norm: str, words: list[str]) -> int | None:
    """Characters spanned by the closest occurrences of all `words` in `norm` (None if one
    is missing): words read together in one sentence rank before words pages apart."""
    positions = []
    for word in words:
        found = []
        at = norm.find(word)
        while at >= 0:
            found.append(at)
            at = norm.find(word, at + 1)
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
    typed: str = "",
) -> list[_Scored]:
    """Passages holding every keyword, in their text or in their document title and heading
    path (a reader recalls the article's subject and one word of the passage). `typed`: the
    query as typed, whose words give their index terms (see `_keyword_terms`)."""
    # A word of one Chinese character (跳蚤 血, 吃饭 噎) has no term of its own in the index,
    # which holds pairs: the passages are found by the other words and read for it. One such
    # word only: more are a sentence typed with spaces ("…Encoder 读 57 个 byte 一行"), and
    # are looked up as before.
    single = [word for word in words if len(word) == 1 and not word.isascii()]
    looked_up = [word for word in words if word not in single] if len(single) == 1 else words
    if not looked_up:
        return []
    terms = _keyword_terms(looked_up, typed)
    counts = reader.doc_counts(t for ts in terms.values() for t in ts)
    rarest = {word: _rare_first(ts, counts)[:2] for word, ts in terms.items()}
    in_text: list[int] = []
    if all(all(counts.get(t) for t in ts) for ts in terms.values()):  # each word in some text
        in_text = reader.ids_with_all([t for ts in rarest.values() for t in ts], _ALL_WORDS_CAP)
    heading_counts = reader.doc_counts((t for ts in terms.values() for t in ts), headings=True)
    sections: list[int] = []
    for ts in terms.values():
        if ts and all(heading_counts.get(t) for t in ts):
            sections += reader.ids_with_all(_rare_first(ts, heading_counts)[:2], 200, headings=True)
    seen = set(in_text)
    under_headings: list[int] = []
    if sections:
        under_headings = [
            pid
            for pid in reader.passages_in_sections(sections[:200], _ALL_WORDS_CAP)
            if pid not in seen
        ]
    if not in_text and not under_headings:
        return []
    headings: dict[int, str] = {}
    if under_headings and len(in_text) < _ALL_WORDS_CAP:
        # The index gave every passage whose text may hold all the words, so these hold them
        # only with their headings' help: the words their headings lack must be in their text,
        # and the index tells which passages may have those before any text is read. A word
        # in many chapter titles brings thousands of passages, and reading them all was most
        # of a keyword search's time.
        headings = reader.heading_texts(under_headings)
        holding: dict[str, set[int] | None] = {}
        kept: list[int] = []
        for pid in under_headings:
            heading = _cached_normalize(headings.get(pid, ""))
            possible = True
            for word in words:
                if word in heading:
                    continue
                if word not in holding:
                    # Only a run of Chinese characters is sure to leave all its terms (its
                    # bigrams) wherever it occurs; a letter word may be part of a longer one,
                    # and is not looked up at all.
                    holding[word] = None
                    if _one_run(word) and rarest[word]:
                        ids = reader.ids_with_all(rarest[word], _WORD_IDS_CAP)
                        if len(ids) < _WORD_IDS_CAP:
                            holding[word] = set(ids)
                holders = holding[word]
                if holders is not None and pid not in holders:
                    possible = False
                    break
            if possible:
                kept.append(pid)
        under_headings = kept
    candidates = in_text + under_headings
    _load(reader, candidates, normalized)
    found: list[_Scored] = []
    # Passages missing a word in their text may have it in their title or headings: those
    # are read only for them (a word in many chapter titles brings thousands of candidates).
    by_heading: list[int] = []
    for pid in candidates:
        reader.check_deadline()
        norm_text, kind = normalized.get(pid, ("", "paragraph"))
        if not all(word in norm_text for word in words):
            by_heading.append(pid)
            continue
        width = _window(norm_text, words)
        # Closer together ranks first; the score stays under the query found as typed.
        found.append(_Scored(_ALL_WORDS_SCORE - min(width or 0, 500) / 1000, _kind_rank(kind), pid))
    missing = [pid for pid in by_heading if pid not in headings]
    if missing:
        headings.update(reader.heading_texts(missing))
    for pid in by_heading:
        norm_text, kind = normalized.get(pid, ("", "paragraph"))
        heading = _cached_normalize(headings.get(pid, ""))
        if all(word in norm_text or word in heading for word in words):
            found.append(_Scored(_ALL_WORDS_SCORE - 0.6, _kind_rank(kind), pid))
    return found


# Keywords no passage holds together may be held by a few neighbouring paragraphs: 天津 板面
# recalls the trip to Tianjin, and the 板面 it recommends a few paragraphs on. Then the passages
# holding the words within _ACROSS_REACH passages of one another, in one section (a weekly's
# items, a year review's parts, have nothing in common), are offered after any passage
# holding every word would be: first the one holding the words its neighbourhood uses least
# (板面, in one paragraph, pins it; 天津, in several, is what it is about). They are looked
# for around the passages holding the keyword in fewest passages; one in more than
# _ACROSS_CAP pins none down.
_ACROSS_SCORE = _ALL_WORDS_SCORE - 1.5
_ACROSS_CAP = 400
_ACROSS_ANCHORS = 10
_ACROSS_REACH = 8
_ACROSS_PASSAGES = 3


def _across_a_section(
    reader: Reader, words: list[str], normalized: dict[int, tuple[str, str]]
) -> list[_Scored]:
    """Passages holding the keywords no passage holds all of, where a few neighbouring
    passages of one section (or its headings) hold them all; best first."""
    if len(words) < 2 or any(
        (len(word) == 1 and not word.isascii()) or any(char.isdigit() for char in word)
        for word in words
    ):
        # A one-character word has no term of its own (see _all_words); a number qualifies
        # the word beside it (MongoDB 4.0, iPhone 17, 托派 1927), in one passage, and
        # elsewhere it is any number (4.0 normalized is the 40 of "40 倍").
        return []
    terms = {word: _word_terms(word) for word in words}
    counts = reader.doc_counts(t for ts in terms.values() for t in ts)
    rarity = {
        word: min(counts[t] for t in terms[word])
        for word in words
        if terms[word] and all(counts.get(t) for t in terms[word])
    }
    if not rarity:
        return []
    rarest = min(rarity, key=lambda word: (rarity[word], word))
    if rarity[rarest] > _ACROSS_CAP:
        return []
    ids = reader.ids_with_all(_rare_first(terms[rarest], counts)[:2], _ACROSS_CAP)
    anchors: list[int] = []
    for start in range(0, len(ids), _ACROSS_ANCHORS):  # read only as many as needed
        chunk = ids[start : start + _ACROSS_ANCHORS]
        _load(reader, chunk, normalized)
        anchors += [pid for pid in chunk if rarest in normalized.get(pid, ("", ""))[0]]
        if len(anchors) >= _ACROSS_ANCHORS:
            break
    anchors = anchors[:_ACROSS_ANCHORS]
    if not anchors:
        return []
    # A passage's neighbours by id: a document's passages are numbered in reading order.
    around = {pid: range(max(1, pid - _ACROSS_REACH), pid + _ACROSS_REACH + 1) for pid in anchors}
    section_of = reader.sections_of({q for span in around.values() for q in span})
    _load(reader, section_of, normalized)
    headings = reader.heading_texts(anchors)
    best: dict[int, tuple[float, int, int]] = {}
    for pid in anchors:
        section = section_of.get(pid)
        held = {
            q: [w for w in words if w in normalized.get(q, ("", ""))[0]]
            for q in around[pid]
            if section_of.get(q) == section
        }
        heading = _cached_normalize(headings.get(pid, ""))
        holders = {w: sum(w in found for found in held.values()) for w in words}
        if not all(holders[w] or w in heading for w in words):
            continue
        for q, found in held.items():
            if found:
                weight = sum(1 / holders[w] for w in found)
                key = (-weight, min(rarity.get(w, _ACROSS_CAP) for w in found), q)
                best[q] = min(best.get(q, key), key)
    ranked = sorted(best, key=lambda q: best[q])[:_ACROSS_PASSAGES]
    return [
        _Scored(_ACROSS_SCORE - 0.01 * place, _kind_rank(normalized[pid][1]), pid)
        for place, pid in enumerate(ranked)
    ]


def _keyword_terms(words: list[str], typed: str) -> dict[str, list[str]]:
    """Each keyword's index terms; for a number with a dot in it (a version), read from the
    word as typed: the index holds "Go 1.11" as go, 1 and 11, and the normalized keyword 111
    is none of them ('Go 1.11 Go Modules' found only passages on GO111MODULE). Not for other
    words: Wi-Fi typed so is in passages that write WiFi, whose term is wifi."""
    dotted: dict[str, str] = {}
    for token in typed.split():
        if _DOTTED_NUMBER.search(token):
            dotted.setdefault(normalize(token), token)
    return {word: _word_terms(dotted.get(word, word)) for word in words}


_DOTTED_NUMBER = re.compile(r"[0-9][.．][0-9]")


# A two-character query found in more passages than this is a word the collection uses: they
# are not read to rule out the few that hold it only across punctuation.
_ACROSS_CHECKED = 200
_WORD_IDS_CAP = 20_000  # passages holding a keyword, read to rule out those under headings
_TIE_WINDOW = 20  # tied passages at the top reordered by closeness to the whole query


def _retrieve(
    reader: Reader,
    variants: list[_Variant],
    total_passages: int,
    limit: int,
    offset: int,
    meaning: MeaningPlan | None = None,
    words: list[str] | None = None,
) -> tuple[list[_Scored], int, dict[int, StoredPassage]]:
    normalized: dict[int, tuple[str, str]] = {}  # passage id -> (normalized text, kind)
    ranked = _ranked(reader, variants, total_passages, normalized, meaning, words)
    return _page(reader, ranked, normalized, limit, offset)


def _ranked(
    reader: Reader,
    variants: list[_Variant],
    total_passages: int,
    normalized: dict[int, tuple[str, str]],
    meaning: MeaningPlan | None = None,
    words: list[str] | None = None,
    also: list[int] | None = None,
    admit: Callable[[list[_Scored]], list[_Scored]] | None = None,
) -> list[_Scored]:
    """Every passage that answers the query, best first. `also`: passages to score whatever
    the index says (the few a reader narrowed the search to, so none is missed); `admit`:
    the matches a narrowed search lets through (its caller narrows the rest)."""
    scored: dict[int, _Scored] = {}
    # Keywords ("切换亚马逊账号 Kindle Launcher keystore"): the passages holding every word,
    # in their text or headings, go first. A part of the query (one word, a heading that
    # holds three of the four) scores 99 on its own and must not pass them.
    holding_all: set[int] = set()

    def keep(item: _Scored) -> None:
        old = scored.get(item.passage_id)
        if (
            old is None
            or item.score > old.score
            or (item.score == old.score and item.via_heading and not old.via_heading)
        ):
            scored[item.passage_id] = item

    # Text matches at a clause's bar: the reader's words, found as typed or nearly (see the
    # meaning path below). Not the passages holding every keyword, nor headings.
    by_their_words: list[_Scored] = []
    # The clauses cut out of the query that found each passage, and the passages the query
    # itself (or a form of the whole of it) found: see _stated_elsewhere.
    by_clauses: dict[int, set[str]] = {}
    by_the_whole: set[int] = set()

    def keeper(clause: str | None) -> Callable[[_Scored], None]:
        """What keeps a text match of the query (`clause` None) or of a clause cut out of it."""

        def keep_text(item: _Scored) -> None:
            if item.score >= _CLAUSE_SCORE:
                by_their_words.append(item)
            if clause is None:
                by_the_whole.add(item.passage_id)
            else:
                by_clauses.setdefault(item.passage_id, set()).add(clause)
            keep(item)

        return keep_text

    clauses = [v.norm for v in variants if _is_clause(v)]
    # The Latin words of a query written mostly in them (see _latin_words) are held by a
    # clause's passage too: cut out of 'Vuex 的 mutation 必须是同步函数', '必须是同步函数' lined
    # up at 88 in a passage on transitions holding neither name.
    whole_latin = [word for word in _latin_words(variants[0]) if word.isascii()]

    if not _answer_short(reader, variants, total_passages, keep, normalized):
        for variant in variants:
            if variant.weight < 1 and not variant.romanized and _occurs_as_typed(scored):
                # The query occurs as typed: a form cut out of it (a clause, its numbers
                # written the other way) could only add passages ranked below every one that
                # holds it, at the cost of its own candidates (41% of a long query's time).
                continue
            counts = reader.doc_counts(variant.raw_terms + variant.folded_terms)
            exact = _exact_ids(reader, variant, counts)
            pool = _pool(reader, variant, counts, total_passages)
            candidates = list(dict.fromkeys(exact + pool))
            clause = variant.norm if _is_clause(variant) else None
            _score_candidates(
                reader,
                variant,
                candidates,
                keeper(clause),
                normalized,
                whole_latin if clause is not None and not variant.romanized else [],
            )
            if len(variant.norm) >= 3 or variant.subject or variant.weight >= 1:
                _retrieve_headings(reader, variant, keep)
        if words:
            for item in _all_words(reader, words, normalized, variants[0].typed):
                holding_all.add(item.passage_id)
                keep(item)
            if not holding_all and variants[0].keywords:
                for item in _across_a_section(reader, words, normalized):
                    keep(item)
    if also:
        for variant in variants:
            _score_candidates(reader, variant, also, keeper(None), normalized)

    def rank(s: _Scored) -> _RankKey:
        return _rank_key(s, holding_all)

    ranked = sorted(scored.values(), key=lambda s: (rank(s), s.passage_id))
    # A query typed in pinyin is the whole of it read as characters: its letters compared
    # with a passage's characters say nothing of which tied passage is closer.
    whole = next((v for v in variants if v.romanized and not v.partly_pinyin), variants[0])
    ranked = _closest_to_the_whole_first(reader, ranked, whole, normalized, rank)
    if any(v.romanized for v in variants):
        ranked = _commonest_reading_first(reader, ranked, normalized, rank)
    ranked = _cited_title_first(reader, ranked, normalized, variants[0].norm)
    ranked = _titled_before_its_mentions(ranked, normalized)
    ranked = _the_page_about_it_first(reader, ranked, rank, variants[0], normalized)
    ranked = _the_words_under_their_heading_first(reader, ranked, any(v.subject for v in variants))
    if ranked and ranked[0].score >= 100 and len(variants[0].norm) <= _SHORT_QUERY:
        # A short word that occurs as typed: its homophones and near-misses are noise; an
        # article titled with it is not.
        ranked = [s for s in ranked if s.score >= 100 or s.heading_equal]
    if admit is not None and by_their_words:
        by_their_words = admit(by_their_words)
    suspect = (
        {
            pid
            for pid, found in by_clauses.items()
            if pid not in by_the_whole
            and not scored[pid].via_heading
            and not (scored[pid].score >= _DERIVED_WEIGHT * 100 and _quotes_at_length(found))
            and _stated_elsewhere(found, clauses)
        }
        if meaning is not None and not variants[0].keywords
        else set()
    )
    if meaning is not None and suspect:
        # A passage only a clause found, where the query says more in another clause that the
        # passage lacks: the reader's words, with chatter around them ("群里有人贴过一段，…，
        # 在哪篇来着"), or a statement of the reader's of which one part is a phrase of the
        # collection ("坚持每天写一千字，第二年终于收到了第一笔稿费", a blog whose motto is the
        # first half). Chatter around a quote leaves the quote's meaning the query's: the
        # passage is among the closest in meaning to the whole query. A statement of one's own
        # is about something else. Measured over the eval sets and the negatives probe (1,100
        # queries first answered by a text match): 37 passages only a clause found, 25 of them
        # where the query says more elsewhere; the 20 right ones each among the first four
        # in meaning, four of the five wrong ones (two answering a negative) beyond the first
        # ten. Quotes of 8-14 characters wrapped in chatter no pattern knows (generated, 240
        # over six collections): 240 found as text before, 237 now. Without a meaning index
        # the clause's passage stands, as it did.
        # Looked up as far as the meaning path below looks, which then reuses it.
        near = {hit.passage_id for hit in meaning.nearest(reader)[:_CLAUSE_MEANT]}
        unmeant = suspect - near
        if unmeant:
            ranked = [s for s in ranked if s.passage_id not in unmeant]
            by_their_words = [s for s in by_their_words if s.passage_id not in unmeant]
    # Names the query gives that the collection never mentions: looked up once, for the
    # meaning path and for the text matches (see _holding_the_names).
    absent: list[str] | None = None
    if meaning is not None and not by_their_words:
        # Where the reader's words are found, as typed or nearly (a typo, a word remembered
        # wrong: a passage at a clause's bar), a passage that only means the same is not what
        # they look for, and ranks after every text match anyway. Measured over the eval
        # sets (1,257 queries): of the 320 whose first answer was a text match at 88 to 99, the
        # passage meant was among the text matches in 319, and only by meaning in none
        # (under 88 too: none of 101). So the encoder and the look-up, a third of a search
        # at 24 M characters, are spared.
        exclude = {s.passage_id for s in ranked}
        absent = _absent_names(reader, variants[0])
        ranked += _meaning_matches(
            reader, meaning, variants, exclude, total_passages, normalized, absent
        )
    works = _named_works(variants[0].typed)
    if works:
        ranked = _naming_the_works(reader, ranked, works, normalized)
    if ranked and not any(variant.romanized for variant in variants):  # pinyin names nothing
        if absent is None:
            absent = _absent_names(reader, variants[0])
        if absent:
            ranked = _holding_the_names(reader, ranked, absent, normalized)
    return ranked


def _holding_the_names(
    reader: Reader, ranked: list[_Scored], names: list[str], normalized: dict[int, tuple[str, str]]
) -> list[_Scored]:
    """The matches that may answer a query naming what the collection never mentions (see
    fusion._absent_names): those the reader's words find nearly word for word (at a clause's
    bar: a quote is theirs, whatever name they put it under), and those holding each name
    but for a slip of a letter (Kuberntes for Kubernetes). 'Pinia 里用 storeToRefs 解构 store
    保持响应性' was offered the Vue docs' toRefs passage, lined up at 87 without the name."""

    def holds(name: str, text: str) -> bool:
        return name in text or (len(name) > _NAME_EXACT_MAX and _within_edits(name, text, 1))

    def theirs(item: _Scored) -> bool:
        return item.kind is not MatchKind.MEANING and item.score >= _CLAUSE_SCORE

    _load(reader, [item.passage_id for item in ranked if not theirs(item)], normalized)
    return [
        item
        for item in ranked
        if theirs(item)
        or all(holds(name, normalized.get(item.passage_id, ("", ""))[0]) for name in names)
    ]


# A name this short is held only as written: one letter off is another word (Dart, Data).
_NAME_EXACT_MAX = 4


def _is_clause(variant: _Variant) -> bool:
    """Whether a form of the query is a clause cut out of it (not the subject of a request
    for an article, which names what the reader asks for)."""
    return bool(variant.min_score) and not variant.subject


def _quotes_at_length(found: set[str]) -> bool:
    """Whether a clause that found a passage word for word is long enough to be a quote
    whatever else the query says: a dozen characters as written are the reader's words
    ("凌晨四点的医院走廊安静得可怕，我当时正在准备考研…", in a collection of posts about
    考研 where the quote's post is not among the ten closest in meaning to the whole). The
    statements of their own the check stops met the collection in 6 to 10 characters."""
    return max(len(clause) for clause in found) >= _QUOTE_MIN


def _stated_elsewhere(found: set[str], clauses: list[str]) -> bool:
    """Whether the query says more in a clause of its own than in the clauses that found a
    passage (`found`): a clause longer than the longest of them and not a part of one, nor
    holding one (a clause and its neighbour are searched joined too)."""
    longest = max(len(clause) for clause in found)
    return any(
        len(clause) > longest and not any(f in clause or clause in f for f in found)
        for clause in clauses
        if clause not in found
    )


# A work the reader names by its title: 《国家与革命》, 《呐喊》. Readers name one to ask
# about it ("列宁在《国家与革命》里怎么讲无产阶级专政"); a passage that names neither it nor
# anything like it, in its text or its headings, is not what they remember, however close
# the rest of its words or its meaning (measured: six of eight such queries in the eval sets
# were questions the collections do not answer, and two were offered a passage about
# something else, one as a text match at 65.9).
_WORK_TITLE = re.compile(r"《([^《》]{2,40})》")
# A title of this many characters may be remembered one character wrong, short or long
# (被背叛的革命 for 被背叛了的革命); a shorter one only one character short (安全史 for
# 安全简史): 国家的革命 is a phrase of its own, not 国家与革命 misremembered.
_WORK_FUZZY_MIN = 6


def _one_short(title: str, text: str) -> bool:
    """Whether `text` holds `title` with one character more inside it (安全简史 for 安全史)."""
    start = text.find(title[0])
    while start >= 0:
        window = text[start : start + len(title) + 1]
        if len(window) == len(title) + 1 and window[-1] == title[-1]:
            rest = iter(window)
            if all(char in rest for char in title):  # a subsequence of the window
                return True
        start = text.find(title[0], start + 1)
    return False


def _within_edits(word: str, text: str, edits: int) -> bool:
    """Whether `text` holds `word` with at most `edits` characters changed, missing or extra
    somewhere in it: the best window of the word's length then shares all but `edits` of its
    characters (one substitution costs two of partial_ratio's insertions and deletions)."""
    if len(text) < len(word) - edits:
        return False  # partial_ratio would find the short text inside the word
    bar = 100 * (1 - edits / len(word)) - 1e-6
    return fuzz.partial_ratio(word, text, score_cutoff=bar) >= bar


def _named_works(typed: str) -> list[str]:
    return [title for m in _WORK_TITLE.finditer(typed) if (title := normalize(m.group(1)))]


def _naming_the_works(
    reader: Reader,
    ranked: list[_Scored],
    works: list[str],
    normalized: dict[int, tuple[str, str]],
) -> list[_Scored]:
    """The matches that may answer a query naming `works`: those the reader's words find
    nearly word for word (at a clause's bar: the quote is theirs, and a collection may name
    the book only in its folders, 华盖集/"公理"的把戏.md), and the others that name every
    work in their text, headings, document title or path."""

    def names(title: str, text: str) -> bool:
        if title in text:
            return True
        if len(title) < _WORK_FUZZY_MIN:
            return _one_short(title, text)
        return _within_edits(title, text, 1)

    loose = [
        item.passage_id
        for item in ranked
        if item.kind is MatchKind.MEANING or item.score < _CLAUSE_SCORE
    ]
    if not loose:
        return ranked
    _load(reader, loose, normalized)
    unsure = [
        pid for pid in loose if not all(names(t, normalized.get(pid, ("", ""))[0]) for t in works)
    ]
    if not unsure:
        return ranked
    stored = reader.passages(unsure)
    named_around: set[int] = set()
    for pid, passage in stored.items():
        around = normalize(
            " ".join((*passage.heading_path, passage.document.title, passage.document.path))
        )
        text = normalized.get(pid, ("", ""))[0]
        if all(names(t, text) or names(t, around) for t in works):
            named_around.add(pid)
    dropped = set(unsure) - named_around
    return [item for item in ranked if item.passage_id not in dropped]


# What orders matches before their ids, best first (see `_rank_key`).
_RankKey = tuple[bool, float, bool, bool, float, int]


def _rank_key(item: _Scored, holding_all: set[int]) -> _RankKey:
    """How a match ranks, best first, before its id breaks a tie: for keywords, the passages
    holding every word (or the query as typed) first; then by score; at equal scores a
    heading hit goes first (the reader named a section), and of two, the heading the query
    names more nearly; body before editors' notes."""
    return (
        bool(holding_all) and item.score < 100 and item.passage_id not in holding_all,
        -item.score,
        not item.heading_equal,
        not item.via_heading,
        -item.heading_share,
        item.kind_rank,
    )


def _closest_to_the_whole_first(
    reader: Reader,
    ranked: list[_Scored],
    whole: _Variant,
    normalized: dict[int, tuple[str, str]],
    rank: Callable[[_Scored], _RankKey],
) -> list[_Scored]:
    """Passages tied at the top on a part of the query, the one closest to the whole query
    first. A word the reader quoted inside a long question ("派别活动"的那个定义，说什么订立
    攻守同盟……) scores the same in every passage that holds it, and the rest of the question
    is too loosely remembered to clear a clause's bar; but the passage meant is the one
    nearest to all of it. Only ties below 100 (a score of 100 is the query as typed, which
    every tied passage holds) and only among the first _TIE_WINDOW (a page or two)."""
    window = ranked[:_TIE_WINDOW]
    for start, end in _ties(window, rank):
        if window[start].score < 100:
            group = window[start:end]
            _load(reader, [item.passage_id for item in group], normalized)
            closeness = {
                item.passage_id: _score_text(
                    whole, normalized.get(item.passage_id, ("", ""))[0], 0.0
                )[0]
                for item in group
            }
            # Stable: equally close passages keep their order.
            window[start:end] = sorted(group, key=lambda s: -closeness[s.passage_id])
    return window + ranked[_TIE_WINDOW:]


def _ties(window: list[_Scored], rank: Callable[[_Scored], _RankKey]) -> list[tuple[int, int]]:
    """The runs of `window` (start, end) of two or more matches equal on all that ranks
    them before their ids: ties, which the reorderings below may break."""
    runs: list[tuple[int, int]] = []
    start = 0
    while start < len(window):
        end = start + 1
        tie = rank(window[start])
        while end < len(window) and rank(window[end]) == tie:
            end += 1
        if end - start > 1:
            runs.append((start, end))
        start = end
    return runs


def _commonest_reading_first(
    reader: Reader,
    ranked: list[_Scored],
    normalized: dict[int, tuple[str, str]],
    rank: Callable[[_Scored], _RankKey],
) -> list[_Scored]:
    """Passages tied on a pinyin query, those whose characters for it the collection writes
    most often first. A reading has many spellings: jiaolv is 焦虑, and 叫卢 in 名叫卢某;
    xiezuo is 写作 and 协作. The reader meant a word, and the word the collection uses most
    is likelier than a rare one or a chance reading across two words. Counted as the
    passages holding the rarest character pair of the spelling. Of those spelled alike,
    the ones under a title or heading that holds the spelling first: xiaomubiao in the post
    titled 小目标 before a yearly review that mentions its 小目标 (a reader who types a
    title in pinyin cannot type its 《》). Only ties, only among the first _TIE_WINDOW."""
    window = ranked[:_TIE_WINDOW]
    spelled = {
        item.passage_id: normalized.get(item.passage_id, ("", ""))[0][slice(*item.span)]
        for item in window
        if item.span is not None and not item.span_in_content and not item.via_heading
    }
    pairs = {
        text: [text[i : i + 2] for i in range(len(text) - 1)] for text in set(spelled.values())
    }
    counts = reader.doc_counts([pair for these in pairs.values() for pair in these])
    usage = {
        text: min((counts.get(pair, 0) for pair in these), default=0)
        for text, these in pairs.items()
    }
    runs = _ties(window, rank)
    tied = [item.passage_id for start, end in runs for item in window[start:end]]
    headings = reader.heading_texts(tied) if tied else {}

    def under_its_heading(item: _Scored) -> bool:
        spelling = spelled.get(item.passage_id, "")
        return bool(spelling) and spelling in _cached_normalize(headings.get(item.passage_id, ""))

    for start, end in runs:
        window[start:end] = sorted(
            window[start:end],
            key=lambda s: (-usage.get(spelled.get(s.passage_id, ""), 0), not under_its_heading(s)),
        )
    return window + ranked[_TIE_WINDOW:]


_CITED = re.compile(r"《([^《》]{1,40})》")


def _cited_title_first(
    reader: Reader, ranked: list[_Scored], normalized: dict[int, tuple[str, str]], query: str
) -> list[_Scored]:
    """The section or post whose heading is the query, word for word, before the passages
    that hold the query only as a title they cite: '三年之痒' (or sannianzhiyang) found first
    "2010年的一篇《三年之痒》" in a yearly review, and the post titled 三年之痒 second. A reader
    who types a title whole cannot type its 《》; the passages that do are pointing at it.
    Only among the first _TIE_WINDOW, and only when every match before the heading holds the
    query so."""
    titled = next((i for i, item in enumerate(ranked[:_TIE_WINDOW]) if item.heading_equal), None)
    if not titled:
        return ranked
    before = ranked[:titled]
    if any(item.via_heading or item.span_in_content for item in before):
        return ranked
    texts = reader.texts([item.passage_id for item in before])
    for item in before:
        if item.span is not None:
            start, end = item.span
            held = normalized.get(item.passage_id, ("", ""))[0][start:end]
        elif item.score >= 100:
            held = query  # (a short query's exact matches carry no span)
        else:
            return ranked
        raw = texts.get(item.passage_id, ("", ""))[0]
        if not held or held not in {normalize(title) for title in _CITED.findall(raw)}:
            return ranked
    return [ranked[titled], *before, *ranked[titled + 1 :]]


_ABOUT_IT_MAX = 300  # passages holding a word: more, and it is a word of every page
_ABOUT_IT_LENGTH = 6  # normalized characters: a name or a word, not a phrase


def _the_page_about_it_first(
    reader: Reader,
    ranked: list[_Scored],
    rank: Callable[[_Scored], _RankKey],
    query: _Variant,
    normalized: dict[int, tuple[str, str]],
) -> list[_Scored]:
    """A word or name typed alone, held as typed by passages of several pages: the page that
    holds it in the most passages first, in its own order, then the next. '李银河' found a
    passage of another post that names her once (the passages tied at 100 kept the order
    of the files) before the post about meeting her, where 14 passages do. A reader who
    types a name looks for where it is talked about. Within a page, the passages that say
    it twice or more first, then the page's order: '明矾' answered with a line that
    mentions it in passing before the one that tells of buying it (four times), '隆起区'
    with a sentence naming it before the entry that defines it. (Counted further, the most
    mentions first, the page's story lost its order: '李银河' went to a later passage of
    four over the one telling of meeting her, of three.) Only the tie at the top, and only
    up to _ABOUT_IT_MAX passages."""
    if (
        not ranked
        or ranked[0].score < 100
        or len(query.norm) > _ABOUT_IT_LENGTH
        or " " in query.typed.strip()
    ):
        return ranked
    end = 1
    while end < len(ranked) and rank(ranked[end]) == rank(ranked[0]):
        end += 1
    if end < 2 or end > _ABOUT_IT_MAX:
        return ranked
    group = ranked[:end]
    credits = reader.credits([item.passage_id for item in group])
    documents = {pid: document for pid, (_, document) in credits.items()}
    held = Counter(documents.get(item.passage_id) for item in group)
    first_seen: dict[int | None, int] = {}
    for position, item in enumerate(group):
        first_seen.setdefault(documents.get(item.passage_id), position)

    _load(reader, [item.passage_id for item in group], normalized)
    said = {
        item.passage_id: normalized.get(item.passage_id, ("", ""))[0].count(query.norm)
        for item in group
    }

    def page_first(item: _Scored) -> tuple[int, int, bool]:
        document = documents.get(item.passage_id)
        about_it = said[item.passage_id] >= 2
        return (-held[document], first_seen[document], not about_it)

    return sorted(group, key=page_first) + ranked[end:]


_CITED_TITLE_MIN = 8  # normalized characters: a shorter heading is also a phrase of prose
# Points a passage may score above the title it mentions and still follow it: the reader's
# words matched the title about as well ('致宣传部学长学姐的道歉信': 87.3 and 86.4). Far
# above (99 against 77), the passage holds what they typed and the title only resembles it:
# "小明常说一句话「时无英雄，使竖子成名」" for a chatter-wrapped quote of that saying.
_TITLE_SLACK = 5.0


def _titled_before_its_mentions(
    ranked: list[_Scored], normalized: dict[int, tuple[str, str]]
) -> list[_Scored]:
    """A title typed roughly: the post or section it names before the passages where the
    reader's words matched only the title as they mention it. '致宣传部学长学姐的道歉信'
    found "在《致校宣传部学长学姐们的一封道歉信》左右" (87) before the post of that title (86),
    and '网页排版的哲学 段首缩进还是段间距' three passages listing the post among others
    ("比如：网页字体排版的哲学：段首缩排或段间距、博客三问") before the post: those passages
    point at it. Only a title of _CITED_TITLE_MIN characters or more (a short heading is a
    phrase a passage may say as its own), only where the passage's match lies within the
    title as it holds it and scores at most _TITLE_SLACK above the title's, and only among
    the first _TIE_WINDOW; other passages keep their places."""
    window = ranked[:_TIE_WINDOW]
    at = next((i for i, item in enumerate(window) if item.via_heading), None)
    if not at:
        return ranked
    head = window[at]
    title = _cached_normalize(head.heading_text)
    if len(title) < _CITED_TITLE_MIN:
        return ranked

    def mentions_only(item: _Scored) -> bool:
        if item.span is None:
            return False
        text = normalized.get(item.passage_id, ("", ""))[0]
        start, end = _content_span(text, *item.span) if item.span_in_content else item.span
        found = text.find(title, max(0, end - len(title)))
        return 0 <= found <= start and end <= found + len(title)

    mentions = [
        item
        for item in window[:at]
        if item.score - head.score <= _TITLE_SLACK and mentions_only(item)
    ]
    if not mentions:
        return ranked
    others = [item for item in window[:at] if item not in mentions]
    return [*others, head, *mentions, *ranked[at + 1 :]]


def _the_words_under_their_heading_first(
    reader: Reader, ranked: list[_Scored], asked_for_article: bool
) -> list[_Scored]:
    """A heading hit answers with its section's opening passage; a passage under that
    heading that holds the words, scored as high, answers before it: 'mo li qing cha' found
    the essay titled 茉莉清茶 and answered with its cover's credit, while the passage that
    tells of the tea came second (as 'nuo mi fan' gave an essay's word-count line before
    "那碗糯米饭"). The heading hit follows it. So also for a long title typed whole, which
    the passage under it says as a line of the post ('慢慢来，不着急', a post that ends on the
    saying it is titled by): the reader typed the post's words, and the answer is in the post
    either way. Not where the reader asked for the article (讲买房的文章): there its opening
    answers. Only among the first _TIE_WINDOW."""
    window = ranked[:_TIE_WINDOW]
    heads = [
        item
        for item in window
        if item.via_heading and item.heading_equal and item.heading_text and not asked_for_article
    ]
    holding = [item for item in window if not item.via_heading]
    if not heads or not holding:
        return ranked
    credits = reader.credits([item.passage_id for item in heads + holding])
    paths = reader.heading_texts([item.passage_id for item in holding])
    texts = reader.texts([item.passage_id for item in holding])
    chosen: dict[int, _Scored] = {}  # heading hit's passage id -> the passage to go first
    taken: set[int] = set()
    position = {item.passage_id: i for i, item in enumerate(window)}
    for head in heads:
        document = credits.get(head.passage_id, (None, None))[1]
        # Its words as a line says them: not the section's number ("3. 生学硬练").
        heading = _cached_normalize(_SECTION_NUMBER.sub("", head.heading_text, count=1))
        if not heading:
            continue
        for item in holding:
            if (
                position[item.passage_id] > position[head.passage_id]  # not already before it
                and item.passage_id not in taken
                and item.score >= head.score
                and credits.get(item.passage_id, (None, None))[1] == document
                and heading in _cached_normalize(paths.get(item.passage_id, ""))
                and _says_it(*texts.get(item.passage_id, ("", "")), heading)
            ):
                chosen[head.passage_id] = item
                taken.add(item.passage_id)
                break
    if not chosen:
        return ranked
    reordered: list[_Scored] = []
    for item in window:
        if item.passage_id in taken:
            continue
        if item.via_heading and item.passage_id in chosen:
            reordered.append(chosen[item.passage_id])
        reordered.append(item)
    return reordered + ranked[_TIE_WINDOW:]


_SENTENCE_AROUND = 4  # characters of its own beside the words, on their line


def _says_it(raw: str, kind: str, heading: str) -> bool:
    """Whether a passage of the heading's own page says its words: in a line that says
    more, or as a paragraph of its own ('敬，努力甩掉热量的我们。', the line a post titled by
    it ends on), not as an item of a list."""
    if _says_in_a_sentence(raw, heading):
        return True
    return kind != PassageKind.LIST_ITEM and _cached_normalize(raw) == heading


def _says_in_a_sentence(raw: str, heading: str) -> bool:
    """Whether a passage holds the heading's words, as written, in a line that says more
    than them: "拿了一瓶茉莉清茶，三块钱的小瓶装", not "(推荐) 时无英雄，使竖子成名" in a list
    of the site's posts."""
    for line in raw.split("\n"):
        normalized = _cached_normalize(line)
        if heading in normalized and len(normalized) - len(heading) >= _SENTENCE_AROUND:
            return True
    return False


def _occurs_as_typed(scored: dict[int, _Scored]) -> bool:
    return any(item.score >= 100 and not item.via_heading for item in scored.values())


def _page(
    reader: Reader,
    ranked: list[_Scored],
    normalized: dict[int, tuple[str, str]],
    limit: int,
    offset: int,
) -> tuple[list[_Scored], int, dict[int, StoredPassage]]:
    """One page of the ranked matches, with their passages read and spans made final."""
    ranked = _without_repeats(reader, ranked, normalized, offset + limit)
    page = ranked[offset : offset + limit]
    for item in page:
        if item.span_in_content and item.span is not None:
            item.span = _content_span(normalized[item.passage_id][0], *item.span)
            item.span_in_content = False
    stored = reader.passages([s.passage_id for s in page])
    return page, len(ranked), stored


_REPEATS_CHUNK = 64  # passages read at a time while looking for repeats


def _without_repeats(
    reader: Reader, ranked: list[_Scored], normalized: dict[int, tuple[str, str]], wanted: int
) -> list[_Scored]:
    """The ranked matches with a passage whose text an earlier one has word for word left
    out, as far as the first `wanted` of them (the count of the rest may hold some). A site's
    boilerplate (an ad, a donation note, a licence at the end of every post) is a passage
    of every page: dbarobin.com's ad answered its own words 525 times, five times on the
    first page. Shown once, with its first page's link. Later pages are asked with a larger
    offset and see the same first matches, so pages neither repeat nor skip one."""
    seen: set[str] = set()
    kept: list[_Scored] = []
    repeats = False
    done = 0
    while done < len(ranked) and len(kept) < wanted:
        chunk = ranked[done : done + _REPEATS_CHUNK]
        _load(reader, [item.passage_id for item in chunk], normalized)
        for item in chunk:
            text = normalized.get(item.passage_id, ("", ""))[0]
            if text in seen:
                repeats = True
                continue
            if text:
                seen.add(text)
            kept.append(item)
        done += len(chunk)
    return kept + ranked[done:] if repeats else ranked


def _score_candidates(
    reader: Reader,
    variant: _Variant,
    candidates: list[int],
    keep: Callable[[_Scored], None],
    normalized: dict[int, tuple[str, str]],
    also_hold: list[str] | None = None,
) -> None:
    """Score one variant against its candidates; keep those over its threshold. `also_hold`:
    words a near match must hold besides the variant's own (see _holds_words)."""
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
    words = [] if variant.romanized else _words_to_hold(variant)
    words = list(dict.fromkeys(words + (also_hold or [])))
    items = variant.named
    for pid in candidates:
        reader.check_deadline()
        norm_text, kind = normalized.get(pid, ("", "paragraph"))
        if norm_text in hopeless:
            continue
        score, span, in_content = _score_text(
            variant, norm_text, threshold, bounds.get(norm_text, _NO_BOUNDS)
        )
        # A form cut out of the query (a clause, the query without its chatter) may occur
        # word for word where the query's numbers do not: '北京的几个国家银行的钞票' out of
        # '民国四五年时候，北京的几个国家银行的钞票' is in a passage about 民国二三年.
        exact = score >= 100 and (variant.weight >= 1 or _holds_items(norm_text, items))
        if (
            score < _CLAUSE_SCORE
            and variant.asks
            and not _asks_too(_VIEWS.get(norm_text).content if in_content else norm_text, span)
        ):
            # A question about a fact, lined up with a passage that restates its subject
            # without the question word ("湘军是哪一年攻下南京的" at 72 with "最终湘军围攻下
            # 了南京城"): that passage does not hold what is asked, and is not the reader's
            # words. A passage by meaning may still be offered, labelled so.
            continue
        if score < 100 and variant.things and not _names_things(norm_text, variant.things):
            continue  # what the question asks about is not in it (see forms.things_asked)
        if score >= threshold and (
            exact
            or (
                _holds_words(norm_text, words, score >= _NEARLY_AS_TYPED, bool(variant.keywords))
                and _holds_items(norm_text, items)
            )
        ):
            keep(_Scored(score * variant.weight, _kind_rank(kind), pid, span, in_content))


# A query written mostly in Latin letters is matched word by word, not as characters among
# others: a passage that does not hold its words (with a typo in a long one: `_LATIN_TYPOS`;
# one in four may be another word, as in a sentence remembered with a word changed) does not
# hold the reader's words, however well the rest lines up ("ggplot2 legend" is not "plot,
# legend"). Its runs of Chinese count as words too: the Latin letters are most of its
# characters, so a passage holding only its Latin word lined up well enough ("Docker 镜像
# 瘦身" at 67.5 on "本文使用 Docker 运行 Certbot"). Where Chinese carries most of the query,
# it carries the match too, and an English word a letter or two off ("Linx" in a sentence
# about Linux) is a typo like any other.
_LATIN_WORD_MIN = 3
_LATIN_SHARE = 0.5  # of the query's normalized characters
_LATIN_TYPOS = ((9, 2), (5, 1))  # (length at least, edits allowed), as Meilisearch does
# Runs of four or more: a shorter one is a word whose one or two typos leave nothing to tell
# it by ("北运户 UDP Flood" for 对用户 UDP Flood), and the Latin words carry the query.
_CHINESE_TYPOS = ((8, 2), (4, 1))
_LATIN_WORDS_PER_MISS = 4
_CHINESE_RUN = re.compile(r"[^a-z0-9]{4,}")
_NEARLY_AS_TYPED = 90.0


def _latin_words(variant: _Variant) -> list[str]:
    """The words of a query written mostly in Latin letters (see _LATIN_SHARE), its runs
    of Chinese among them; or [] for any other query."""
    latin = sum(1 for char in variant.norm if char in _ASCII_WORD_CHARS)
    if latin < _LATIN_SHARE * len(variant.norm):
        return []
    words = [
        term
        for term in variant.raw_terms
        if len(term) >= _LATIN_WORD_MIN and term.isascii() and any(c.isalpha() for c in term)
    ]
    # Its Chinese only where letters alone are most of it: digits are as often a sentence's
    # numbers written as digits ("1900年并非闰年，不存在2月29号"), and that is Chinese.
    letters = sum(1 for char in variant.norm if "a" <= char <= "z")
    if letters >= _LATIN_SHARE * len(variant.norm):
        words += _CHINESE_RUN.findall(variant.norm)
    return words


# How far from the words a question lined up with its question may be: about a clause.
_ASKS_WITHIN = 8


def _names_things(norm_text: str, things: tuple[str, ...]) -> bool:
    """Whether a text names each thing a question asks about, as typed or read aloud the
    same (a homophone typo of the thing is still the thing)."""
    folded = None
    for thing in things:
        if thing in norm_text:
            continue
        if folded is None:
            folded = _VIEWS.get(norm_text).folded
        if fold(thing) not in folded:
            return False
    return True


def _asks_too(norm_text: str, span: tuple[int, int] | None = None) -> bool:
    """Whether a passage asks a question itself where the query lined up with it (`span`,
    give or take a few characters; anywhere without one): then the question may be the
    reader's words, its question word remembered otherwise. A 如何 in another sentence of the
    passage asks something else ('番茄工作法是谁发明的' lined up at 67.5 with a passage on
    how to use it whose last sentence says 思考如何提高)."""
    if span is not None:
        norm_text = norm_text[max(0, span[0] - _ASKS_WITHIN) : span[1] + _ASKS_WITHIN]
    return _ANY_QUESTION.search(norm_text) is not None


def _words_to_hold(variant: _Variant) -> list[str]:
    """The words a near match of this form must hold: those of a query mostly in Latin
    letters (see _latin_words), or every word of one typed as keywords (forms._typed_keywords;
    a Latin one may be a typo away, a Chinese one of four characters a character off)."""
    words = _latin_words(variant)
    # A number among the keywords is held as a number is, in either script (托派 1927 in
    # 托派在一九二七年之后): see forms._named_items.
    keywords = [word for word in variant.keywords if not word.isdigit()]
    return list(dict.fromkeys(words + keywords)) if variant.keywords else words


def _holds_words(
    norm_text: str, words: list[str], nearly_as_typed: bool = False, every: bool = False
) -> bool:
    """Whether `norm_text` holds the query's `words` (see _latin_words), each as written or
    a typo away, but for one in every _LATIN_WORDS_PER_MISS (a sentence remembered with a
    word changed). As a part of its text, so that an unfinished last word ("Intern") is held
    by the whole."""
    # The allowance is for Latin words only: a run of Chinese is the rest of the sentence, and
    # without it what is left is a name ('Patrick Winston 的妻子是谁' held Patrick Winston).
    # Not for keywords (`every`): each is what the reader looks for.
    allowed = 0 if every else sum(1 for word in words if word.isascii()) // _LATIN_WORDS_PER_MISS
    for word in words:
        if word in norm_text:
            continue
        typos = _LATIN_TYPOS if word.isascii() else _CHINESE_TYPOS
        edits = next((n for length, n in typos if len(word) >= length), 0)
        if edits and _within_edits(word, norm_text, edits):
            continue
        if not word.isascii():
            # A homophone is a typo too, the only one a word of two or three Chinese
            # characters is allowed, where the rest lines up nearly as typed ('文剱
            # .git/config' for 文件 .git/config): a homophone of two characters is found
            # anywhere in a long passage ('giscus 房价' held 清明节放假).
            if nearly_as_typed and fold(word) in _VIEWS.get(norm_text).folded:
                continue
            return False
        allowed -= 1
        if allowed < 0:
            return False
    return True


def _holds_items(norm_text: str, items: tuple[str, ...]) -> bool:
    """Whether `norm_text` names each of `items` (see forms._named_items): a version with its
    name (or, of three digits or more, anywhere beside it: 2.4.7 is no chance number, 10 is);
    an item by its number, or any other number, as typed or with the number in the other
    script (第30期 / 第三十期, 3个月 / 三个月); a date as a date (see _holds_date)."""
    converted: list[str] = []

    def digits() -> str:
        """The passage with its Chinese numerals as digits, made once and only if needed."""
        if not converted:
            converted.append(_numbers_as_digits(norm_text))
        return converted[0]

    for item in items:
        if item[0] == "@":
            if not _holds_date(digits(), *item[1:].split(":")):
                return False
            continue
        if item[0] == "$":
            # A digit with what it counts, in either script (3公里, 三公里, 两个). Not
            # bounded by the digits before it: normalized text has lost the punctuation
            # between numbers ("1就是1，0就是0" reads 1就是10就是0).
            count, unit = item[1], item[2:]
            if item[1:] in norm_text or any(c + unit in norm_text for c in _SPOKEN[count]):
                continue
            if item[1:] not in digits():
                return False
            continue
        if item[0] == "%":
            # A decimal's digits, with no digit either side: 09 is not 009.
            bounded = re.compile(f"(?<![0-9]){item[1:]}(?![0-9])")
            if not (bounded.search(norm_text) or bounded.search(digits())):
                return False
            continue
        name, _, version = item.partition(":")
        if version:
            if name + version in norm_text:
                continue
            if len(version) > 2 and name in norm_text and version in norm_text:
                continue
            return False
        number = item[1:] if item[0] == "#" else item
        if number not in norm_text and number not in digits():
            return False
    return True


# A digit in Chinese numerals, as a count is written (两个 for 2个).
_SPOKEN = {d: ("零一二三四五六七八九"[int(d)],) for d in "0123456789"} | {
    "0": ("零", "〇"),
    "2": ("二", "两"),
}


def _holds_date(digits: str, year: str, month: str, day: str) -> bool:
    """Whether a passage (normalized, its numbers in digits) gives this date: its month and
    day (or a year's month) as a date is written, 8月8日 or 08月08号, not 8月18日; or, with
    the year, run together as normalizing leaves 2013.12.31 or 2020-08-08."""
    month_day = rf"(?<![0-9])0?{month}月" + (rf"0?{day}[日号]" if day else "")
    if re.search(month_day, digits):
        return True
    if not year:
        return False
    if not day:
        return f"{year}{int(month):02d}" in digits or f"{year}{month}" in digits
    # 2013.12.31 21:32 -> 201312312132: written with two digits each, the date is whole
    # wherever it stands; written short (2020.8.8 -> 202088), a digit after it makes it
    # another date (2020.8.18).
    if f"{year}{int(month):02d}{int(day):02d}" in digits:
        return True
    return re.search(rf"{year}{month}{day}(?![0-9])", digits) is not None


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
    if variant.raw_terms == [q] and len(exact) > _ACROSS_CHECKED:
        # Two characters, one bigram: every passage the index returns holds them, and
        # only the editors' notes among them need telling apart (they rank after the body).
        # So many are the word itself; a few may hold them only across punctuation (see
        # below), and checking them all was most of a common word's time.
        notes = reader.notes_among(exact)
        for pid in exact:
            keep(_Scored(100.0, int(pid in notes), pid))
        found, to_check = len(exact), []
    if len(exact) >= _EXACT_CAP:
        seen = set(exact)
        to_check += [p for p in _pool(reader, variant, counts, total_passages) if p not in seen]
    # Normalizing maps each character on its own, and the query is normalized text: where
    # the query occurs in a passage as stored, or as the reader typed it (a copied run,
    # punctuation and all: 笑道：“我说), it occurs in the normalized text too. Only the others
    # are normalized to be sure (a Traditional spelling, other punctuation between its
    # characters): for a common run, most of a short query's time.
    typed = variant.typed if variant.typed and variant.typed != q else None
    unread = [pid for pid in to_check if pid not in normalized]
    raw = reader.texts(unread)
    unsure: list[int] = []
    across = 0
    for pid in unread:
        text, kind = raw.get(pid, ("", "paragraph"))
        if q in text or (typed is not None and typed in text):
            keep(_Scored(100.0, _kind_rank(kind), pid))
            found += 1
        elif pid in raw:
            unsure.append(pid)
    for pid, norm in zip(unsure, normalize_many([raw[p][0] for p in unsure]), strict=True):
        # The index's pairs, and normalized text, run across punctuation: '经心' is in 《金刚
        # 经》，心下开悟 once the punctuation is gone, '注解' in 注：解说, '远行' in 春远，行
        # 云. Two characters that meet only so are not the word the reader typed. (Longer,
        # they are a run the reader typed without its punctuation: 笑道我说.)
        if len(q) == 2 and q in norm and q not in normalize_spaced(raw[pid][0]):
            across += 1
            continue
        normalized[pid] = (norm, raw[pid][1])
    for pid in to_check:
        reader.check_deadline()
        if pid not in normalized:
            continue  # found as stored, above
        norm_text, kind = normalized[pid]
        position = norm_text.find(q)
        if position >= 0:
            keep(_Scored(100.0, _kind_rank(kind), pid, (position, position + len(q))))
            found += 1
    if not found and not (len(q) == 2 and across):
        # The bigrams occur, the query does not: the fuzzy tier decides. (Two characters
        # are matched as typed or not at all, and where they meet only across punctuation
        # it would find them there again: only a heading that is them can answer.)
        return False
    _retrieve_headings(reader, variant, keep)
    return True


def _retrieve_headings(reader: Reader, variant: _Variant, keep: Callable[[_Scored], None]) -> None:
    # A pinyin query is compared with headings read as pinyin, like passages.
    q = variant.folded if variant.romanized else variant.norm
    discount = _FOLDED_DISCOUNT if variant.romanized else 1.0
    # A clause cut out of a long query must match a heading as nearly as it must a passage.
    needed = _heading_min(len(q), variant.min_score)
    if not variant.romanized and _past_every_heading(len(q), reader.longest_heading(), needed):
        return
    terms = variant.raw_terms + variant.folded_terms
    counts = reader.doc_counts(terms, headings=True)
    if variant.term_groups:
        # Pinyin: each pair of syllables is one term written many ways (see _cover_groups).
        # Taking the rarest spellings one by one took odd readings no heading means, and
        # missed the heading 何以为家 for "he yi wei jia" (its pairs are 和一, 以为 … too).
        present = [[t for t in group if counts.get(t)] for group in variant.term_groups]
        found = [
            np.unique(np.concatenate([reader.term_ids(t, _TERM_CAP, headings=True) for t in g]))
            for g in sorted((g for g in present if g), key=lambda g: sum(counts[t] for t in g))
        ][:_RARE_TERMS]
    else:
        found = [
            reader.term_ids(term, _TERM_CAP, headings=True)
            for term in _rare_first(terms, counts)[:_RARE_TERMS]
        ]
    sections = reader.headings(_most_covered(found, [1.0] * len(found), _HEADING_POOL)[0])
    # A heading, like a passage, must hold the words of a query written in Latin letters:
    # "Python 装饰器用法" is 70.6 of the heading "Python" by characters, and names nothing
    # under it.
    words = [] if variant.romanized else _words_to_hold(variant)
    items = variant.named
    for heading, first_passage, is_title in sections.values():
        if first_passage is None or (is_title and _is_clause(variant)):
            # A clause that names an article is chatter around the passage the reader wants
            # ("有套全栈科学家自测题，问怎么快速把牛腩煮烂…"), not a search for the article.
            continue
        h = _cached_normalize(heading)
        # A heading glossed in another language, "启发听众的技巧 (Sample Heuristics)", is
        # named by its words without the gloss, which made it too long for a query of nine.
        if len(q) < 0.4 * len(h):
            bare = _GLOSS.sub("", heading)
            if bare and bare != heading:
                h = _cached_normalize(bare) or h
        usually = ""  # a pinyin query's heading read the usual ways (see _RARE_READING_DISCOUNT)
        if variant.romanized:
            if variant.rare_readings:
                usually = _read_usually(variant, h)
            h = _as_pinyin(variant, h)
        if not h or (len(q) <= 2 and h != q and not variant.subject):
            # Two characters name a heading only when they are all of it (a post titled
            # 独处); in a longer one they are a word of it. Unless the reader asks for the
            # article on them (买房那篇: 买房记).
            continue
        if len(h) >= len(q):
            # A few words of a long heading are not a heading match, unless they are quoted
            # exactly and are long enough to name it (历史学上的分歧 in a 19-character one).
            if len(q) < 0.4 * len(h) and not (len(q) >= 5 and q in h):
                continue
            score = fuzz.partial_ratio(q, h)
            if not variant.romanized and score < 100:
                # Scored as a passage would be (its views and the run of its words in order),
                # so that a section headed by the words a character off is not beaten by a
                # passage that only cites it ("往年回顾：印度人的工资是多少？（#140）").
                score = max(score, _score_text(variant, h, 0.0)[0])
        else:
            score = fuzz.ratio(q, h)
        if usually and usually != h:
            plain = fuzz.partial_ratio(q, usually) if len(h) >= len(q) else fuzz.ratio(q, usually)
            score = max(plain, score * _RARE_READING_DISCOUNT)
        score *= discount
        if score < needed and not variant.romanized and fold(h) == variant.folded:
            # A heading typed with a homophone (买方记 for the title 买房记): read aloud it is
            # the query, a match as good as a passage's homophone match.
            score = 100 * _FOLDED_DISCOUNT
        if score < needed and not variant.romanized and _abbreviates(q, h):
            # A heading typed short, as Chinese shortens names (南航推免 for the section
            # 南京航空航天大学推免): a match, the weakest a heading may be.
            score = needed
        if score < 100 and variant.things and not _names_things(h, variant.things):
            continue  # a section on something else the question's subject has
        if score >= needed and (
            score >= 100
            or (_holds_words(h, words, every=bool(variant.keywords)) and _holds_items(h, items))
        ):
            # An article named by its title answers with its first passage, after the
            # passages that hold the words and the sections headed by them (辛普森悖论 is a
            # term before it is a post). But first when the reader typed a long title whole
            # (改变世界的一次代码提交: a passage holding it cites the post), or asked for an
            # article on the subject ("讲买房的文章").
            equal = h == q or _unnumbered(heading, variant) == q
            named = variant.subject or (equal and len(q) >= _WHOLE_TITLE_MIN)
            weight = variant.weight * (_TITLE_WEIGHT if is_title and not named else 1.0)
            keep(
                _Scored(
                    score * weight,
                    0,
                    first_passage,
                    None,
                    via_heading=True,
                    heading_equal=equal,
                    heading_share=min(1.0, len(q) / len(h)),
                    heading_text=heading,
                )
            )


_GLOSS = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_ABBREVIATION_MIN = 3
# The heading at most this many times the query's length: the bar every short query meets
# before (a query under 0.4 of a heading is a few of its words, not its name).
_ABBREVIATION_SPREAD = 2.5


def _abbreviates(q: str, heading: str) -> bool:
    """Whether `q` is `heading` shortened the way Chinese shortens names: its characters,
    all Chinese, in the heading's order, from the heading's first character on, with some
    left out (南航推免: 南京航空航天大学推免). Three characters at least: two are a word.
    Loose by nature (南大推免 reads as this heading too, where the site has no other 推免):
    it only lifts a heading to the weakest score a heading match may have."""
    if not (_ABBREVIATION_MIN <= len(q) < len(heading) <= _ABBREVIATION_SPREAD * len(q)):
        return False
    if q[0] != heading[0] or not all("\u4e00" <= char <= "\u9fff" for char in q):
        return False
    rest = iter(heading)
    return all(char in rest for char in q)


# A section's number before its words ("3. 生学硬练", "一、缘起", "（二）", "第三章 ", "1.2 "):
# the reader types the words, not the number. Digits alone only with a mark after them, or
# one or two of them and a space ("3 我的低谷"), so that "2019 年终总结" keeps its year.
_SECTION_NUMBER = re.compile(
    r"^\s*(?:第[0-9一二三四五六七八九十百零〇]+[章节篇部回讲课]|[0-9]+(?:\.[0-9]+)*[.、．:：]"
    r"|[0-9]{1,2}(?:\.[0-9]+)*(?=\s)|[0-9]+(?:\.[0-9]+)+|[一二三四五六七八九十]+[、.．]"
    r"|[（(][0-9一二三四五六七八九十]+[)）])\s*"
)


def _unnumbered(heading: str, variant: _Variant) -> str:
    """The heading without its section number, as the query is compared with it (read as
    pinyin for a pinyin query); empty when it has no number."""
    bare = _SECTION_NUMBER.sub("", heading, count=1)
    if bare == heading or not bare.strip():
        return ""
    h = _cached_normalize(bare)
    return _as_pinyin(variant, h) if variant.romanized else h


def _as_pinyin(variant: _Variant, normalized: str) -> str:
    """A normalized heading read as a pinyin query reads it (its characters' readings the
    query's syllables chose, `overrides`)."""
    return fold(normalized.translate(variant.overrides)) if variant.overrides else fold(normalized)


def _heading_min(length: int, least: float = 0.0) -> float:
    """What a heading match must score, for a query of `length` characters (and at least
    `least`, a clause's own minimum)."""
    return max(_min_score(length), 70.0, least)


def _past_every_heading(length: int, longest: int, needed: float) -> bool:
    """Whether a query of `length` characters is too long for any heading of at most
    `longest` to score `needed`: against a shorter heading it scores `fuzz.ratio`, at most
    2 x longest / (length + longest). Such a query (a long sentence, most of a search's
    time) has no heading terms worth reading: they were a tenth of its time."""
    return longest < length and 200 * longest / (length + longest) < needed
