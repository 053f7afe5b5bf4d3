"""Every callback button goes through `button`: the signed payload is checked (signature,
chat, owner), then `ACTIONS`, the one table of button actions, names its handler."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, Message, Update

from bot.callbacks import Payload, decode_payload
from bot.handlers import browse, search
from bot.handlers.common import language_of
from bot.handlers.state import Context
from bot.i18n import Language, t

Action = Callable[
    [Update, Context, CallbackQuery, Message, Payload, Language], Coroutine[Any, Any, None]
]


async def button(update: Update, context: Context) -> None:
    """Every callback button. The payload is checked (signature, chat, owner) before use."""
    query = update.callback_query
    if query is None:
        return
    language = language_of(update)
    message = query.message
    if not isinstance(message, Message):  # an inline message, or one older than 48 hours
        await query.answer(t(language, "stale_button"))
        return
    payload = decode_payload(query.data, secret=context.bot_data.secret, chat_id=message.chat.id)
    if payload is None:
        await query.answer(t(language, "stale_button"))
        return
    if payload.owner and payload.owner != query.from_user.id:
        await query.answer(t(language, "not_yours"))
        return
    action = ACTIONS.get(payload.action)
    if action is None:
        await query.answer(t(language, "stale_button"))
        return
    await action(update, context, query, message, payload, language)


# Every button action, by the code its callback data starts with.
ACTIONS: dict[str, Action] = {
    "pg": search.on_page,  # ◀ ▶ under a search reply
    "n": search.on_counter,  # the "2/15" counter between them
    "cx": search.on_context,  # Context: the passage between its neighbours
    "ps": search.on_show_passage,  # Back from Context to a passage shown without a search
    "sc": search.on_section,  # Section: the whole section as messages
    "ex": search.on_example,  # an example query under /start
    "rn": browse.on_random,  # 🎲 another random passage
    "sr": browse.on_sources,  # ◀ ▶ through /sources
    "td": browse.on_toc_documents,  # /toc: a page of documents
    "tc": browse.on_toc_document,  # /toc: a document's headings
    "ts": browse.on_toc_section,  # /toc: the passage a heading starts with
}
