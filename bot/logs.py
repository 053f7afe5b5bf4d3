"""Logging: one line per event on stderr (or one JSON object a line), never the bot token."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

REDACTED = "<token>"


def token_pattern(token: str | None) -> re.Pattern[str] | None:
    """What to redact for `token`: its secret half (after the colon) in any letter case, with
    the bot id and colon before it when they are there. Matching on the secret also catches
    the token URL-encoded (`123%3Aabc`) or lower-cased by a proxy's error page."""
    if not token:
        return None
    secret = token.rpartition(":")[2]
    if len(secret) < 8:  # not a bot token; redacting a short word would garble everything
        return re.compile(re.escape(token), re.IGNORECASE)
    return re.compile(r"(?:\d{1,20}(?::|%3A))?" + re.escape(secret), re.IGNORECASE)


def redact(text: str, token: str | None) -> str:
    """`text` with the token replaced by <token>, in any letter case."""
    pattern = token_pattern(token)
    return pattern.sub(REDACTED, text) if pattern is not None else text


class _RedactToken(logging.Filter):
    """Replaces the bot token wherever it appears in a log record (httpx logs URLs, and an
    exception message or an error page from a proxy may quote one)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        pattern = token_pattern(token)
        assert pattern is not None
        self._pattern = pattern

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._pattern.sub(REDACTED, message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            # The formatter prints exc_text when it is set: redact the traceback too.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self._pattern.sub(REDACTED, text)
        if record.stack_info:
            record.stack_info = self._pattern.sub(REDACTED, record.stack_info)
        return True


class _JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors (EXCERPT_BOT_LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    token: str | None, level: int = logging.INFO, log_format: str = "text"
) -> None:
    """One line per event on stderr; never the token (redacted from messages and
    tracebacks, and httpx, which logs request URLs, is kept quiet)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(_JsonFormatter())
    # httpx logs every request URL at INFO, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # APScheduler (PTB's JobQueue) logs every run of every job at INFO: every few seconds.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if token:
        redact = _RedactToken(token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(redact)
