"""The daily excerpt's calendar: parsing "08:00", the next time it falls due in a time zone.

No I/O: the subscriptions live in `state_store.StateStore`, the sending is in
`handlers.daily`.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：.]([0-5]\d)$")


class DailyError(ValueError):
    """A time or a chat list that cannot be used."""


def parse_time(text: str) -> str:
    """ "8:00", "08:00", "8：00" (full-width colon) -> "08:00"; DailyError otherwise."""
    match = _TIME.match(text.strip())
    if match is None:
        raise DailyError(f"not a time of day: {text!r} (use HH:MM, e.g. 08:00)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    # OSError: "America" names a folder of the zone database (IsADirectoryError), and other
    # names may be unreadable files there; none of them is a zone.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise DailyError(
            f"unknown time zone {name!r} (use an IANA name, e.g. Asia/Shanghai)"
        ) from None


def next_time(at: str, tz: str, after: float) -> float:
    """The first moment strictly after `after` (Unix time) when the clock in `tz` shows
    `at`. Across a DST change the wall-clock time is kept."""
    hour, minute = (int(part) for part in at.split(":"))
    local = dt.datetime.fromtimestamp(after, zone(tz))
    day = local.date()
    for _ in range(3):
        candidate = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone(tz))
        if candidate.timestamp() > after:
            return candidate.timestamp()
        day += dt.timedelta(days=1)
    raise AssertionError("unreachable: a day always has this time")


def parse_chat_list(text: str) -> list[tuple[int, str]]:
    """EXCERPT_BOT_DAILY_CHATS: "-1001234567890@08:00,-1009876543210@21:30"."""
    out: list[tuple[int, str]] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        chat, _, at = item.rpartition("@")
        if not re.fullmatch(r"-?\d+", chat):
            raise DailyError(f"EXCERPT_BOT_DAILY_CHATS: {item!r} is not CHAT_ID@HH:MM")
        out.append((int(chat), parse_time(at)))
    return out
