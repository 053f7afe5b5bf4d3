"""Inline mode: `@bot query` in any chat, with paging, per-user flood control that always
answers the newest query, and the count of results readers chose."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest

from bot.callbacks import MAX_PAGE
from bot.handlers.common import labels, match_note, run_search
from bot.handlers.state import Context
from bot.i18n import Language, t
from bot.models import StoredPassage
from bot.render import INLINE_QUERY_LIMIT, inline_title, render_passage, snippet
from bot.search import clean_query

log = logging.getLogger(__name__)

INLINE_PAGE = 20  # results per inline answer (Telegram allows 50; 20 fill a phone screen)
INLINE_CACHE_SECONDS = 300  # the same query from anyone gets Telegram's cached answer
BUSY_CACHE_SECONDS = 0  # "busy" is true now, not in a minute: never cached
RANDOM_CACHE_SECONDS = 10  # the empty query shows random passages: refresh them often


def _article(
    passage: StoredPassage,
    highlights: tuple[tuple[int, int], ...],
    language: Language,
    username: str,
    *,
    note: str = "",
) -> InlineQueryResultArticle:
    """One inline result. `note` (see `match_note`) is said before the reader picks it and
    again in what is sent."""
    open_in_bot = InlineKeyboardButton(
        t(language, "btn_open"), url=f"https://t.me/{username}?start=p_{passage.key}"
    )
    description = snippet(passage.text, highlights)
    if note:
        description = f"{note} · {description}"
    return InlineQueryResultArticle(
        id=passage.key,
        title=inline_title(passage),
        description=description,
        input_message_content=InputTextMessageContent(
            render_passage(passage, labels(language), highlights, note=note)
        ),
        reply_markup=InlineKeyboardMarkup([[open_in_bot]]),
    )


async def inline_query(update: Update, context: Context) -> None:
    """@bot query in any chat: matches with real paging; the empty query shows a few random
    passages and a button to the instructions."""
    query = update.inline_query
    if query is None:
        return
    state = context.bot_data
    user_id = query.from_user.id
    if not state.inline_throttle.allow(user_id):
        state.metrics.throttled.labels("inline").inc()
        # Keep only this user's newest query and answer it when their bucket refills:
        # whoever types fast still gets results for what they typed last, and a flooder
        # gets no more than the refill rate.
        newest = user_id not in state.inline_waiting
        state.inline_waiting[user_id] = update
        if newest:
            context.application.create_task(_answer_later(user_id, context), update=update)
        return
    await _answer_inline_query(update, context)


async def _answer_later(user_id: int, context: Context) -> None:
    state = context.bot_data
    await asyncio.sleep(state.inline_throttle.wait_time(user_id))
    update = state.inline_waiting.pop(user_id, None)
    if update is not None and state.inline_throttle.allow(user_id):
        await _answer_inline_query(update, context)


async def _answer_inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    state = context.bot_data
    # One language for everyone: with is_personal off, Telegram gives the next person who
    # types the same query this same answer. The corpus is Chinese, so its replies are too.
    language: Language = "zh"
    username = context.bot.username
    text = clean_query(query.query, limit=INLINE_QUERY_LIMIT)
    help_button = InlineQueryResultsButton(t(language, "btn_inline_help"), start_parameter="help")
    if not text:
        passages = await state.require_store().random_passages(5)
        results = [_article(p, (), language, username) for p in passages]
        await _answer_inline(query.answer, results, "", RANDOM_CACHE_SECONDS, help_button)
        return
    offset = _offset(query.offset)
    if offset is None or offset >= MAX_PAGE:
        await _answer_inline(query.answer, [], "", INLINE_CACHE_SECONDS, None)
        return
    result = await run_search(
        context, text, user=query.from_user.id, kind="inline", limit=INLINE_PAGE, offset=offset
    )
    results = [
        _article(
            m.passage,
            m.highlights,
            language,
            username,
            note=match_note(m, language, loosened=result.loosened),
        )
        for m in result.matches
    ]
    end = offset + len(results)
    next_offset = str(end) if results and end < result.total else ""
    button = None
    if not result.total:
        button = InlineQueryResultsButton(t(language, "btn_inline_nothing"), start_parameter="help")
    await _answer_inline(query.answer, results, next_offset, INLINE_CACHE_SECONDS, button)


async def _answer_inline(
    answer: Any,
    results: list[InlineQueryResultArticle],
    next_offset: str,
    cache_time: int,
    button: InlineQueryResultsButton | None,
    *,
    personal: bool = False,
) -> None:
    try:
        await answer(
            results,
            # Omitted, not "": PTB 22.8's ExtBot with Defaults turns a top-level "" into "[]"
            # (an empty str passes its "every item is an InputPollOption" check), and clients
            # would then ask for offset "[]" forever.
            next_offset=next_offset or None,
            cache_time=cache_time,
            is_personal=personal,
            button=button,
        )
    except BadRequest as exc:
        # The reader typed on; Telegram has dropped this query. Not an error of ours.
        if "query is too old" not in str(exc).lower():
            raise
        log.debug("inline query expired before it was answered")


async def answer_busy(query: InlineQuery) -> None:
    """The search for this query was shed (see bot.admission): no results and, where the
    results would be, a button saying the bot is busy. Telegram clients show an inline answer's
    button above its results, so this is the one line an inline reader sees. Personal and not
    cached, so nobody else typing the same query gets it."""
    busy = InlineQueryResultsButton(t("zh", "busy_inline"), start_parameter="help")
    await _answer_inline(query.answer, [], "", BUSY_CACHE_SECONDS, busy, personal=True)


def _offset(text: str) -> int | None:
    """An inline query's offset: "" is the first page; anything but what we sent is None."""
    if not text:
        return 0
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


async def chosen_result(update: Update, context: Context) -> None:
    """A reader sent one of our inline results (Telegram reports it when inline feedback is
    on in BotFather): counted, for /about."""
    chosen = update.chosen_inline_result
    if chosen is not None and context.state_store is not None:
        try:
            await context.state_store.count_chosen(chosen.result_id[:64])
        except Exception as exc:  # best effort, like _count_empty
            log.warning("could not count a chosen inline result: %s", exc)
