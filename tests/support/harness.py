"""Runs the real PTB `Application` against the fake Bot API server, in this event loop, and
speaks to it as a reader does: send a message, find a button by what it means, press it."""

from __future__ import annotations

import contextlib
import re
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings, load_settings
from bot.handlers import BotApplication
from bot.i18n import Language, t
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
    with contextlib.ExitStack() as cleanup:
        if "state_db" not in settings:
            # Removed when the bot stops: a suite run used to leave ~600 of these in /tmp.
            folder = cleanup.enter_context(
                tempfile.TemporaryDirectory(prefix="excerpt-state-", ignore_cleanup_errors=True)
            )
            settings["state_db"] = Path(folder) / "state.db"
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


def label_pattern(key: str, *, language: Language = "zh", **values: object) -> re.Pattern[str]:
    """The bot's label for `key` (bot.i18n), with the placeholders not given matching anything:
    tests find buttons by what they mean, not by the words they happen to show."""
    template = t(language, key)  # without values: the template itself
    parts = re.split(r"(\{\w+\})", template)
    regex = "".join(
        (re.escape(str(values[part[1:-1]])) if part[1:-1] in values else ".+?")
        if part.startswith("{") and part.endswith("}")
        else re.escape(part)
        for part in parts
    )
    return re.compile(regex)


def has_button(
    message: dict[str, Any], key: str, *, language: Language = "zh", **values: object
) -> bool:
    pattern = label_pattern(key, language=language, **values)
    return any(pattern.fullmatch(b["text"]) for b in keyboard(message))


def find_button(
    message: dict[str, Any], key: str, *, language: Language = "zh", **values: object
) -> dict[str, Any]:
    """The button labelled with the i18n text `key` (e.g. "btn_next"; "counter", n=1)."""
    pattern = label_pattern(key, language=language, **values)
    for candidate in keyboard(message):
        if pattern.fullmatch(candidate["text"]):
            return candidate
    labels = [b["text"] for b in keyboard(message)]
    raise AssertionError(f"no button {key!r} ({pattern.pattern}) in {labels}")


def button_showing(message: dict[str, Any], text: str) -> dict[str, Any]:
    """A button whose label shows `text`: for labels that are content (a title, ◀ ▶)."""
    for candidate in keyboard(message):
        if text in candidate["text"]:
            return candidate
    raise AssertionError(f"no button showing {text!r} in {[b['text'] for b in keyboard(message)]}")


async def ask(fake: FakeTelegram, text: str | None, **kwargs: Any) -> dict[str, Any]:
    """Send a message as a reader and return the bot's reply (the sent Message)."""
    call = await fake.answer_of(fake.message(text, **kwargs))
    assert call.status == 200, call
    result: dict[str, Any] = call.result
    return result


async def press(
    fake: FakeTelegram,
    message: dict[str, Any],
    key: str,
    user: dict[str, Any] | None = None,
    *,
    language: Language = "zh",
    **values: object,
) -> dict[str, Any]:
    """Press the button `key`; returns the update (use `fake.answer_of` for the answer)."""
    data = find_button(message, key, language=language, **values)["callback_data"]
    return fake.callback(data, message=message, user=user)


async def press_for_edit(fake: FakeTelegram, message: dict[str, Any], key: str) -> Call:
    """Press a button that edits its message; returns the editMessageText call."""
    mark = fake.mark()
    await press(fake, message, key)
    return await fake.wait_for("editMessageText", after=mark)


def text_of(call: Call) -> str:
    """The visible text Telegram would show for a sendMessage/editMessageText call."""
    result = call.result
    assert isinstance(result, dict), call
    return str(result["text"])
