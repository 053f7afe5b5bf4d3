"""Corpus → database: fingerprint the inputs, reuse an up-to-date build, report what happened.

    report = await index(Path("excerpt.db"), [Path("corpus")])

The pipeline, in order:

1. `fingerprint` hashes every input that can change the database (the Markdown files, the
   site settings the importer reads for them, the parsing settings, the code) without
   parsing anything; equal fingerprints mean the existing database is up to date.
2. `load` parses the corpus (`bot.corpus`), taking unchanged files from the database being
   replaced instead of parsing them again. It runs in a process of its own, handing each
   document over as it is parsed, while
3. `bot.store.build_database` writes the character index into a new file beside the target.
4. Once every file is parsed and written, the build is admitted or refused (`--strict`, a
   shrink); then `BUILD_STEPS` run on the new file, in order, before it is published: the
   place for work that comes after the character index (a failing step, like a refusal,
   leaves the served database as it was).
5. The store checks the new file and swaps it in with `os.replace`.

`open_or_build` is the auto-index policy the CLI uses: the default database is built (or
rebuilt) from its own corpus when needed; a database the user named is never replaced.

Nothing here prints: the CLI turns an `IndexReport` or an `IndexingError` into output.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Protocol

from bot import __version__
from bot import meaning as meaning_index
from bot.config import Settings
from bot.corpus import (
    DEFAULT_MAX_FILE_BYTES,
    CorpusImport,
    CorpusPathError,
    importer_signature,
    iter_markdown_files,
    load_corpus,
    site_config_files,
)
from bot.corpus.report import CorpusReport
from bot.models import ImportResult, ImportSummary, ParsedDocument, Problem
from bot.store import (
    SCHEMA_VERSION,
    SHRINK_SHARE,
    BuildingDatabase,
    BuildStep,
    PreparedDocument,
    PreviousParses,
    Store,
    StoreError,
    build_database,
    build_lock,
    passage_texts,
    prepare_documents,
    previous_meaning_vectors,
    published_document_paths,
    read_recorded_sources,
    read_stats,
    write_meaning_units,
)
from bot.text import signature as text_signature

__all__ = [
    "BUILD_STEPS",
    "IndexReport",
    "IndexingError",
    "Progress",
    "ShrinkRefused",
    "describe_problem",
    "fingerprint",
    "index",
    "load",
    "open_or_build",
]

# Steps after the character index, run in order on the new database before it is published.
# Each gets the database being built (see `bot.store.BuildStep`); add the next index here.
BUILD_STEPS: tuple[BuildStep, ...] = ()


class IndexingError(Exception):
    """The corpus could not be indexed; the database was not changed."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)  # what the import found, for the caller to list


class ShrinkRefused(IndexingError):
    """The build would have replaced the database with an empty or much smaller one."""


class Progress(Protocol):
    """Where the indexer says how far it got (the CLI draws a status line on a terminal)."""

    def update(self, stage: str, count: int, item: str) -> None:
        """`count` items of `stage` ("parsing") done so far; `item` is the current one."""

    def finish(self, stage: str, count: int, seconds: float) -> None:
        """`stage` is over: `count` items in `seconds`."""


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What `index` did: rebuilt the database, or found it up to date (the figures are then
    those recorded when it was built)."""

    db: Path
    rebuilt: bool
    files_seen: int
    documents: int
    sections: int
    passages: int
    characters: int  # of passage text; 0 when the database was up to date
    problems: tuple[Problem, ...]
    db_bytes: int
    seconds: float
    meaning: MeaningReport | None = None  # None: no meaning index was built this time
    summary: ImportSummary = field(default_factory=ImportSummary)  # as when built, if up to date


@dataclass(slots=True)
class MeaningReport:
    """What the meaning step did: how many units the passages have, how many were encoded
    (the rest were reused from the database being replaced), and how long it took."""

    units: int = 0
    encoded: int = 0
    characters: int = 0  # of the units encoded
    seconds: float = 0.0
    processes: int = 1  # how many encoded them (see bot.meaning.Encoding)


def meaning_step(
    report: MeaningReport,
    progress: Progress | None = None,
    encoder: meaning_index.Encoder | None = None,
    processes: int | None = None,
) -> BuildStep:
    """The build step that writes the meaning index: every passage's units, encoded, except
    those whose vectors the database being replaced already has (by content). `processes`:
    how many encode (default: one per CPU, see `meaning.encoding_processes`)."""

    def step(building: BuildingDatabase) -> None:
        started = time.monotonic()
        rows = [
            (passage_id, unit, meaning_index.unit_key(unit))
            for passage_id, text in passage_texts(building)
            for unit in meaning_index.units(text)
        ]
        vectors = previous_meaning_vectors(
            building, meaning_index.MODEL_ID, {key for _, _, key in rows}
        )
        todo: dict[bytes, str] = {}
        for _, unit, key in rows:
            if key not in vectors:
                todo.setdefault(key, unit)
        keys = list(todo)
        encoding = meaning_index.Encoding(
            [todo[key] for key in keys],
            processes=meaning_index.encoding_processes() if processes is None else processes,
            encoder=encoder,
        )
        done = 0
        for encoded in encoding:
            vectors.update(zip(keys[done : done + len(encoded)], encoded, strict=True))
            done += len(encoded)
            if progress is not None:
                progress.update("meaning", done, f"of {len(keys)} new units")
        report.units = write_meaning_units(
            building,
            ((passage_id, key, vectors[key]) for passage_id, _, key in rows),
            meaning_index.MODEL_ID,
        )
        report.encoded = len(keys)
        report.processes = encoding.processes
        report.characters = sum(map(len, todo.values()))
        report.seconds = time.monotonic() - started
        if progress is not None:
            progress.finish("meaning", len(keys), report.seconds)

    return step


def describe_problem(problem: Problem) -> str:
    """One line naming the file, what was wrong, and whether anything was imported."""
    action = "file skipped" if problem.skipped else "file imported"
    return f"{problem.path}: {problem.reason} ({action})"


def _file_digest(path: Path, max_bytes: int) -> tuple[bytes, int]:
    """Hash a file's bytes, but never block on a FIFO or read a device or a huge file: for
    those, what `stat` says is enough to notice a change. With the bytes read (0 if none)."""
    try:
        info = path.stat()
    except OSError as exc:
        return repr(exc).encode(), 0
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return f"{info.st_mode}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}".encode(), 0
    try:
        data = path.read_bytes()
    except OSError as exc:
        return repr(exc).encode(), 0
    return hashlib.sha256(data).digest(), len(data)


def fingerprint(
    paths: Sequence[Path],
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    allow_outside_links: bool = False,
) -> str:
    """A hash of every input that can change the database, without parsing anything: the
    Markdown files, the site settings the importer will use for them, the settings that
    change parsing, and the code (schema, version, importer source, text tables).
    Raises CorpusPathError when a path cannot be walked."""
    return _fingerprint(paths, max_file_bytes, allow_outside_links)[0]


def _fingerprint(
    paths: Sequence[Path], max_file_bytes: int, allow_outside_links: bool
) -> tuple[str, int]:
    """`fingerprint`, and the bytes of Markdown it read: what a build will parse."""
    digest = hashlib.sha256(
        f"schema={SCHEMA_VERSION};version={__version__};importer={importer_signature()};"
        f"text={text_signature()};max={max_file_bytes};outside={allow_outside_links}".encode()
    )
    roots: set[Path] = set()
    markdown_bytes = 0
    for file, root in iter_markdown_files(paths, allow_outside_links=allow_outside_links):
        roots.add(root)
        digest.update(str(file.relative_to(root)).encode("utf-8", "surrogateescape"))
        file_digest, size = _file_digest(file, max_file_bytes)
        digest.update(file_digest)
        markdown_bytes += size
    for root in sorted(roots):
        for config in site_config_files(root):  # exactly the files the importer will read
            digest.update(str(config).encode("utf-8", "surrogateescape"))
            digest.update(_file_digest(config, max_file_bytes)[0])
    return digest.hexdigest(), markdown_bytes


def load(
    paths: Sequence[Path],
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: Progress | None = None,
    previous: PreviousParses | None = None,
    allow_outside_links: bool = False,
    on_document: Callable[[ParsedDocument], None] | None = None,
) -> ImportResult:
    """Parse the corpus, writing nothing. Raises CorpusPathError for a path that cannot be
    walked; a broken file is a problem in the result, never an exception. `on_document`
    gets each document as soon as it is parsed."""
    started = time.monotonic()

    def report(files: int, path: Path) -> None:
        assert progress is not None
        progress.update("parsing", files, str(path))

    result = load_corpus(
        paths,
        max_file_bytes=max_file_bytes,
        progress=report if progress is not None else None,
        cache=previous,
        allow_outside_links=allow_outside_links,
        on_document=on_document,
    )
    if progress is not None:
        progress.finish("parsing", result.files_seen, time.monotonic() - started)
    return result


class _ProgressToParent:
    """`Progress` in the parsing process: each call goes to the indexing process."""

    def __init__(self, channel: Connection) -> None:
        self._channel = channel

    def update(self, stage: str, count: int, item: str) -> None:
        self._channel.send(("update", stage, count, item))

    def finish(self, stage: str, count: int, seconds: float) -> None:
        self._channel.send(("finish", stage, count, seconds))


_HANDOVER = 32  # documents pickled together on their way to the indexing process
_PARSE_APART_BYTES = 4_000_000  # Markdown from which parsing gets a process (~1.3 M chars)


def _parse_in_child(
    channel: Connection,
    db: Path,
    paths: Sequence[Path],
    max_file_bytes: int,
    reuse_previous: bool,
    allow_outside_links: bool,
    report_progress: bool,
) -> None:
    """`load` in the parsing process: documents, progress, then the import without its
    documents (they came already), or the error it raised."""
    batch: list[ParsedDocument] = []

    def hand_over(document: ParsedDocument) -> None:
        batch.append(document)
        if len(batch) >= _HANDOVER:
            # Prepared here (keys, index terms): this process has time to spare, the
            # database thread has none (it was 17% of its work at 24 M characters).
            channel.send(("documents", prepare_documents(batch)))
            batch.clear()

    try:
        result = _load_reusing(
            db,
            paths,
            reuse_previous,
            max_file_bytes=max_file_bytes,
            progress=_ProgressToParent(channel) if report_progress else None,
            allow_outside_links=allow_outside_links,
            on_document=hand_over,
        )
        channel.send(("documents", prepare_documents(batch)))
        channel.send(("done", result))
    except BaseException as exc:  # the indexing process raises it
        try:
            channel.send(("error", exc))
        except Exception:  # an exception that cannot be pickled
            channel.send(("error", RuntimeError(f"parsing failed: {exc!r}")))
    finally:
        channel.close()


def _load_reusing(
    db: Path,
    paths: Sequence[Path],
    reuse_previous: bool,
    *,
    max_file_bytes: int,
    progress: Progress | None,
    allow_outside_links: bool,
    on_document: Callable[[ParsedDocument], None] | None = None,
) -> ImportResult:
    """`load`, taking unchanged files from the database being replaced (`reuse_previous`)
    instead of parsing them again."""
    previous = PreviousParses.open(db) if reuse_previous else None
    try:
        return load(
            paths,
            max_file_bytes=max_file_bytes,
            progress=progress,
            previous=previous,
            allow_outside_links=allow_outside_links,
            on_document=on_document,
        )
    finally:
        if previous is not None:
            previous.close()


class _BackgroundParse:
    """`load` in a process of its own, handing the documents to the build as they come.

    Parsing is Python and so is much of writing the index: two threads of one process
    would take turns on the GIL, so the parsing gets a process (spawned, like the meaning
    encoders: this process has a database thread). `documents()` is consumed on the database
    thread and ends when every file is parsed, raising what parsing raised; `result()` is
    the whole import, once it is done; `stop()` ends parsing early (the build failed)."""

    def __init__(
        self,
        db: Path,
        paths: Sequence[Path],
        *,
        max_file_bytes: int,
        progress: Progress | None,
        reuse_previous: bool,
        allow_outside_links: bool,
        in_process: bool,
    ) -> None:
        self._progress = progress
        self._result: ImportResult | None = None
        self._parsed = ParsedSummary()
        self._in_process = in_process
        self._db = db
        self._paths = list(paths)
        self._max_file_bytes = max_file_bytes
        self._reuse_previous = reuse_previous
        self._allow_outside_links = allow_outside_links
        self._process: BaseProcess | None = None
        self._channel: Connection | None = None

    def start(self) -> None:
        if self._in_process:
            return
        context = multiprocessing.get_context("spawn")
        self._channel, child = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_parse_in_child,
            args=(
                child,
                self._db,
                self._paths,
                self._max_file_bytes,
                self._reuse_previous,
                self._allow_outside_links,
                self._progress is not None,
            ),
            name="excerpt-bot-parse",
            daemon=True,
        )
        self._process.start()
        child.close()  # the child's end is the child's: EOF when it exits

    def documents(self) -> Iterator[ParsedDocument | PreparedDocument]:
        if self._in_process:
            # A small corpus: parsed here, on the database thread, before any is written
            # (a process costs half a second to start).
            self._result = _load_reusing(
                self._db,
                self._paths,
                self._reuse_previous,
                max_file_bytes=self._max_file_bytes,
                progress=self._progress,
                allow_outside_links=self._allow_outside_links,
            )
            for parsed in self._result.documents:
                self._parsed.add(parsed)
                yield parsed
            return
        assert self._channel is not None  # started
        while True:
            try:
                message = self._channel.recv()
            except EOFError:
                raise RuntimeError("the parsing process ended without a result") from None
            kind = message[0]
            if kind == "documents":
                # Not kept once written: only what the build must know of them.
                for prepared in message[1]:
                    self._parsed.add(prepared.parsed)
                yield from message[1]
            elif kind == "update" and self._progress is not None:
                self._progress.update(*message[1:])
            elif kind == "finish" and self._progress is not None:
                self._progress.finish(*message[1:])
            elif kind == "done":
                self._result = message[1]
                return
            elif kind == "error":
                raise message[1]

    def finished(self) -> bool:
        return self._result is not None

    def parsed(self) -> ParsedSummary:
        """What the documents handed over so far were (they are not kept)."""
        return self._parsed

    def result(self) -> ImportResult:
        if self._result is None:
            raise RuntimeError("the corpus is not parsed yet")
        return self._result

    def stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
        if self._channel is not None:
            self._channel.close()


async def index(
    db: Path,
    paths: Sequence[Path],
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    allow_outside_links: bool = False,
    force: bool = False,
    strict: bool = False,
    allow_shrink: bool = False,
    progress: Progress | None = None,
    steps: Sequence[BuildStep] = BUILD_STEPS,
    meaning: bool = True,
    encoder: meaning_index.Encoder | None = None,
    waiting: Callable[[], None] | None = None,
) -> IndexReport:
    """Build the database at `db` from `paths`, unless it is up to date (`force` rebuilds
    anyway). `strict`: any problem fails the build and leaves the database unchanged.
    A build with no passages, or one that lost most of the documents of the database it
    would replace, is refused unless `allow_shrink` (see `shrink_refusal`).
    `meaning`: build the meaning index too (when the encoder is installed); a database
    without one, asked for one, is not up to date.
    One build of `db` at a time: another one waits for it (`waiting` is called first), then
    finds the database up to date or builds on what it published.
    Raises IndexingError: the database was not changed (a missing path, `strict` with
    problems, a shrink, or a new file that could not be written)."""
    try:
        async with build_lock(db, waiting):
            return await _index_locked(
                db,
                paths,
                max_file_bytes=max_file_bytes,
                allow_outside_links=allow_outside_links,
                force=force,
                strict=strict,
                allow_shrink=allow_shrink,
                progress=progress,
                steps=steps,
                meaning=meaning,
                encoder=encoder,
            )
    except StoreError as exc:  # the lock could not be taken: the folder is not writable
        raise IndexingError(str(exc)) from None


@dataclass(slots=True)
class ParsedSummary:
    """What a build must know of the documents it wrote, once they are gone: which paths
    it has (`shrink_refusal`), how many passages and characters (the report)."""

    paths: set[str] = field(default_factory=set)
    passages: int = 0
    characters: int = 0

    def add(self, parsed: ParsedDocument) -> None:
        self.paths.add(parsed.document.path)
        self.passages += len(parsed.passages)
        self.characters += sum(len(p.text) for p in parsed.passages)


def shrink_refusal(
    parsed: ParsedSummary, result: ImportResult, published: set[str] | None, paths: Sequence[Path]
) -> str | None:
    """Why a build must not replace the published database, or None: it has no passages at
    all (an empty folder, a wrong path, every file broken), or it lost most of the
    documents the published database has (by path). The usual cause is a mistake, and a
    bot that reloads would serve it within seconds."""
    where = ", ".join(str(p) for p in paths)
    if not parsed.passages:
        broken = sum(1 for p in result.problems if p.skipped)
        return f"no passages in {where} ({result.files_seen} files read, {broken} skipped)"
    if not published:
        return None
    kept = parsed.paths
    lost = len(published - kept)
    if lost > SHRINK_SHARE * len(published):
        return (
            f"this build lost {lost} of the {len(published)} documents the database has "
            f"({len(kept)} found in {where})"
        )
    return None


async def _index_locked(
    db: Path,
    paths: Sequence[Path],
    *,
    max_file_bytes: int,
    allow_outside_links: bool,
    force: bool,
    strict: bool,
    allow_shrink: bool,
    progress: Progress | None,
    steps: Sequence[BuildStep],
    meaning: bool,
    encoder: meaning_index.Encoder | None,
) -> IndexReport:
    """`index`, holding the build lock."""
    started = time.monotonic()
    for path in paths:
        if not path.exists():
            raise IndexingError(f"{path}: no such file or directory; the database was not changed")
    try:
        current, markdown_bytes = _fingerprint(paths, max_file_bytes, allow_outside_links)
    except CorpusPathError as exc:
        raise IndexingError(f"{exc}; the database was not changed") from None
    previous = await read_stats(db)
    if (
        not force
        and previous is not None
        and previous.fingerprint == current
        and previous.text_signature == text_signature()
        and previous.meaning_model == (_meaning_model() if meaning else previous.meaning_model)
    ):
        # Nothing changed: the same summary and problems as when it was built, no rebuild.
        report = IndexReport(
            db=db,
            rebuilt=False,
            files_seen=previous.files_seen,
            documents=previous.documents,
            sections=previous.sections,
            passages=previous.passages,
            characters=0,
            problems=previous.problems,
            db_bytes=previous.db_bytes,
            seconds=time.monotonic() - started,
            summary=previous.summary,
        )
        if strict and report.problems:
            raise IndexingError(
                f"--strict: {len(report.problems)} file(s) had problems", report.problems
            )
        return report
    # The files are parsed in a process of their own while the database thread writes the
    # documents already parsed (at 24 M characters, parsing alone took 15 s of a 50 s
    # build). Whether the build may be published (--strict, a shrink) is decided once
    # everything is parsed, before any later step and before the new file replaces the old
    # one; a refused build is discarded like a failed one.
    parsing = _BackgroundParse(
        db,
        paths,
        max_file_bytes=max_file_bytes,
        progress=progress,
        reuse_previous=not force,
        allow_outside_links=allow_outside_links,
        in_process=markdown_bytes < _PARSE_APART_BYTES,
    )
    published = published_document_paths(db)

    def admit(_: BuildingDatabase) -> None:
        result = parsing.result()
        if strict and result.problems:
            raise IndexingError(
                f"--strict: {len(result.problems)} file(s) had problems; the database was not"
                " changed",
                result.problems,
            )
        refusal = shrink_refusal(parsing.parsed(), result, published, paths)
        if refusal is not None and not allow_shrink:
            raise ShrinkRefused(
                f"{refusal}; the database was not changed (--allow-shrink publishes it anyway)",
                result.problems,
            )

    steps = (admit, *steps)
    meaning_report = None
    if meaning and meaning_index.available():
        meaning_report = MeaningReport()
        steps = (*steps, meaning_step(meaning_report, progress, encoder))
    parsing.start()
    try:
        summary = await build_database(
            db,
            parsing.documents(),
            fingerprint=current,
            extra_meta=lambda: {
                "sources": json.dumps([str(p) for p in paths], ensure_ascii=False),
                "files_seen": str(parsing.result().files_seen),
                "problems": json.dumps(
                    [[p.path, p.reason, p.skipped] for p in parsing.result().problems],
                    ensure_ascii=False,
                ),
                "import_summary": _summary(parsing.result()).as_json(),
                # The operator allowed a shrink: a reloading bot serves it, whatever it
                # replaces there (the bot compares with the database it serves).
                **({"shrink_allowed": "1"} if allow_shrink else {}),
            },
            steps=steps,
        )
    except StoreError as exc:  # the old database is untouched; say what the import found too
        problems = parsing.result().problems if parsing.finished() else []
        raise IndexingError(str(exc), problems) from None
    finally:
        parsing.stop()
    result = parsing.result()
    return IndexReport(
        db=db,
        rebuilt=True,
        files_seen=result.files_seen,
        documents=summary.documents,
        sections=summary.sections,
        passages=summary.passages,
        characters=parsing.parsed().characters,
        problems=tuple(result.problems),
        db_bytes=summary.db_bytes,
        seconds=time.monotonic() - started,
        meaning=meaning_report,
        summary=_summary(result),
    )


def _summary(result: ImportResult) -> ImportSummary:
    if not isinstance(result, CorpusImport):
        return ImportSummary()
    notes = [note.kind for note in result.notes]
    return ImportSummary(
        sites=tuple(CorpusReport.build(result).sites),
        unlinked=notes.count("no link"),
        withheld=notes.count("withheld"),
        drafts=notes.count("draft"),
    )


def _meaning_model() -> str:
    """The meaning model a build makes here: "" when the encoder is not installed."""
    return meaning_index.MODEL_ID if meaning_index.available() else ""


def _ignore(line: str) -> None:
    pass


async def open_or_build(
    settings: Settings,
    *,
    auto_index: bool,
    build_missing: bool = False,
    for_search: bool = True,
    say: Callable[[str], None] = _ignore,
) -> Store:
    """Open the database at `settings.db`.

    `auto_index` (the user did not name a database): build it from the configured corpus
    (the shipped one by default) when there is none yet, or rebuild it when it was built
    from that corpus and the corpus has changed since. A database built from other paths
    (`excerpt-bot index ~/blog`) is never replaced behind the user's back.
    `build_missing`: a named database that does not exist yet is built from the corpus.
    `say` gets a line for the user before a build, and each problem the build found.
    Raises IndexingError or StoreError."""
    paths = list(settings.corpus)
    if build_missing and not auto_index and not settings.db.exists():
        say(f"No database at {settings.db}; indexing the corpus into it ...")
        await _build_quietly(settings, paths, say)
    if auto_index and await _needs_build(settings, paths):
        if settings.uses_shipped_corpus and not paths[0].is_dir():
            raise IndexingError(
                "this installation has no shipped corpus (it was installed without the "
                "source tree): set EXCERPT_BOT_CORPUS to a folder of posts, or run "
                "`excerpt-bot index --db PATH POSTS/` and pass --db PATH"
            )
        sources = ", ".join(str(p) for p in paths)
        what = "the shipped corpus" if settings.uses_shipped_corpus else sources
        say(f"Indexing {what} into {settings.db} ...")
        await _build_quietly(settings, paths, say)
    return await Store.open(settings.db, for_search=for_search, meaning=settings.meaning)


async def _needs_build(settings: Settings, paths: Sequence[Path]) -> bool:
    """Whether the default database is missing, unusable or stale, and ours to rebuild."""
    sources = tuple(str(p) for p in paths)
    stats = await read_stats(settings.db)
    # One this version cannot use is rebuilt if it is ours to rebuild: missing, damaged
    # beyond reading, or built from this same corpus (an older schema, say).
    unusable = stats is None and (
        not settings.db.exists() or read_recorded_sources(settings.db) in (None, sources)
    )
    stale = (
        stats is not None
        and stats.sources == sources
        and (
            stats.fingerprint
            != fingerprint(
                paths,
                max_file_bytes=settings.max_file_bytes,
                allow_outside_links=settings.allow_outside_links,
            )
            or stats.text_signature != text_signature()
        )
    )
    return unusable or stale


async def _build_quietly(
    settings: Settings, paths: Sequence[Path], say: Callable[[str], None]
) -> None:
    """A forced build on the user's behalf: only its problems are worth a line each."""
    try:
        report = await index(
            settings.db,
            paths,
            max_file_bytes=settings.max_file_bytes,
            allow_outside_links=settings.allow_outside_links,
            force=True,
            meaning=settings.meaning,
        )
    except ShrinkRefused as exc:
        for problem in exc.problems:
            say(describe_problem(problem))
        if await read_stats(settings.db) is None:
            raise
        # The corpus emptied or mostly vanished (an unmounted volume, a wrong path): keep
        # answering from what was built before rather than from nothing.
        say(f"{exc}; using the database as it was")
        return
    except IndexingError as exc:
        for problem in exc.problems:
            say(describe_problem(problem))
        raise
    for problem in report.problems:
        say(describe_problem(problem))
