"""The corpus database: with `bot.state_store` beside it, the only code that speaks SQL.

Layout: `documents` ← `sections` ← `passages`, and two contentless FTS5 tables of terms
(character bigrams, ASCII words, folded-pinyin bigrams; see `bot.text`) keyed by passage id
and by section id. Terms are produced in Python, so the FTS tokenizer only has to split on
spaces; `detail=none` keeps the index small because search never needs positions (it
verifies phrases on the text itself).

Building never touches the live file: it writes a temporary file beside the target, checks
it, switches it out of WAL, fsyncs it and `os.replace`s it over the old one.

`schema` holds the tables and what both sides share, `reading` the `Store` a search and the
bot read through, `building` the atomic build. Import from `bot.store`.

Searching runs as one hop to the connection's own thread (`bot.dbthread`): `Store.run(fn)`
calls `fn` with a synchronous `Reader` there. A hop costs ~20-30 µs and one search needs
several statements, so batching them in one hop keeps a search in single milliseconds.
"""

from bot.store.building import (
    BuildingDatabase,
    BuildStep,
    PreparedDocument,
    PreviousParses,
    build_database,
    build_lock,
    passage_texts,
    prepare_documents,
    previous_meaning_vectors,
    published_document_paths,
    write_meaning_units,
)
from bot.store.reading import (
    CorpusReader,
    IdArray,
    Reader,
    Store,
    file_identity,
    read_meaning_index,
    read_recorded_sources,
    read_stats,
)
from bot.store.schema import (
    SCHEMA_VERSION,
    SHRINK_SHARE,
    BuildSummary,
    QueryTimeout,
    StoreError,
    passage_key,
)

__all__ = [
    "SCHEMA_VERSION",
    "SHRINK_SHARE",
    "BuildStep",
    "BuildSummary",
    "BuildingDatabase",
    "CorpusReader",
    "IdArray",
    "PreparedDocument",
    "PreviousParses",
    "QueryTimeout",
    "Reader",
    "Store",
    "StoreError",
    "build_database",
    "build_lock",
    "file_identity",
    "passage_key",
    "passage_texts",
    "prepare_documents",
    "previous_meaning_vectors",
    "published_document_paths",
    "read_meaning_index",
    "read_recorded_sources",
    "read_stats",
    "write_meaning_units",
]
