"""The small frozen records that flow between the importer, the store, search and the bot.

Nothing here does I/O. The importer produces `ParsedDocument`s; the store persists them and
hands back `StoredPassage`s; search wraps those in `Match`es, which carry everything a reply
needs so that no second look-up is required to render one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum


class MatchKind(StrEnum):
    """How a search result was found, which decides what a reader may take it for."""

    TEXT = "text"  # by the reader's words: exact, typos, Traditional script, misremembered
    MEANING = "meaning"  # close in meaning, not the reader's words: never quote it as theirs


class PassageKind(StrEnum):
    """Where a passage came from in the Markdown; used for tie-breaks and rendering."""

    PARAGRAPH = "paragraph"
    QUOTE = "quote"  # a paragraph inside a blockquote or a {% blockquote %}/{% centerquote %}
    LIST_ITEM = "list_item"
    NOTE = "note"  # a paragraph inside {% note %}: often an editor's aside, ranked after body text


@dataclass(frozen=True, slots=True)
class Document:
    """One Markdown file (a post)."""

    path: str  # POSIX path relative to the corpus root it was found under
    title: str
    url: str | None  # the post's own public URL (site URL + permalink), if a site URL is known
    authors: tuple[str, ...] = ()
    date: str | None = None  # ISO 8601 as written in front matter, normalised to a string
    updated: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # nested categories joined with " / "
    description: str | None = None
    source_url: str | None = None  # front matter source/link/original-URL field
    sha256: str = ""  # of the raw file bytes: lets a re-index skip unchanged files


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and everything under it until the next heading of the same or higher level.

    Index 0 of a document's sections is always the root: level 0, no heading, holding the
    passages that come before the first heading.
    """

    index: int
    parent: int | None
    level: int  # 0 for the root, 1..6 for headings
    heading: str  # clean text of the heading, "" for the root
    anchor: str | None  # Hexo-style heading id (unescaped), None for the root
    heading_path: tuple[str, ...]  # headings from the top down to this one, root excluded
    author: str | None  # resolved: own attribution, else inherited, else front matter
    source_url: str | None  # resolved: own attribution, else inherited, else front matter,
    #                         else the post URL with this heading's anchor
    source_name: str | None = None  # the link text of the attribution ("知乎"), if any


@dataclass(frozen=True, slots=True)
class Passage:
    """One paragraph (or one piece of a paragraph that was too long), clean text only."""

    section: int  # index into ParsedDocument.sections
    kind: PassageKind
    text: str
    line: int = 0  # 1-based source line where it starts; for problem reports and debugging


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    document: Document
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    # What the parse depended on (file bytes, site settings, importer code): equal keys mean
    # an equal parse, so a re-index can reuse it instead of parsing the file again.
    parse_key: str = ""
    warnings: tuple[str, ...] = ()  # problems that did not stop the import, as reported


@dataclass(frozen=True, slots=True)
class Problem:
    """A per-file problem found while importing; the path names the file for the user."""

    path: str
    reason: str
    skipped: bool  # True: nothing imported from the file; False: imported up to the problem


@dataclass(slots=True)
class ImportResult:
    documents: list[ParsedDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_seen: int = 0


@dataclass(frozen=True, slots=True)
class DocumentRef:
    title: str
    path: str
    url: str | None


@dataclass(frozen=True, slots=True)
class StoredPassage:
    """A passage as read back from the store, with what a reply needs around it."""

    passage_id: int
    text: str
    kind: PassageKind
    heading_path: tuple[str, ...]
    document: DocumentRef
    author: str | None
    source_url: str | None
    source_name: str | None
    section_id: int
    prev_id: int | None  # previous passage in the same section
    next_id: int | None  # next passage in the same section
    key: str = ""  # stable across rebuilds (row ids are not): what deep links and buttons carry


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: a stored passage plus how well and where it matched."""

    rank: int
    score: float  # 0..100
    passage: StoredPassage
    highlights: tuple[tuple[int, int], ...]  # [start, end) character spans in passage.text
    kind: MatchKind = MatchKind.TEXT

    def to_json(self) -> dict[str, object]:
        p = self.passage
        return {
            "rank": self.rank,
            "score": round(self.score, 1),
            "text": p.text,
            "heading_path": list(p.heading_path),
            "document": {"title": p.document.title, "path": p.document.path, "url": p.document.url},
            "author": p.author,
            "source_url": p.source_url,
            "passage_id": p.passage_id,
            "prev_id": p.prev_id,
            "next_id": p.next_id,
            "highlights": [list(span) for span in self.highlights],
            "match": self.kind.value,
        }


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A document in a list (/sources, /toc): what a line about it needs."""

    id: int
    title: str
    url: str | None
    authors: tuple[str, ...]
    path: str
    passages: int


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A headed section of a document, for a table of contents."""

    section_id: int
    level: int
    heading: str
    first_passage_id: int | None  # None: nothing under the heading, not even subsections


@dataclass(frozen=True, slots=True)
class DocumentOutline:
    """A document's table of contents."""

    title: str  # the document's title, else its path
    sections: tuple[OutlineEntry, ...]  # headed sections in document order
    first_passage_id: int | None  # where the document starts


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import says besides its problems, kept with the database so that an index
    that finds nothing changed says it again: each site read, with where its pages link
    ("ROOT: generator: Jekyll, https://…" or "no site URL: pages get no link"), how many
    pages got no link, and how many were not imported for their owner (password-protected)
    or not published (drafts). A blog owner sees at once whether replies carry working
    links and what was left out."""

    sites: tuple[str, ...] = ()
    unlinked: int = 0
    withheld: int = 0
    drafts: int = 0

    def as_json(self) -> str:
        return json.dumps(
            {"sites": list(self.sites), "unlinked": self.unlinked,
             "withheld": self.withheld, "drafts": self.drafts},
            ensure_ascii=False,
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> ImportSummary:
        """The summary stored by `as_json`; an empty one for a database built before."""
        try:
            data = json.loads(text)
            return cls(
                tuple(str(s) for s in data.get("sites", ())),
                int(data.get("unlinked", 0)),
                int(data.get("withheld", 0)),
                int(data.get("drafts", 0)),
            )
        except (ValueError, TypeError, AttributeError):
            return cls()


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What a database holds and how it was built (`excerpt-bot stats`, /about)."""

    path: str
    documents: int
    sections: int
    passages: int
    characters: int
    db_bytes: int
    built_at: str
    fingerprint: str
    schema_version: int
    build_seconds: float
    sources: tuple[str, ...]  # the corpus paths it was built from, as given
    files_seen: int
    problems: tuple[Problem, ...]  # what the import reported when it was built
    text_signature: str  # see bot.text.signature
    build_id: str = ""  # unique per build
    meaning_model: str = ""  # the encoder of the meaning index; "" when there is none
    meaning_units: int = 0
    shrink_allowed: bool = False  # built with --allow-shrink, though it lost most documents
    summary: ImportSummary = field(default_factory=ImportSummary)  # sites, unlinked, left out
