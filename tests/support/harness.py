"""Runs the real PTB `Application` against the fake Bot API server, in this event loop."""

from __future__ import annotations

import contextlib
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings, load_settings
from bot.handlers import BotApplication
from bot.serve import lifespan

from .fake_bot_api import TOKEN, Call, FakeTelegram


def bot_settings(fake: FakeTelegram, db: Path, **extra: object) -> Settings:
    return load_settings(
        {"db": db, "token": TOKEN, "api_base_url": fake.base_url, **extra}, environ={}
    )


@contextlib.asynccontextmanager
async def polling_bot(
    fake: FakeTelegram, db: Path, *, read_timeout_slack: float = 10.0, **settings: object
) -> AsyncIterator[BotApplication]:
    """The bot polling the fake, started and stopped by the product's own `lifespan`. Unless
    a test names one, each bot gets a state file of its own (subscriptions, feedback)."""
    if "state_db" not in settings:
        settings["state_db"] = Path(tempfile.mkdtemp(prefix="excerpt-state-")) / "state.db"
    application = build_application(
        bot_settings(fake, db, **settings), read_timeout_slack=read_timeout_slack
    )
    async with lifespan(application):
        assert application.updater is not None
        # A short long-poll keeps shutdown quick in tests; the product uses 30 s.
        await application.updater.start_polling(timeout=1, allowed_updates=ALLOWED_UPDATES)
        try:
            yield application
        finally:
            await application.updater.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def keyboard(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline button of a message (or of a sendMessage/edit call's params)."""
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def find_button(message: dict[str, Any], label: str) -> dict[str, Any]:
    for candidate in keyboard(message):
        if label in candidate["text"]:
            return candidate
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in keyboard(message)]}")


def text_of(call: Call) -> str:
    """The visible text Telegram would show for a sendMessage/editMessageText call."""
    result = call.result
    assert isinstance(result, dict), call
    return str(result["text"])
