"""What a reader says besides the words (bot.query), applied before a page is cut: quoted
phrases that must occur exactly, excluded words, an author, a document's title.

Runs on the database thread, like the rest of a search."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.models import StoredPassage
from bot.query import ParsedQuery
from bot.search.forms import _Variant, _variants
from bot.search.fusion import MeaningPlan
from bot.search.retrieval import _exact_ids, _page, _ranked, _rare_first
from bot.search.scoring import _kind_rank, _load, _Scored
from bot.search.tuning import _EXACT_CAP
from bot.store import Reader
from bot.text import fold, normalize

# A named author or document with at most this many passages is searched passage by passage,
# so nothing of it is missed because the index ranked other passages first; above it, the
# search's own candidates are narrowed (a blog with one author is the whole collection).
_SCOPE_CAP = 3000
_NAME_SIMILARITY = 80.0  # rapidfuzz ratio: 鲁迅 ~ 魯迅 (normalized alike), one typo in a name
_TITLE_SIMILARITY = 90.0  # partial ratio for a title typed in part, at least 4 characters


@dataclass(slots=True)
class Scope:
    """Which passages a narrowed query admits."""

    phrases: list[str]  # normalized: each must occur in the passage
    excluded: list[str]  # normalized: none may occur
    authors: set[str] | None  # credited to one of these (None: anyone)
    documents: set[int] | None  # in one of these (None: any)
    small: list[int] | None  # every passage of the author or document, when there are few

    @property
    def unknown(self) -> str | None:
        """ "author" or "title" when the query names one this collection does not have."""
        if self.authors is not None and not self.authors:
            return "author"
        if self.documents is not None and not self.documents:
            return "title"
        return None

    def admit(
        self, reader: Reader, items: list[_Scored], normalized: dict[int, tuple[str, str]]
    ) -> list[_Scored]:
        """The items this scope lets through, in their order."""
        named = self.authors is not None or self.documents is not None
        if not (self.phrases or self.excluded or named):
            return items
        ids = [item.passage_id for item in items]
        if self.phrases or self.excluded:
            _load(reader, ids, normalized)
        credits = reader.credits(ids) if named else {}
        kept = []
        for item in items:
            text = normalized.get(item.passage_id, ("", ""))[0]
            if any(p not in text for p in self.phrases) or any(w in text for w in self.excluded):
                continue
            if named:
                author, document = credits.get(item.passage_id, (None, -1))
                if self.authors is not None and author not in self.authors:
                    continue
                if self.documents is not None and document not in self.documents:
                    continue
            kept.append(item)
        return kept


def _similar_name(typed: str, name: str) -> bool:
    """A name the reader could mean: it holds what was typed (鲁迅 in 鲁迅（周树人）), or is
    held by it, or differs by a typo."""
    if not typed or not name:
        return False
    return (
        typed in name
        or (len(name) >= 2 and name in typed)
        or fuzz.ratio(typed, name) >= _NAME_SIMILARITY
        or fold(typed) == fold(name)  # a homophone typed for a character: 鲁讯 for 鲁迅
    )


def _similar_title(typed: str, title: str) -> bool:
    if not typed or not title:
        return False
    return (
        typed in title
        or fuzz.ratio(typed, title) >= _NAME_SIMILARITY
        or (len(typed) >= 4 and fuzz.partial_ratio(typed, title) >= _TITLE_SIMILARITY)
    )


def resolve_scope(reader: Reader, parsed: ParsedQuery) -> Scope:
    """The names and documents the query's fields stand for, read from this collection."""
    authors = documents = None
    if parsed.author:
        typed = normalize(parsed.author)
        authors = {name for name in reader.author_names() if _similar_name(typed, normalize(name))}
    if parsed.title:
        typed = normalize(parsed.title)
        documents = {
            doc
            for doc, title in reader.document_titles()
            if _similar_title(typed, normalize(title))
        }
    small = None
    if authors is not None or documents is not None:
        members = reader.passage_ids_in(
            authors=sorted(authors) if authors is not None else None,
            documents=sorted(documents) if documents is not None else None,
            limit=_SCOPE_CAP + 1,
        )
        small = members if len(members) <= _SCOPE_CAP else None
    return Scope(
        [n for n in (normalize(p) for p in parsed.phrases) if n],
        [n for n in (normalize(w) for w in parsed.excluded) if n],
        authors,
        documents,
        small,
    )


def _with_phrases(reader: Reader, scope: Scope) -> list[int]:
    """Candidates holding every quoted phrase (to be verified): the passages the index says
    hold all their rarest terms, or every passage of a small scope."""
    if scope.small is not None:
        return scope.small
    found = [_variants(phrase) for phrase in scope.phrases]
    for phrase, phrase_forms in zip(scope.phrases, found, strict=True):
        if not phrase_forms:
            # A lone Latin letter or digit has no form of its own (it is in nearly every
            # passage): the passages with a word starting with it, verified by the caller.
            return reader.ids_with_all([phrase], _EXACT_CAP, prefix_last=True)
    forms = [phrase_forms[0] for phrase_forms in found]
    if any(len(form.norm) == 1 for form in forms):
        # One character has no term of its own in the index: look it up by prefix.
        form = next(f for f in forms if len(f.norm) == 1)
        return _exact_ids(reader, form, {})
    terms = [t for form in forms for t in form.raw_terms]
    counts = reader.doc_counts(terms)
    if not terms or any(not counts.get(t) for t in terms):
        return []
    return reader.ids_with_all(_rare_first(list(dict.fromkeys(terms)), counts)[:8], _EXACT_CAP)


def _exact_ranked(
    reader: Reader,
    scope: Scope,
    variants: list[_Variant],
    total_passages: int,
    normalized: dict[int, tuple[str, str]],
) -> list[_Scored]:
    """Quoted phrases: only passages holding them as typed (after the index's normalization:
    Traditional or Simplified, full- or half-width alike), no typos forgiven, no meaning.
    The words outside the quotes rank them: those matching the words first."""
    candidates = _with_phrases(reader, scope)
    _load(reader, candidates, normalized)
    holding = [
        _Scored(100.0, _kind_rank(normalized[pid][1]), pid)
        for pid in candidates
        if pid in normalized and all(p in normalized[pid][0] for p in scope.phrases)
    ]
    holding = scope.admit(reader, holding, normalized)
    if not variants:
        return sorted(holding, key=lambda s: (s.kind_rank, s.passage_id))
    ids = [item.passage_id for item in holding]
    by_words = {
        item.passage_id: item.score
        for item in _ranked(reader, variants, total_passages, normalized, also=ids)
    }
    for item in holding:
        first = normalized[item.passage_id][0].find(scope.phrases[0])
        item.span = (first, first + len(scope.phrases[0]))
    return sorted(
        holding, key=lambda s: (-by_words.get(s.passage_id, 0.0), s.kind_rank, s.passage_id)
    )


def retrieve_narrowed(
    reader: Reader,
    parsed: ParsedQuery,
    variants: list[_Variant],
    total_passages: int,
    limit: int,
    offset: int,
    meaning: MeaningPlan | None,
    words: list[str],
) -> tuple[list[_Scored], int, dict[int, StoredPassage], str | None]:
    """`_retrieve` for a query with syntax: the same ranking, narrowed before paging; and
    "author" or "title" if the query names one the collection does not have."""
    scope = resolve_scope(reader, parsed)
    if scope.unknown:
        return [], 0, {}, scope.unknown
    normalized: dict[int, tuple[str, str]] = {}
    if scope.phrases:
        ranked = _exact_ranked(reader, scope, variants, total_passages, normalized)
    elif not variants:
        # Only an author or a title: their passages, in the order they were written.
        ids = (
            scope.small
            if scope.small is not None
            else reader.passage_ids_in(
                authors=sorted(scope.authors) if scope.authors is not None else None,
                documents=sorted(scope.documents) if scope.documents is not None else None,
                limit=_EXACT_CAP,
            )
        )
        ranked = scope.admit(reader, [_Scored(100.0, 0, pid) for pid in ids], normalized)
    else:
        found = _ranked(
            reader,
            variants,
            total_passages,
            normalized,
            meaning,
            words,
            scope.small,
            lambda items: scope.admit(reader, items, normalized),
        )
        ranked = scope.admit(reader, found, normalized)
    return (*_page(reader, ranked, normalized, limit, offset), None)
