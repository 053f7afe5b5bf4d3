"""Before and after every update: counting, flood control, the error handler (with the
409 Conflict rule), and polite answers to what the bot does not handle."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError
from telegram.ext import ApplicationHandlerStop

from bot.admission import Busy
from bot.handlers.common import language_of, reply
from bot.handlers.inline import answer_busy
from bot.handlers.state import Context
from bot.i18n import t
from bot.store import QueryTimeout

log = logging.getLogger(__name__)


def _update_type(update: Update) -> str:
    for kind in (
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "my_chat_member",
        "chat_member",
    ):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


async def drop_repeats(update: object, context: Context) -> None:
    """Runs before everything: an update_id already handled is not handled again."""
    if isinstance(update, Update) and not context.bot_data.recent_updates.first_time(
        update.update_id
    ):
        context.metrics.throttled.labels("repeat").inc()
        log.info("update %d arrived again; answered once already", update.update_id)
        raise ApplicationHandlerStop


async def count_update(update: object, context: Context) -> None:
    """Runs first for every update: counts it by type for /metrics."""
    kind = _update_type(update) if isinstance(update, Update) else "invalid"
    context.metrics.updates.labels(kind).inc()


def _acted_on(update: Update) -> bool:
    """Whether a handler would answer this update: chatter in a group the bot can read must
    not use up the bucket a member needs for their next /search."""
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    return bool(message.text and message.text.startswith("/"))


async def flood_guard(update: object, context: Context) -> None:
    """Drops messages and button presses from a user who sends more than a person can; a
    button press gets a short "slow down" so the client's spinner stops."""
    if not isinstance(update, Update) or update.inline_query is not None:
        return  # inline queries have their own bucket in `inline_query`
    user = update.effective_user
    if user is None or not _acted_on(update):
        return
    if context.bot_data.message_throttle.allow(user.id):
        return
    context.metrics.throttled.labels("message").inc()
    if update.callback_query is not None:
        await update.callback_query.answer(t(language_of(update), "slow_down"))
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the error (never the token: see logs.configure_logging), count it, and tell the
    user something went wrong instead of leaving them waiting."""
    error = context.error
    if isinstance(error, Busy):  # load shed on purpose (bot.admission): no error
        context.metrics.throttled.labels(f"shed_{error.why}").inc()
        if error.why != "superseded":
            await _tell_busy(update, context)
        # A superseded inline query is left unanswered, as inline_query does with the
        # queries it replaces: the client shows only the newest, and an answer nobody sees
        # would cost the event loop what the people waiting need.
        return
    context.metrics.errors.labels(type(error).__name__).inc()
    if isinstance(error, Conflict):
        _on_conflict(context, error)
        return
    if isinstance(error, Forbidden):
        log.info("not allowed to write to this chat (the user blocked the bot?): %s", error)
        return
    if isinstance(error, QueryTimeout):
        log.warning("a search was interrupted: %s", error)
        await _apologize(update, "too_slow")
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # PTB files BadRequest under NetworkError; Telegram refusing a request is no passing
        # network trouble: it is logged as an error below and the user gets an answer.
        log.warning("network error talking to Telegram: %s", error)
        return
    if context.job is not None:  # periodic work (daily excerpts, the reload watcher)
        log.error("%s failed; it runs again at its next time", context.job.name, exc_info=error)
        return
    log.error("error while handling an update", exc_info=error)
    await _apologize(update, "error")


async def _tell_busy(update: object, context: Context) -> None:
    """A search was shed: say so where the reader looks. In a chat, once in a while per
    user (see `BotState.busy_notices`); a button and an inline query are answered every time
    (their answers cost nothing of the sending rate, and they must be answered anyway)."""
    if not isinstance(update, Update):
        return
    language = language_of(update)
    try:
        if update.inline_query is not None:
            await answer_busy(update.inline_query)
        elif update.callback_query is not None:
            await update.callback_query.answer(t(language, "busy"))
        elif update.effective_message is not None:
            user = update.effective_user
            if user is None or context.bot_data.busy_notices.allow(user.id):
                await reply(update.effective_message, t(language, "busy"))
    except Exception as exc:  # the note itself failed (the query expired); nothing more to do
        log.info("could not tell a user the bot is busy: %s", exc)


async def _apologize(update: object, key: str) -> None:
    """Tell the user something went wrong instead of leaving them waiting."""
    if not isinstance(update, Update):
        return
    language = language_of(update)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t(language, key))
        elif update.message is not None and update.message.chat.type == ChatType.PRIVATE:
            await update.message.reply_text(t(language, key))
    except Exception as exc:  # the apology itself failed; nothing more to do
        log.warning("could not tell the user about the error: %s", exc)


def _on_conflict(context: Context, error: Conflict) -> None:
    """Telegram answers 409 Conflict to the *older* of two getUpdates calls, so both
    instances see conflicts. The one that has just started (within the conflict grace) is
    the one to give up: it says why and exits."""
    state = context.bot_data
    now = time.monotonic()
    if now - state.started_at < state.conflict_grace:
        state.fatal = (
            "another process is already polling Telegram with this bot token (409 Conflict). "
            "Run one polling instance per token; to run several, use webhook mode "
            "(--webhook-url) behind a load balancer"
        )
        log.error("%s; stopping", state.fatal)
        if state.stop is not None:
            state.stop.set()
        else:
            context.application.stop_running()
    elif now - state.last_conflict_warning > 60:
        state.last_conflict_warning = now
        log.warning("another process polled Telegram with this bot token: %s", error)


async def unknown_command(update: Update, context: Context) -> None:
    """A command we do not have, in a private chat (in groups it may be another bot's)."""
    if update.effective_message:
        await reply(update.effective_message, t(language_of(update), "unknown_command"))


async def not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice… in a private chat: say what works instead."""
    if update.effective_message:
        await reply(update.effective_message, t(language_of(update), "not_text"))
