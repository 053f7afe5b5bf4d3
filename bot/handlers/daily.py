"""The daily excerpt: /daily in a chat, and the tick that posts what is due (exactly once
across processes that share the state file)."""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.daily import DailyError, next_time, parse_time, zone
from bot.handlers.common import labels, language_of, reply
from bot.handlers.state import BotApplication, BotState, Context
from bot.i18n import t
from bot.models import StoredPassage
from bot.render import escape, render_passage
from bot.state_store import Subscription

log = logging.getLogger(__name__)


async def _may_change_daily(update: Update, context: Context) -> bool:
    """Chat admins only. In a channel only admins can post at all; a group's anonymous admin
    writes as the group itself."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None:
        return False
    if chat.type in (ChatType.PRIVATE, ChatType.CHANNEL):
        return True
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    # Raises TelegramError when Telegram will not say (the bot was demoted, the chat is
    # gone): the caller answers rather than leaving the command unanswered.
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in ("administrator", "creator")


def _local_time(moment: float, tz: str) -> str:
    return dt.datetime.fromtimestamp(moment, zone(tz)).strftime("%Y-%m-%d %H:%M")


async def daily_command(update: Update, context: Context) -> None:
    """/daily HH:MM, /daily off, /daily: a passage posted in this chat every day."""
    message, chat, state = update.effective_message, update.effective_chat, context.bot_data
    if message is None or chat is None or message.text is None:
        return
    language = language_of(update)
    if state.state_store is None:
        await reply(message, t(language, "daily_unavailable"))
        return
    tz = state.timezone
    words = message.text.split()[1:]
    if not words:
        current = await state.state_store.subscription(chat.id)
        if current is None:
            await reply(message, t(language, "daily_none", tz=escape(tz)))
        else:
            when = escape(_local_time(current.next_due, current.tz))
            at, zone_name = escape(current.at), escape(current.tz)
            await reply(message, t(language, "daily_status", at=at, tz=zone_name, next=when))
        return
    try:
        allowed = await _may_change_daily(update, context)
    except BadRequest as exc:  # not a network error (PTB files it under one): no retry helps
        log.info("could not check who may set /daily in chat %s: %s", chat.id, exc)
        allowed = False
    except NetworkError as exc:  # a passing failure: say so, and the admin tries again
        log.warning("could not check who may set /daily in chat %s: %s", chat.id, exc)
        await reply(message, t(language, "error"))
        return
    if not allowed:
        await reply(message, t(language, "admins_only"))
        return
    if chat.id in state.listed_chats:
        await reply(message, t(language, "daily_listed"))
        return
    if words[0].lower() in ("off", "stop", "关", "关闭", "停止"):
        await state.state_store.unsubscribe(chat.id)
        await reply(message, t(language, "daily_off"))
        return
    try:
        at = parse_time(words[0])
        if len(words) > 1:
            zone(words[1])  # "/daily 08:00 Europe/Berlin"
            tz = words[1]
    except DailyError:
        await reply(message, t(language, "daily_usage", tz=escape(tz)))
        return
    due = next_time(at, tz, state.clock())
    await state.state_store.subscribe(chat.id, at, tz, due, chat.title)
    when = escape(_local_time(due, tz))
    await reply(message, t(language, "daily_set", at=at, tz=escape(tz), next=when))


async def _pick_daily(state: BotState, chat_id: int) -> tuple[StoredPassage | None, bool]:
    """A passage this chat has not had in this round, and whether it starts a new round.
    Keys of passages a rebuild removed do not count; a new round never opens with the
    passage that closed the last one."""
    store, state_store = state.require_store(), state.state_store
    assert state_store is not None
    keys = await store.all_keys()  # once a day per chat: reading the keys is cheap enough
    sent = await state_store.sent_keys(chat_id)
    remaining = [key for key in keys if key not in sent]
    start_over = not remaining
    if start_over:
        last = await state_store.last_sent(chat_id)
        remaining = [key for key in keys if key != last] or keys
    if not remaining:
        return None, start_over
    return await store.passage_by_key(random.choice(remaining)), start_over


async def _post_daily(
    application: BotApplication, subscription: Subscription, passage: StoredPassage
) -> tuple[str, int]:
    """Send one daily excerpt: "sent", "retry" (try again at the next tick), "skip" (not
    today), or "gone" (the bot can no longer post there); and the chat's id now."""
    button = InlineKeyboardButton(
        t("zh", "btn_open"), url=f"https://t.me/{application.bot.username}?start=p_{passage.key}"
    )
    chat_id = subscription.chat_id
    try:
        await application.bot.send_message(
            chat_id,
            render_passage(passage, labels("zh")),
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
    except ChatMigrated as exc:  # the group became a supergroup: follow it
        log.info("daily excerpt: chat %s is now %s", chat_id, exc.new_chat_id)
        assert application.bot_data.state_store is not None
        await application.bot_data.state_store.move(chat_id, exc.new_chat_id)
        return "retry", int(exc.new_chat_id)
    except RetryAfter as exc:
        log.warning("daily excerpt for chat %s: Telegram asks to wait (%s)", chat_id, exc)
        return "retry", chat_id
    except Forbidden as exc:  # removed from the chat, or blocked
        log.warning("daily excerpt for chat %s stopped: %s", chat_id, exc)
        return "gone", chat_id
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():
            log.warning("daily excerpt for chat %s stopped: %s", chat_id, exc)
            return "gone", chat_id
        # Not allowed to post right now (rights taken away, a slow mode...): not today.
        log.warning("daily excerpt for chat %s skipped today: %s", chat_id, exc)
        return "skip", chat_id
    except NetworkError as exc:  # 5xx, timeouts: try again shortly
        log.warning("daily excerpt for chat %s not sent yet: %s", chat_id, exc)
        return "retry", chat_id
    return "sent", chat_id


async def daily_job(context: Context) -> None:
    """The JobQueue's periodic call: post what is due."""
    # PTB types context.application loosely; it is the application this context belongs to.
    await daily_tick(cast("BotApplication", context.application))


async def daily_tick(application: BotApplication) -> int:
    """Post every daily excerpt that is due; returns how many were posted. A subscription is
    claimed (moved to its next time) before sending, in the shared state file, so of several
    processes ticking at once exactly one posts; a send that failed for a passing reason is
    handed back (its time restored) and tried again at the next tick."""
    state = application.bot_data
    if state.state_store is None or state.store is None:
        return 0
    now = state.clock()
    posted = 0
    for subscription in await state.state_store.due(now):
        following = next_time(subscription.at, subscription.tz, now)
        if not await state.state_store.claim(
            subscription.chat_id, subscription.next_due, following
        ):
            continue  # another process took it
        passage, start_over = await _pick_daily(state, subscription.chat_id)
        if passage is None:
            continue
        outcome, chat_id = await _post_daily(application, subscription, passage)
        if outcome == "sent":
            await state.state_store.record_sent(chat_id, passage.key, start_over=start_over)
            posted += 1
        elif outcome == "retry":  # hand it back: due again at once
            await state.state_store.claim(chat_id, following, subscription.next_due)
        elif outcome == "gone":
            await state.state_store.unsubscribe(chat_id)
    return posted
