"""The command line's grammar: every `excerpt-bot` subcommand, its options and their help.

`bot.cli` reads the parsed arguments and does the work; this is only what a user can type.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import __version__


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="excerpt-bot",
        description="Find the passage a reader half-remembers in a collection of Markdown posts.",
    )
    parser.add_argument("--version", action="version", version=f"excerpt-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, help="database file (env EXCERPT_BOT_DB)")

    def add_outside(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--allow-outside-links",
            action="store_true",
            default=None,
            help="follow symlinks whose target is outside the corpus folders "
            "(env EXCERPT_BOT_ALLOW_OUTSIDE_LINKS=1; default: each is named and skipped)",
        )

    p = sub.add_parser("index", help="build the database from Markdown files")
    add_db(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1, database unchanged) if any file has a problem",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish a build with no passages, or one that lost most of the documents of "
        "the database it replaces (refused by default: usually a wrong path)",
    )
    add_outside(p)
    p.add_argument(
        "--no-meaning",
        dest="meaning",
        action="store_false",
        default=None,
        help="skip the meaning index: text matches only (env EXCERPT_BOT_MEANING=off)",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="default: corpus/")

    p = sub.add_parser("search", help="search the database")
    add_db(p)
    p.add_argument("--limit", type=int, default=10, help="results per query (default 10)")
    p.add_argument("--json", action="store_true", help="one JSON object per query")
    p.add_argument("query", metavar="QUERY|-", help="the query, or - to read one per line")

    p = sub.add_parser("export", help="print every passage as one JSON line")
    add_db(p)

    p = sub.add_parser(
        "check",
        help="parse Markdown files and report problems by kind, writing nothing",
        description="Parse the corpus and report, per kind with counts and example files: "
        "files not imported and why, problems, pages that get no link and why, unknown "
        "shortcodes, and which site generator each folder was read as. "
        "Example: excerpt-bot check ~/blog",
    )
    add_outside(p)
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
        "--secret-token-file",
        type=Path,
        metavar="PATH",
        help="read the webhook secret from this file (env WEBHOOK_SECRET_TOKEN_FILE, or "
        "WEBHOOK_SECRET_TOKEN; default: derived from the bot token)",
    )
    p.add_argument(
        "--secret-token",
        help="the webhook secret itself: visible to every user of the machine in the "
        "process list; prefer --secret-token-file or WEBHOOK_SECRET_TOKEN",
    )
    p.add_argument(
        "--metrics-port",
        type=int,
        help="serve /metrics on this port only, not on the public webhook port "
        "(env EXCERPT_BOT_METRICS_PORT)",
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
