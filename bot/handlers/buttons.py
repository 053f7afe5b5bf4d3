"""Every callback button goes through `button`: the signed payload is checked (signature,
chat, owner), read as its typed payload (`bot.callbacks`), and `ACTIONS`, the one table of
button actions, names its handler."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import CallbackQuery, Message, Update

from bot import callbacks
from bot.callbacks import Callback, decode_payload
from bot.handlers import browse, search, toc
from bot.handlers.common import language_of
from bot.handlers.state import Context
from bot.i18n import Language, t

P = TypeVar("P", bound=Callback)
Action = Callable[[Update, Context, CallbackQuery, Message, P, Language], Coroutine[Any, Any, None]]


def _on(kind: type[P], action: Action[P]) -> tuple[type[Callback], Action[Any]]:
    """One row of the table; mypy checks that `action` takes a `kind` payload."""
    return kind, action


# Every button action: the payload a button carries, and what pressing it does.
ACTIONS: dict[type[Callback], Action[Any]] = dict(
    [
        _on(callbacks.Page, search.on_page),  # ◀ ▶ under a search reply
        _on(callbacks.Counter, search.on_counter),  # the "2/15" counter between them
        _on(callbacks.ShowContext, search.on_context),  # Context: the neighbours too
        _on(callbacks.ShowPassage, search.on_show_passage),  # Back from Context
        _on(callbacks.Section, search.on_section),  # Section: the whole section
        _on(callbacks.Example, search.on_example),  # an example query under /start
        _on(callbacks.Random, browse.on_random),  # 🎲 another random passage
        _on(callbacks.Sources, browse.on_sources),  # ◀ ▶ through /sources
        _on(callbacks.TocDocuments, toc.on_toc_documents),  # /toc: a page of documents
        _on(callbacks.TocDocument, toc.on_toc_document),  # /toc: a document's headings
        _on(callbacks.TocSection, toc.on_toc_section),  # /toc: a heading's passage
    ]
)


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
    markup = message.reply_markup
    on_message = [
        button.callback_data
        for row in (markup.inline_keyboard if markup else ())
        for button in row
        if isinstance(button.callback_data, str)
    ]
    payload = decode_payload(
        query.data, secret=context.bot_data.secret, chat_id=message.chat.id, buttons=on_message
    )
    if payload is None:
        await query.answer(t(language, "stale_button"))
        return
    if payload.owner and payload.owner != query.from_user.id:
        await query.answer(t(language, "not_yours"))
        return
    typed = callbacks.parse(payload)
    action = ACTIONS.get(type(typed)) if typed is not None else None
    if typed is None or action is None:
        await query.answer(t(language, "stale_button"))
        return
    await action(update, context, query, message, typed, language)
