"""The corpus database's schema, its errors, and what reading and building share: how a
row becomes a `StoredPassage`, a passage's stable key, an FTS5 term quoted."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.models import (
    DocumentRef,
    PassageKind,
    StoredPassage,
)

SCHEMA_VERSION = 5  # 4: meaning_units; 5: term_counts


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    authors TEXT NOT NULL,      -- JSON list
    date TEXT,
    updated TEXT,
    tags TEXT NOT NULL,         -- JSON list
    categories TEXT NOT NULL,   -- JSON list
    description TEXT,
    source_url TEXT,
    sha256 TEXT NOT NULL,
    parse_key TEXT NOT NULL,    -- see ParsedDocument.parse_key
    warnings TEXT NOT NULL      -- JSON list: problems reported when it was parsed
);
CREATE INDEX documents_parse ON documents(path, parse_key);
CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    parent_id INTEGER REFERENCES sections(id),
    level INTEGER NOT NULL,
    heading TEXT NOT NULL,
    anchor TEXT,
    heading_path TEXT NOT NULL, -- JSON list
    author TEXT,
    source_url TEXT,
    source_name TEXT,
    first_passage_id INTEGER
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    section_id INTEGER NOT NULL REFERENCES sections(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    line INTEGER NOT NULL,
    prev_id INTEGER,
    next_id INTEGER,
    key TEXT NOT NULL           -- stable across rebuilds: see passage_key()
);
CREATE INDEX passages_section ON passages(section_id);
-- Editors' notes rank after the body at equal scores; few passages are notes, so a search
-- that needs no text can tell them apart from this index alone.
CREATE INDEX passages_notes ON passages(id) WHERE kind = 'note';
CREATE UNIQUE INDEX passages_key ON passages(key);
CREATE INDEX sections_document ON sections(document_id);
-- The sections under a section (a keyword found in a heading answers with its passages).
CREATE INDEX sections_parent ON sections(parent_id);
CREATE VIRTUAL TABLE passage_terms USING fts5(
    terms, content='', detail='none', columnsize=0, tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE heading_terms USING fts5(
    terms, content='', detail='none', columnsize=0, tokenize='unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE passage_vocab USING fts5vocab(passage_terms, row);
-- The meaning index (bot.meaning): one row per unit (a passage's sentence or clause). Empty
-- when it was not built; meta 'meaning_model' names the encoder when it was.
CREATE TABLE meaning_units (
    id INTEGER PRIMARY KEY,     -- 1, 2, ...: its place in meaning_codes
    passage_id INTEGER NOT NULL,
    key BLOB NOT NULL,          -- bot.meaning.unit_key(unit text): vectors are reused by it
    vector BLOB NOT NULL        -- bot.meaning.quantize
);
-- The units' sign bits (bot.meaning.sign_codes), a block of units a row: what a large
-- collection keeps in memory instead of the vectors (bot.meaning.SignIndex).
CREATE TABLE meaning_codes (
    first_id INTEGER PRIMARY KEY,  -- meaning_units.id of the block's first unit
    codes BLOB NOT NULL            -- CODE_BYTES per unit, in id order
);
CREATE VIRTUAL TABLE heading_vocab USING fts5vocab(heading_terms, row);
-- How many passages and headings hold each term, written once the index is built: a search
-- weighs its terms by rarity, and an fts5vocab look-up costs 0.4-0.7 ms for a common term
-- (it walks the term's whole doclist) and cannot be batched.
CREATE TABLE term_counts (
    term TEXT PRIMARY KEY,
    passages INTEGER NOT NULL,
    headings INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""


_PASSAGE_SELECT = """
SELECT p.id, p.text, p.kind, s.heading_path, d.title, d.path, d.url,
       s.author, s.source_url, s.source_name, p.section_id, p.prev_id, p.next_id, p.key
FROM passages p
JOIN sections s ON s.id = p.section_id
JOIN documents d ON d.id = p.document_id
"""


# A build that lost more than this share of the documents of the database it replaces is
# refused by `excerpt-bot index` and not served by a reloading bot, unless allowed.
SHRINK_SHARE = 0.5


class StoreError(Exception):
    """The database is missing, unreadable, corrupt or from another version."""


class QueryTimeout(StoreError):
    """A query ran past its time limit and was interrupted."""


@dataclass(frozen=True, slots=True)
class BuildSummary:
    documents: int
    sections: int
    passages: int
    db_bytes: int


def read_only_uri(path: Path) -> str:
    """The URI that opens a database file read-only (`sqlite3.connect(..., uri=True)`)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read the database file at `path`."""
    return sqlite3.connect(read_only_uri(path), uri=True)


def _row_to_passage(row: Sequence[Any]) -> StoredPassage:
    return StoredPassage(
        passage_id=row[0],
        text=row[1],
        kind=PassageKind(row[2]),
        heading_path=tuple(json.loads(row[3])),
        document=DocumentRef(title=row[4], path=row[5], url=row[6]),
        author=row[7],
        source_url=row[8],
        source_name=row[9],
        section_id=row[10],
        prev_id=row[11],
        next_id=row[12],
        key=row[13],
    )


def passage_key(document_path: str, text: str, occurrence: int) -> str:
    """A short id for a passage that survives rebuilds: row ids shift whenever a post is
    added, but deep links and buttons already sent must keep pointing at the same passage.
    13 characters of base32 (a deep-link payload allows [A-Za-z0-9_-]); `occurrence`
    separates identical paragraphs within one document."""
    digest = hashlib.blake2b(
        f"{document_path}\0{occurrence}\0{text}".encode(), digest_size=8
    ).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def _fts_term(term: str) -> str:
    """Quote one term for an FTS5 MATCH expression; terms never contain quotes, but a
    doubled quote keeps any future term from being read as query syntax."""
    return '"' + term.replace('"', '""') + '"'
