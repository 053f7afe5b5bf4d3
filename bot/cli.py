"""The front door: `excerpt-bot index | search | export | check | stats | run`.

The only place that calls `asyncio.run`; turns domain errors into one clear line on stderr
and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import stat
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot import __version__
from bot.config import Settings, SettingsError, load_settings
from bot.corpus import (
    CorpusPathError,
    find_site_config,
    importer_signature,
    iter_markdown_files,
    load_corpus,
)
from bot.models import ImportResult, Match, Problem
from bot.search import SearchResult, search, warm_up
from bot.store import (
    SCHEMA_VERSION,
    PreviousParses,
    Store,
    StoreError,
    build_database,
    read_recorded_sources,
    read_stats,
)
from bot.text import signature as text_signature

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line on stderr with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


# --- helpers --------------------------------------------------------------------------------


def _file_digest(path: Path, max_bytes: int) -> bytes:
    """Hash a file's bytes, but never block on a FIFO or read a device or a huge file: for
    those, what `stat` says is enough to notice a change."""
    try:
        info = path.stat()
    except OSError as exc:
        return repr(exc).encode()
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return f"{info.st_mode}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}".encode()
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError as exc:
        return repr(exc).encode()


def _corpus_fingerprint(paths: Sequence[Path], settings: Settings) -> str:
    """A hash of every input that can change the database, without parsing anything: the
    Markdown files, the site settings the importer will use for them, the settings that
    change parsing, and the code (schema, version, importer source, text tables)."""
    digest = hashlib.sha256(
        f"schema={SCHEMA_VERSION};version={__version__};importer={importer_signature()};"
        f"text={text_signature()};max={settings.max_file_bytes}".encode()
    )
    roots: set[Path] = set()
    for file, root in iter_markdown_files(paths):
        roots.add(root)
        digest.update(str(file.relative_to(root)).encode("utf-8", "surrogateescape"))
        digest.update(_file_digest(file, settings.max_file_bytes))
    for root in sorted(roots):
        config = find_site_config(root)  # exactly the file the importer will read
        digest.update(str(config).encode("utf-8", "surrogateescape"))
        if config is not None:
            digest.update(_file_digest(config, settings.max_file_bytes))
    return digest.hexdigest()


def _print_problems(problems: Sequence[Problem], out: TextIO) -> None:
    for problem in problems:
        action = "file skipped" if problem.skipped else "file imported"
        print(f"{problem.path}: {problem.reason} ({action})", file=out)


def _load(
    paths: Sequence[Path],
    settings: Settings,
    *,
    progress: bool,
    previous: PreviousParses | None = None,
) -> ImportResult:
    started = time.monotonic()
    last_report = 0.0

    def report(files: int, path: Path) -> None:
        nonlocal last_report
        now = time.monotonic()
        if now - last_report >= 0.2:  # a terminal cannot show more, and printing costs
            last_report = now
            name = str(path)[-50:]
            print(f"\r\033[Kparsing {files} files ... {name}", end="", file=sys.stderr)

    result = load_corpus(
        paths,
        max_file_bytes=settings.max_file_bytes,
        progress=report if progress else None,
        cache=previous,
    )
    if progress:
        seconds = time.monotonic() - started
        print(f"\r\033[Kparsed {result.files_seen} files in {seconds:.1f} s", file=sys.stderr)
    return result


async def _index(
    settings: Settings, paths: Sequence[Path], *, strict: bool, force: bool, quiet: bool
) -> int:
    started = time.monotonic()
    for path in paths:
        if not path.exists():
            raise CliError(f"{path}: no such file or directory; the database was not changed")
    try:
        fingerprint = _corpus_fingerprint(paths, settings)
    except CorpusPathError as exc:
        raise CliError(f"{exc}; the database was not changed") from None
    previous = await read_stats(settings.db)
    if (
        not force
        and previous is not None
        and previous.fingerprint == fingerprint
        and previous.text_signature == text_signature()
    ):
        # Nothing changed: the same summary and problems as when it was built, no rebuild.
        if not quiet:
            _print_problems(previous.problems, sys.stderr)
            print(
                f"{settings.db} is up to date (use --force to rebuild): "
                f"{previous.files_seen} files, {previous.documents} documents, "
                f"{previous.sections} sections, {previous.passages} passages, "
                f"{len(previous.problems)} problems, {time.monotonic() - started:.2f} s",
                file=sys.stderr,
            )
        if strict and previous.problems:
            raise CliError(f"--strict: {len(previous.problems)} file(s) had problems")
        return EXIT_OK
    # Unchanged files are taken from the database being replaced instead of parsed again.
    previous_parses = None if force else PreviousParses.open(settings.db)
    try:
        result = _load(
            paths, settings, progress=sys.stderr.isatty() and not quiet, previous=previous_parses
        )
    finally:
        if previous_parses is not None:
            previous_parses.close()
    _print_problems(result.problems, sys.stderr)
    if strict and result.problems:
        raise CliError(
            f"--strict: {len(result.problems)} file(s) had problems; the database was not changed"
        )
    if not result.documents and not quiet:
        print("warning: no Markdown passages found", file=sys.stderr)
    summary = await build_database(
        settings.db,
        result.documents,
        fingerprint=fingerprint,
        extra_meta={
            "sources": json.dumps([str(p) for p in paths], ensure_ascii=False),
            "files_seen": str(result.files_seen),
            "problems": json.dumps(
                [[p.path, p.reason, p.skipped] for p in result.problems], ensure_ascii=False
            ),
        },
    )
    if not quiet:
        seconds = time.monotonic() - started
        print(
            f"indexed {result.files_seen} files: {summary.documents} documents, "
            f"{summary.sections} sections, {summary.passages} passages, "
            f"{len(result.problems)} problems, {seconds:.2f} s, "
            f"{summary.db_bytes / 1e6:.1f} MB -> {settings.db}",
            file=sys.stderr,
        )
    return EXIT_OK


async def _open_store(settings: Settings, *, auto_index: bool, for_search: bool = True) -> Store:
    """Open the database. Unless the user named one with --db, build it from the configured
    corpus (the shipped one by default) when there is none yet, or rebuild it when it was
    built from that corpus and the corpus has changed since. A database built from other
    paths (`excerpt-bot index ~/blog`) is never replaced behind the user's back."""
    if auto_index:
        paths = list(settings.corpus)
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
                stats.fingerprint != _corpus_fingerprint(paths, settings)
                or stats.text_signature != text_signature()
            )
        )
        if unusable or stale:
            if settings.uses_shipped_corpus and not paths[0].is_dir():
                raise CliError(
                    "this installation has no shipped corpus (it was installed without the "
                    "source tree): set EXCERPT_BOT_CORPUS to a folder of posts, or run "
                    "`excerpt-bot index --db PATH POSTS/` and pass --db PATH"
                )
            what = "the shipped corpus" if settings.uses_shipped_corpus else ", ".join(sources)
            print(f"Indexing {what} into {settings.db} ...", file=sys.stderr)
            await _index(settings, paths, strict=False, force=True, quiet=True)
    store = await Store.open(settings.db, for_search=for_search)
    warm_up()
    return store


def _wrap(text: str, columns: int) -> list[str]:
    """Wrap by display columns: a Chinese character takes two, and textwrap counts one.
    ANSI escape sequences take none."""
    lines: list[str] = []
    current: list[str] = []
    width = 0
    in_escape = False
    for char in text:
        if char == "\033":
            in_escape = True
        char_width = 0 if in_escape else (2 if unicodedata.east_asian_width(char) in "WF" else 1)
        if in_escape and char == "m":
            in_escape = False
        if width + char_width > columns and current:
            lines.append("".join(current).rstrip())
            current, width = [], 0
            if char == " ":
                continue
        current.append(char)
        width += char_width
    if current:
        lines.append("".join(current).rstrip())
    return lines


def _format_match(match: Match, *, color: bool) -> str:
    p = match.passage
    text = p.text
    bold, reset = ("\033[1m", "\033[0m") if color else ("【", "】")
    for start, end in sorted(match.highlights, reverse=True):
        text = text[:start] + bold + text[start:end] + reset + text[end:]
    where = " › ".join(p.heading_path) or p.document.title
    if p.heading_path and p.document.title not in p.heading_path:
        where = f"{p.document.title} › {where}"
    lines = [f"{match.rank}. [{match.score:.0f}] {where}"]
    lines.extend("   " + line for line in _wrap(text, 76))
    source = " · ".join(x for x in (p.author, p.source_url) if x)
    if source:
        lines.append(f"   — {source}")
    return "\n".join(lines)


def _result_json(result: SearchResult) -> str:
    return json.dumps(
        {
            "query": result.query,
            "took_ms": round(result.took_ms, 3),
            "total": result.total,
            "results": [m.to_json() for m in result.matches],
        },
        ensure_ascii=False,
    )


async def _search(settings: Settings, query: str, *, limit: int, as_json: bool, auto: bool) -> int:
    store = await _open_store(settings, auto_index=auto)
    try:
        if query == "-":
            for line in sys.stdin:
                result = await search(store, line.rstrip("\r\n"), limit=limit)
                print(_result_json(result), flush=True)
            return EXIT_OK
        result = await search(store, query, limit=limit)
        if as_json:
            print(_result_json(result))
            return EXIT_OK
        if not result.matches:
            print(
                f"Nothing found for “{query}” ({result.took_ms:.1f} ms). Try fewer words, "
                "a distinctive phrase, or the words you are surest of."
            )
            return EXIT_OK
        color = sys.stdout.isatty()
        print("\n\n".join(_format_match(m, color=color) for m in result.matches))
        noun = "match" if result.total == 1 else "matches"
        print(f"\n{result.total} {noun}, {result.took_ms:.1f} ms")
        return EXIT_OK
    finally:
        await store.close()


async def _export(settings: Settings, *, auto: bool) -> int:
    store = await _open_store(settings, auto_index=auto, for_search=False)
    try:
        for passage in await store.iter_passages():
            record = Match(rank=0, score=0.0, passage=passage, highlights=()).to_json()
            # The same fields as a search result; a passage on its own has no rank or score.
            record["rank"] = record["score"] = None
            print(json.dumps(record, ensure_ascii=False))
        return EXIT_OK
    finally:
        await store.close()


async def _stats(settings: Settings, *, as_json: bool, auto: bool) -> int:
    store = await _open_store(settings, auto_index=auto, for_search=False)
    try:
        stats = await store.stats()
    finally:
        await store.close()
    record = {
        "path": stats.path,
        "documents": stats.documents,
        "sections": stats.sections,
        "passages": stats.passages,
        "characters": stats.characters,
        "db_bytes": stats.db_bytes,
        "built_at": stats.built_at,
        "build_seconds": stats.build_seconds,
        "schema_version": stats.schema_version,
        "fingerprint": stats.fingerprint,
        "sources": list(stats.sources),
        "files_seen": stats.files_seen,
        "problems": len(stats.problems),
    }
    if as_json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        width = max(len(k) for k in record)
        for key, value in record.items():
            print(f"{key.ljust(width)}  {value}")
    return EXIT_OK


def _check(settings: Settings, paths: Sequence[Path]) -> int:
    for path in paths:
        if not path.exists():
            raise CliError(f"{path}: no such file or directory")
    try:
        result = _load(paths, settings, progress=False)
    except CorpusPathError as exc:
        raise CliError(str(exc)) from None
    _print_problems(result.problems, sys.stdout)
    passages = sum(len(d.passages) for d in result.documents)
    print(
        f"{result.files_seen} files, {len(result.documents)} documents, {passages} passages, "
        f"{len(result.problems)} problems"
    )
    return EXIT_FAIL if result.problems else EXIT_OK


# --- argument parsing -----------------------------------------------------------------------


async def _prepare_database(settings: Settings, *, auto: bool) -> None:
    """Make sure `run` has a database: the configured corpus is indexed when there is none
    (so a token is all a new user needs), and a database it cannot use stops it here with
    one clear line rather than inside the bot."""
    if not auto and not settings.db.exists():
        print(f"No database at {settings.db}; indexing the corpus into it ...", file=sys.stderr)
        await _index(settings, list(settings.corpus), strict=False, force=True, quiet=True)
    store = await _open_store(settings, auto_index=auto)
    await store.close()


def _run(settings: Settings, *, auto: bool, log_level: str, scheduler_only: bool = False) -> int:
    from telegram.error import BadRequest, InvalidToken, NetworkError

    from bot.app import (
        build_application,
        check_token,
        configure_logging,
        serve_polling,
        serve_scheduler,
        serve_webhook,
    )

    token = settings.require_token()  # before any indexing: fail fast on the obvious
    asyncio.run(_prepare_database(settings, auto=auto))
    configure_logging(token, getattr(logging, log_level.upper(), logging.INFO), settings.log_format)
    application = build_application(settings)
    try:
        asyncio.run(check_token(settings))
        if scheduler_only:
            asyncio.run(serve_scheduler(application))
        elif settings.webhook_url:
            asyncio.run(serve_webhook(application, settings))
        else:
            status = None
            if settings.status_port:
                from bot.webhook import WebhookServer

                status = WebhookServer(application, settings, port=settings.status_port)
            asyncio.run(serve_polling(application, status=status))
    except InvalidToken:
        raise CliError("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather") from None
    except BadRequest as exc:  # a subclass of NetworkError in PTB: check it first
        raise CliError(f"Telegram refused the request: {exc}") from None
    except NetworkError as exc:
        raise CliError(f"cannot reach the Bot API at {settings.api_base_url}: {exc}") from None
    if application.bot_data.fatal:
        raise CliError(application.bot_data.fatal)
    return EXIT_OK


def _health(settings: Settings, url: str | None) -> int:
    """GET /healthz of the running bot: for a container HEALTHCHECK (no curl in slim images)."""
    import urllib.error
    import urllib.request

    port = settings.status_port or settings.webhook_port
    target = url or f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(target, timeout=3) as response:
            healthy = response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"excerpt-bot: not healthy: {exc}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK if healthy else EXIT_FAIL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="excerpt-bot",
        description="Find the passage a reader half-remembers in a collection of Markdown posts.",
    )
    parser.add_argument("--version", action="version", version=f"excerpt-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, help="database file (env EXCERPT_BOT_DB)")

    p = sub.add_parser("index", help="build the database from Markdown files")
    add_db(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1, database unchanged) if any file has a problem",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="default: corpus/")

    p = sub.add_parser("search", help="search the database")
    add_db(p)
    p.add_argument("--limit", type=int, default=10, help="results per query (default 10)")
    p.add_argument("--json", action="store_true", help="one JSON object per query")
    p.add_argument("query", metavar="QUERY|-", help="the query, or - to read one per line")

    p = sub.add_parser("export", help="print every passage as one JSON line")
    add_db(p)

    p = sub.add_parser("check", help="parse Markdown files and list problems, writing nothing")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="default: corpus/")

    p = sub.add_parser("stats", help="show what the database holds")
    add_db(p)
    p.add_argument("--json", action="store_true", help="as one JSON object")

    p = sub.add_parser(
        "run",
        help="run the Telegram bot (polling; a webhook server with --webhook-url)",
        description="Run the bot. Needs TELEGRAM_BOT_TOKEN. Indexes the corpus first if "
        "there is no database yet.",
    )
    add_db(p)
    p.add_argument("--webhook-url", help="public URL Telegram posts updates to (env WEBHOOK_URL)")
    p.add_argument("--listen", help="address to bind in webhook mode (env WEBHOOK_LISTEN)")
    p.add_argument("--port", type=int, help="port to bind in webhook mode (env WEBHOOK_PORT)")
    p.add_argument(
        "--secret-token", help="webhook secret (env WEBHOOK_SECRET_TOKEN; default: derived)"
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument(
        "--scheduler-only",
        action="store_true",
        help="post the daily excerpts and take no updates (one such process per bot)",
    )

    p = sub.add_parser(
        "health", help="exit 0 if the running bot answers /healthz (for HEALTHCHECK)"
    )
    p.add_argument("--url", help="default: http://127.0.0.1:<status or webhook port>/healthz")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    paths = list(getattr(args, "paths", None) or [])
    settings = load_settings(
        {
            "db": getattr(args, "db", None),
            "corpus": paths or None,
            "webhook_url": getattr(args, "webhook_url", None),
            "webhook_listen": getattr(args, "listen", None),
            "webhook_port": getattr(args, "port", None),
            "webhook_secret_token": getattr(args, "secret_token", None),
        }
    )
    # The shipped corpus is indexed on first use, unless the user named a database.
    auto = getattr(args, "db", None) is None
    if args.command == "index":
        return asyncio.run(
            _index(
                settings, list(settings.corpus), strict=args.strict, force=args.force, quiet=False
            )
        )
    if args.command == "search":
        if args.limit < 1:
            raise CliError("--limit must be at least 1", EXIT_USAGE)
        return asyncio.run(
            _search(settings, args.query, limit=args.limit, as_json=args.json, auto=auto)
        )
    if args.command == "export":
        return asyncio.run(_export(settings, auto=auto))
    if args.command == "check":
        return _check(settings, list(settings.corpus))
    if args.command == "stats":
        return asyncio.run(_stats(settings, as_json=args.json, auto=auto))
    if args.command == "run":
        return _run(
            settings, auto=auto, log_level=args.log_level, scheduler_only=args.scheduler_only
        )
    if args.command == "health":
        return _health(settings, args.url)
    raise CliError("unknown command", EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _dispatch(args)
    except CliError as exc:
        print(f"excerpt-bot: {exc}", file=sys.stderr)
        return exc.code
    except (StoreError, SettingsError) as exc:
        print(f"excerpt-bot: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("excerpt-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
