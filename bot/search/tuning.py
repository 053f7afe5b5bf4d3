"""The numbers the search is tuned by, in one place (measured in docs/search.md)."""

from __future__ import annotations

_EXACT_CAP = 1000  # exact matches considered at most (paging beyond this is not useful)
_TERM_CAP = 1500  # passage ids read per rare term
_RARE_TERMS = 10  # rare terms read per query variant
_RARE_TERMS_LONG = 16  # ... for a long query, whose rarest terms may be typos' noise
_POOL = 80  # fuzzy candidates reranked
_CLAUSE_POOL = 24  # ... for a clause cut out of a long query (see retrieval._pool)
_PER_COVERAGE = 6  # of them with the same coverage: near-duplicates tie (see _diverse_pool)
_HEADING_POOL = 30
_FOLDED_DISCOUNT = 0.94  # a homophone match is good, an exact one is better
# ... and one that reads a character a rare way (或 as yu) is good, but one that reads every
# character a usual way is better: it goes below a title read so (_TITLE_WEIGHT)
_RARE_READING_DISCOUNT = 0.98
_CONTENT_DISCOUNT = 0.96  # so is one that needed function characters left out
_UNORDERED_DISCOUNT = 0.88  # the right words in another order: good, not as good
_UNORDERED_MIN = 6  # content characters; shorter queries are not reordered clauses
_CONTENT_MIN = 4  # content characters needed before the views without function characters
_CONTENT_SHARE = 0.6  # ... and the share of the query they must keep
_DERIVED_WEIGHT = 0.99
_TITLE_WEIGHT = 0.99  # an article named by its title, against a passage or section
# ... unless typed whole and this long: it names the post, and a passage holding it cites it
_WHOLE_TITLE_MIN = 6
_SHORT_QUERY = 4  # normalized characters
_LONG_QUERY = 16
_READING_ALTERNATIVES = 32  # first readings looked up per pinyin syllable
_PAIR_TERMS = 256  # bigram terms per pair of pinyin syllables
_SUBSTITUTION_LENGTHS = (4, 8)  # queries this long may have one character wrong
_PREFILTER = 45.0  # below this partial_ratio a passage cannot reach any threshold
_ALL_WORDS_SCORE = 99.0  # every keyword in the passage: after the query as typed, before the rest
_ALL_WORDS_CAP = 2000  # candidate passages read for a keyword query
# A passage only a clause of the query found stands for the reader's words when it is also
# among this many passages closest in meaning to the whole query (retrieval._ranked).
_CLAUSE_MEANT = 10
# ... unless it holds that clause word for word and the clause is this long (normalized)
_QUOTE_MIN = 12
