"""The front door: `excerpt-bot index | search | export | check | stats | run | health`.

Each command parses its arguments and calls the indexer, search or `bot.serve`; this module
(with `serve.run`, which `run` hands over to) is where `asyncio.run` is called. Domain errors
become one clear line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, TextIO

from bot import indexer
from bot.arguments import parser as command_line
from bot.config import Settings, SettingsError, load_settings
from bot.corpus import CorpusPathError
from bot.corpus.report import CorpusReport
from bot.indexer import describe_problem
from bot.logs import redact
from bot.models import ImportSummary, Match, Problem
from bot.render import render_terminal
from bot.search import SearchResult, search, warm_up
from bot.store import Store, StoreError

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line on stderr with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


# --- helpers --------------------------------------------------------------------------------


def _print_problems(problems: Sequence[Problem], out: TextIO) -> None:
    for problem in problems:
        print(describe_problem(problem), file=out)


def _say(line: str) -> None:
    print(line, file=sys.stderr)


class _StatusLine:
    """How far indexing got, on one redrawn line of a terminal."""

    def __init__(self) -> None:
        self._last = 0.0

    _UNITS: ClassVar[dict[str, str]] = {"parsing": "files", "meaning": "units"}  # counted
    _DONE: ClassVar[dict[str, str]] = {"parsing": "parsed", "meaning": "encoded"}

    def update(self, stage: str, count: int, item: str) -> None:
        now = time.monotonic()
        if now - self._last >= 0.2:  # a terminal cannot show more, and printing costs
            self._last = now
            unit = self._UNITS.get(stage, "")
            print(f"\r\033[K{stage} {count} {unit} ... {item[-50:]}", end="", file=sys.stderr)

    def finish(self, stage: str, count: int, seconds: float) -> None:
        done = self._DONE.get(stage, stage)
        unit = self._UNITS.get(stage, "")
        print(f"\r\033[K{done} {count} {unit} in {seconds:.1f} s", file=sys.stderr)


def _print_summary(summary: ImportSummary) -> None:
    for site in summary.sites:
        print(f"site {site}", file=sys.stderr)
    if summary.withheld:
        print(
            f"{summary.withheld} password-protected pages not imported: "
            "their owner keeps them from readers",
            file=sys.stderr,
        )
    if summary.drafts:
        print(
            f"{summary.drafts} drafts not imported: not published "
            "(draft: true or published: false in their front matter)",
            file=sys.stderr,
        )
    if summary.unlinked:
        print(
            f"{summary.unlinked} pages get no link (`excerpt-bot check PATH` says why)",
            file=sys.stderr,
        )


async def _index(
    settings: Settings,
    paths: Sequence[Path],
    *,
    strict: bool,
    force: bool,
    allow_shrink: bool = False,
) -> int:
    def waiting() -> None:
        _say(f"another `excerpt-bot index` is building {settings.db}; waiting for it ...")

    try:
        report = await indexer.index(
            settings.db,
            paths,
            max_file_bytes=settings.max_file_bytes,
            allow_outside_links=settings.allow_outside_links,
            force=force,
            strict=strict,
            allow_shrink=allow_shrink,
            progress=_StatusLine() if sys.stderr.isatty() else None,
            meaning=settings.meaning,
            waiting=waiting,
        )
    except indexer.IndexingError as exc:
        _print_problems(exc.problems, sys.stderr)
        raise CliError(str(exc)) from None
    _print_problems(report.problems, sys.stderr)
    if not report.rebuilt:
        # Nothing changed: the same summary and problems as when it was built, no rebuild.
        print(
            f"{settings.db} is up to date (use --force to rebuild): "
            f"{report.files_seen} files, {report.documents} documents, "
            f"{report.sections} sections, {report.passages} passages, "
            f"{len(report.problems)} problems, {report.seconds:.2f} s",
            file=sys.stderr,
        )
        _print_summary(report.summary)
        return EXIT_OK
    print(
        f"indexed {report.files_seen} files: {report.documents} documents, "
        f"{report.sections} sections, {report.passages} passages, "
        f"{len(report.problems)} problems, {report.seconds:.2f} s, "
        f"{report.db_bytes / 1e6:.1f} MB -> {settings.db}",
        file=sys.stderr,
    )
    _print_summary(report.summary)
    if report.meaning is not None:
        m = report.meaning
        rate = f", {m.characters / m.seconds:,.0f} characters/s" if m.encoded and m.seconds else ""
        if m.processes > 1:
            rate += f" ({m.processes} processes)"
        print(
            f"meaning index: {m.units} units, {m.encoded} encoded "
            f"({m.units - m.encoded} reused){rate}, {m.seconds:.1f} s",
            file=sys.stderr,
        )
    return EXIT_OK


async def _open_store(
    settings: Settings, *, auto_index: bool, for_search: bool = True, build_missing: bool = False
) -> Store:
    """The database, built first when it is ours to build (see `indexer.open_or_build`)."""
    try:
        store = await indexer.open_or_build(
            settings,
            auto_index=auto_index,
            build_missing=build_missing,
            for_search=for_search,
            say=_say,
        )
    except indexer.IndexingError as exc:
        raise CliError(str(exc)) from None
    warm_up(meaning=store.encodes_here)
    # The text and pinyin tables are a few hundred thousand objects that live as long as
    # the process: out of the collector's sight, a full collection no longer walks them
    # (measured: 35-95 ms pauses in the middle of a search, the p95 of short queries).
    gc.freeze()
    return store


def _result_json(result: SearchResult) -> str:
    return json.dumps(
        {
            "query": result.query,
            "took_ms": round(result.took_ms, 3),
            "total": result.total,
            # Quoted words no passage holds as written: the results hold them nearly.
            **({"loosened": True} if result.loosened else {}),
            "results": [m.to_json() for m in result.matches],
        },
        ensure_ascii=False,
    )


async def _search(settings: Settings, query: str, *, limit: int, as_json: bool, auto: bool) -> int:
    store = await _open_store(settings, auto_index=auto)
    try:
        if query == "-":
            failed = 0
            for line in sys.stdin:
                asked = line.rstrip("\r\n")
                try:
                    result = await search(store, asked, limit=limit)
                except Exception as exc:  # one query's fault must not end the batch
                    failed += 1
                    print(f"excerpt-bot: search failed for {asked!r}: {exc!r}", file=sys.stderr)
                    # Still one line per query, so answers stay beside their questions.
                    failure = {"query": asked, "error": "search failed", "total": 0}
                    print(json.dumps({**failure, "results": []}, ensure_ascii=False), flush=True)
                    continue
                print(_result_json(result), flush=True)
            return EXIT_FAIL if failed else EXIT_OK
        try:
            result = await search(store, query, limit=limit)
        except Exception as exc:  # a bug in the search: said plainly, not as a traceback
            raise CliError(f"search failed for {query!r}: {exc!r}", EXIT_FAIL) from exc
        if as_json:
            print(_result_json(result))
            return EXIT_OK
        if not result.matches:
            print(
                f"Nothing found for “{query}” ({result.took_ms:.1f} ms). Try fewer words, "
                "a distinctive phrase, or the words you are surest of."
            )
            return EXIT_OK
        if result.loosened:
            print("No passage has these exact words; the nearest:\n")
        color = sys.stdout.isatty()
        print("\n\n".join(render_terminal(m, color=color) for m in result.matches))
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
            del record["match"]  # a passage on its own was not found either way
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
        "meaning": stats.meaning_model or "off",
        "meaning_units": stats.meaning_units,
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
        result = indexer.load(
            paths,
            max_file_bytes=settings.max_file_bytes,
            allow_outside_links=settings.allow_outside_links,
        )
    except CorpusPathError as exc:
        raise CliError(str(exc)) from None
    for line in CorpusReport.build(result).lines():
        print(line)
    return EXIT_FAIL if result.problems else EXIT_OK


# --- argument parsing -----------------------------------------------------------------------


async def _prepare_database(settings: Settings, *, auto: bool) -> None:
    """Make sure `run` has a database: the configured corpus is indexed when there is none
    (so a token is all a new user needs), and a database it cannot use stops it here with
    one clear line rather than inside the bot."""
    store = await _open_store(settings, auto_index=auto, build_missing=True)
    await store.close()


def _run(settings: Settings, *, auto: bool, log_level: str, scheduler_only: bool = False) -> int:
    from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

    from bot import serve  # Telegram's libraries load only for `run`
    from bot.logs import configure_logging

    token = settings.require_token()  # before any indexing: fail fast on the obvious
    asyncio.run(_prepare_database(settings, auto=auto))
    configure_logging(token, getattr(logging, log_level.upper(), logging.INFO), settings.log_format)
    try:
        fatal = serve.run(settings, scheduler_only=scheduler_only)
    except InvalidToken:
        raise CliError("Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather") from None
    except BadRequest as exc:  # a subclass of NetworkError in PTB: check it first
        raise CliError(f"Telegram refused the request: {_one_line(exc, token)}") from None
    except NetworkError as exc:
        raise CliError(
            f"cannot reach the Bot API at {settings.api_base_url}: {_one_line(exc, token)}"
        ) from None
    except TelegramError as exc:  # anything else the API said at start: one line, no traceback
        raise CliError(f"the Bot API at {settings.api_base_url}: {_one_line(exc, token)}") from None
    if fatal:
        raise CliError(fatal)
    return EXIT_OK


def _one_line(error: BaseException, token: str | None, limit: int = 300) -> str:
    """An error's text as one line of at most `limit` characters (a proxy's error page can
    be a whole HTML document), redacted before it is cut: half a token is still a leak."""
    text = " ".join(redact(str(error), token).split())
    return text[:limit] + ("…" if len(text) > limit else "")


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


def _dispatch(args: argparse.Namespace) -> int:
    paths = list(getattr(args, "paths", None) or [])
    settings = load_settings(
        {
            "db": getattr(args, "db", None),
            "corpus": paths or None,
            "allow_outside_links": "1" if getattr(args, "allow_outside_links", None) else None,
            "webhook_url": getattr(args, "webhook_url", None),
            "webhook_listen": getattr(args, "listen", None),
            "webhook_port": getattr(args, "port", None),
            "webhook_secret_token": getattr(args, "secret_token", None),
            "webhook_secret_token_file": getattr(args, "secret_token_file", None),
            "metrics_port": getattr(args, "metrics_port", None),
            "meaning": getattr(args, "meaning", None),
        }
    )
    # The shipped corpus is indexed on first use, unless the user named a database.
    auto = getattr(args, "db", None) is None
    if args.command == "index":
        return asyncio.run(
            _index(
                settings,
                list(settings.corpus),
                strict=args.strict,
                force=args.force,
                allow_shrink=args.allow_shrink,
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
        if args.secret_token:
            _say(
                "excerpt-bot: warning: --secret-token shows the webhook secret to every user of "
                "this machine (ps, /proc/PID/cmdline); use --secret-token-file or "
                "WEBHOOK_SECRET_TOKEN"
            )
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
    parser = command_line()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    # Whatever is printed about an error passes the redactor: an error page or an exception
    # may quote the token (any letter case), and this is the last place to catch it.
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    try:
        return _dispatch(args)
    except CliError as exc:
        print(redact(f"excerpt-bot: {exc}", token), file=sys.stderr)
        return exc.code
    except (StoreError, SettingsError) as exc:
        print(redact(f"excerpt-bot: {exc}", token), file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("excerpt-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # a bug: its traceback is worth reporting, never with the token in it
        print(redact(traceback.format_exc(), token), file=sys.stderr, end="")
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
