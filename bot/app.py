"""`build_application(settings)`: the PTB `Application` with every handler, in one ordered list.

`post_init` opens the databases, `post_shutdown` closes them; `bot.serve.lifespan` calls
both around every way of serving (polling, webhook, scheduler only), which live in
`bot.serve`. Nothing here does I/O until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import hashlib
import hmac
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import BotCommand, BotCommandScopeAllGroupChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    SimpleUpdateProcessor,
    TypeHandler,
    filters,
)

from bot import handlers
from bot.admission import SEARCH_THREADS
from bot.config import Settings
from bot.daily import next_time
from bot.handlers import BotApplication, BotState, Context
from bot.i18n import COMMANDS, Language
from bot.reload import LiveStore
from bot.search import warm_up
from bot.state_store import StateStore
from bot.store import StoreError
from bot.transport import ApiRequest

log = logging.getLogger(__name__)


# Every update type the handlers use; Telegram sends only these (less traffic, and
# `chosen_inline_result` only once the bot owner enables inline feedback).
ALLOWED_UPDATES = [
    "message",
    "channel_post",  # /daily in a channel
    "inline_query",
    "chosen_inline_result",
    "callback_query",
]
DAILY_TICK_SECONDS = 20.0  # how often due daily excerpts are looked for
# APScheduler skips a run more than a second late (a busy loop, or the first run: the bot
# registers its commands between scheduling and starting). Late, ours still run, once.
LATE_RUNS_RUN = {"misfire_grace_time": None, "coalesce": True}


def _menu(language: Language, *, groups: bool = False) -> list[BotCommand]:
    return [
        BotCommand(c.name, c.description(language))
        for c in COMMANDS
        if c.menu and (c.groups or not groups)
    ]


async def _register_commands(application: BotApplication) -> None:
    """The command menu in both languages; the group menu only has what works in groups.
    Chinese is the default: the corpus is Chinese and most readers' clients are too."""
    bot = application.bot
    try:
        await bot.set_my_commands(_menu("zh"))
        await bot.set_my_commands(_menu("en"), language_code="en")
        group = BotCommandScopeAllGroupChats()
        await bot.set_my_commands(_menu("zh", groups=True), scope=group)
        await bot.set_my_commands(_menu("en", groups=True), scope=group, language_code="en")
    except TelegramError as exc:  # the menu is a convenience; never a reason not to serve
        log.warning("could not register the command menu: %s", exc)


async def _refresh(application: BotApplication) -> None:
    """What depends on the served database: examples for /start and the corpus gauges."""
    state = application.bot_data
    store, stats = state.store, state.stats
    if store is None or stats is None:
        return
    passages = await store.random_passages(12, handlers.examples_rng(stats.fingerprint))
    state.examples = handlers.pick_examples(passages)
    metrics = state.metrics
    metrics.corpus_passages.set(stats.passages)
    metrics.corpus_documents.set(stats.documents)
    with contextlib.suppress(ValueError):
        metrics.corpus_built.set(dt.datetime.fromisoformat(stats.built_at).timestamp())


def _make_post_init(settings: Settings) -> Callable[[BotApplication], Coroutine[Any, Any, None]]:
    async def post_init(application: BotApplication) -> None:
        state = application.bot_data
        live = LiveStore(
            settings.db,
            on_change=lambda: _refresh(application),
            meaning=settings.meaning,
            connections=SEARCH_THREADS,  # as many as the admission gate lets searches in
        )
        stats = await live.open()
        state.live = live
        state.admins = settings.admins
        state.conflict_grace = settings.conflict_grace
        await _refresh(application)
        warm_up(meaning=live.current is not None and live.current.encodes_here)
        gc.freeze()  # the tables just built live as long as the bot: see cli._open_store
        state.started_at = time.monotonic()
        if settings.reload_seconds > 0:
            state.watcher = _jobs(application).run_repeating(
                handlers.watch_database,
                interval=settings.reload_seconds,
                first=settings.reload_seconds,
                name="reload watcher",
                job_kwargs=LATE_RUNS_RUN,
            )
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            # SIGHUP: switch to a rebuilt database now (not available off the main thread).
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: application.create_task(live.reload())
            )
        await _open_state(application, settings)
        await _register_commands(application)
        log.info(
            "serving @%s: %d passages from %s",
            application.bot.username,
            stats.passages,
            settings.db,
        )

    return post_init


async def _open_state(application: BotApplication, settings: Settings) -> None:
    """Subscriptions and feedback live in their own writable file. Without one (a read-only
    filesystem, say) the bot still answers; /daily and the feedback counts are off."""
    state = application.bot_data
    state.timezone = settings.timezone
    try:
        state.state_store = await StateStore.open(
            settings.state_path, busy_timeout=settings.state_timeout
        )
    except StoreError as exc:
        log.warning("%s; /daily and feedback counts are off (set EXCERPT_BOT_STATE_DB)", exc)
        return
    # Chats the operator lists are ruled by the list: added, changed and removed with it.
    now = state.clock()
    listed = {
        chat_id: (at, settings.timezone, next_time(at, settings.timezone, now))
        for chat_id, at in settings.daily_chats
    }
    await state.state_store.sync_listed(listed)
    state.listed_chats = frozenset(listed)
    if settings.scheduler:
        # A failed tick goes to the error handler; the next one runs all the same.
        state.scheduler = _jobs(application).run_repeating(
            handlers.daily_job,
            interval=DAILY_TICK_SECONDS,
            first=DAILY_TICK_SECONDS,
            name="daily excerpts",
            # The first tick as soon as the queue starts: an interval trigger whose start has
            # passed (post_init takes a moment) would wait for its next interval instead.
            job_kwargs={**LATE_RUNS_RUN, "next_run_time": dt.datetime.now(dt.UTC)},
        )


def _jobs(application: BotApplication) -> JobQueue[Any]:
    """The application's JobQueue: periodic work starts and stops with the application."""
    if application.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    return application.job_queue


async def _post_shutdown(application: BotApplication) -> None:
    """Close what post_init opened. The jobs stop with the application; when stopping gave
    up on a slow update before it got to them, they are stopped here, without waiting."""
    state = application.bot_data
    jobs = application.job_queue
    if jobs is not None and jobs.scheduler.running:
        await jobs.stop(wait=False)
    state.scheduler = state.watcher = None
    if state.state_store is not None:
        await state.state_store.close()
        state.state_store = None
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
    if state.live is not None:
        await state.live.close()
        state.live = None


class CountingUpdates(SimpleUpdateProcessor):
    """PTB's concurrent update processing, counting the updates handled to the end: the
    webhook server answers 200 only to what can still be finished before the process
    exits (see `bot.serve.MAX_BACKLOG`)."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.finished = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            self.finished += 1


def finished_updates(application: BotApplication) -> int:
    """How many updates the application has handled to the end."""
    processor = application.update_processor
    return processor.finished if isinstance(processor, CountingUpdates) else 0


_GET_UPDATES_POOL_WAIT = 10.0  # seconds; see build_application


def build_application(settings: Settings, *, read_timeout_slack: float = 10.0) -> BotApplication:
    """The bot, ready for `serve_polling` or `serve_webhook`. Needs a token; does no I/O.
    `read_timeout_slack`: how long past the long poll's own timeout a getUpdates may take
    before it counts as timed out (PTB adds the poll timeout to it)."""
    token = settings.require_token()
    context_types = ContextTypes(context=Context, bot_data=BotState)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.api_base_url}/bot")
        .base_file_url(f"{settings.api_base_url}/file/bot")
        .context_types(context_types)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(CountingUpdates(64))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_make_post_init(settings))
        .post_shutdown(_post_shutdown)
        # PTB's own defaults (256 connections; one for getUpdates), through ApiRequest: a
        # reply that is not the Bot API's, or an update PTB cannot read, is handled there.
        .request(ApiRequest(connection_pool_size=256))
    )
    if not settings.webhook_url:
        # The one getUpdates connection is waited for only by PTB's last getUpdates at
        # shutdown, right after it cancels the long poll without awaiting it: the connection
        # comes free once the loop runs the cancellation. PTB's 1 s pool wait logged an error
        # at shutdown when the loop was busy (a flood being answered on a loaded machine).
        # serve_polling bounds the whole stop of polling below this (UPDATER_STOP_WITHIN).
        builder = builder.get_updates_request(
            ApiRequest(
                connection_pool_size=1,
                read_timeout=read_timeout_slack,
                pool_timeout=_GET_UPDATES_POOL_WAIT,
            )
        )
    if settings.webhook_url:
        builder = builder.updater(None)
    application: BotApplication = builder.build()
    # Callback data is signed with a key only the bot's replicas know: derived from the token.
    application.bot_data.secret = hmac.new(
        token.encode(), b"callback-data", hashlib.sha256
    ).digest()

    # Order matters: repeats are dropped, then counting and flood control run, each in its
    # own group before the handlers.
    application.add_handler(TypeHandler(Update, handlers.drop_repeats), group=-3)
    application.add_handler(TypeHandler(Update, handlers.count_update), group=-2)
    application.add_handler(TypeHandler(Update, handlers.flood_guard), group=-1)
    new_messages = filters.UpdateType.MESSAGE  # not edits, not channel posts
    private = new_messages & filters.ChatType.PRIVATE
    posts = new_messages | filters.UpdateType.CHANNEL_POST
    where = {"messages": new_messages, "private": private, "posts": posts}
    for command in COMMANDS:
        callback = handlers.COMMAND_CALLBACKS[command.name]
        application.add_handler(
            CommandHandler(command.name, callback, filters=where[command.accepts])
        )
    application.add_handler(ChosenInlineResultHandler(handlers.chosen_result))
    application.add_handler(MessageHandler(private & filters.COMMAND, handlers.unknown_command))
    # Not our own inline results sent into this chat: they are answers, not questions.
    mine = filters.VIA_BOT
    application.add_handler(MessageHandler(private & filters.TEXT & ~mine, handlers.text_search))
    application.add_handler(
        MessageHandler(private & filters.CAPTION & ~mine, handlers.caption_search)
    )
    media = (
        filters.Sticker.ALL
        | filters.PHOTO
        | filters.VIDEO
        | filters.VIDEO_NOTE
        | filters.VOICE
        | filters.AUDIO
        | filters.ANIMATION
        | filters.Document.ALL
        | filters.LOCATION
        | filters.CONTACT
        | filters.POLL
        | filters.Dice.ALL
    )
    # Service messages (a pin, a timer change) are not addressed to the bot: no answer.
    application.add_handler(MessageHandler(private & media, handlers.not_text))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_error_handler(handlers.on_error)
    return application
