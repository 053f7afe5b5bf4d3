"""`build_application(settings)`: the PTB `Application` with every handler, in one ordered list.

`post_init` opens the store, `post_shutdown` closes it (an unclosed aiosqlite connection
keeps the process alive at exit). Polling is PTB's own `run_polling`, called by the CLI;
webhook mode uses our server in `bot.webhook`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import signal
import time
from typing import Any

from telegram import BotCommand, BotCommandScopeAllGroupChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import handlers
from bot.config import Settings
from bot.daily import next_time
from bot.handlers import BotState, Context
from bot.i18n import COMMANDS, GROUP_COMMANDS
from bot.reload import LiveStore
from bot.search import warm_up
from bot.state_store import StateStore
from bot.store import StoreError

log = logging.getLogger(__name__)

BotApplication = Application[Any, Context, Any, Any, BotState, Any]

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
POLL_TIMEOUT = 30  # seconds a getUpdates call waits: an idle bot asks twice a minute
STOP_WITHIN = 8.0  # seconds in-flight updates get after SIGTERM (the contract says 10)
DRAIN_SECONDS = 1.5  # /healthz answers 503 this long before the webhook server closes


class _RedactToken(logging.Filter):
    """Replaces the bot token wherever it appears in a log record (httpx logs URLs, and an
    exception message may quote one)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<token>")
            record.args = None
        if record.exc_info and not record.exc_text:
            # The formatter prints exc_text when it is set: redact the traceback too.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = text.replace(self._token, "<token>")
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
    if token:
        redact = _RedactToken(token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(redact)


def _commands(language: str, names: tuple[str, ...] | None = None) -> list[BotCommand]:
    column = 1 if language == "zh" else 2
    return [BotCommand(row[0], row[column]) for row in COMMANDS if names is None or row[0] in names]


async def _register_commands(application: BotApplication) -> None:
    """The command menu in both languages; the group menu only has what works in groups.
    Chinese is the default: the corpus is Chinese and most readers' clients are too."""
    bot = application.bot
    try:
        await bot.set_my_commands(_commands("zh"))
        await bot.set_my_commands(_commands("en"), language_code="en")
        group = BotCommandScopeAllGroupChats()
        await bot.set_my_commands(_commands("zh", GROUP_COMMANDS), scope=group)
        await bot.set_my_commands(_commands("en", GROUP_COMMANDS), scope=group, language_code="en")
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


def _make_post_init(settings: Settings) -> Any:
    async def post_init(application: BotApplication) -> None:
        state = application.bot_data
        live = LiveStore(settings.db, on_change=lambda: _refresh(application))
        stats = await live.open()
        state.live = live
        state.admins = settings.admins
        await _refresh(application)
        warm_up()
        state.started_at = time.monotonic()
        if settings.reload_seconds > 0:
            state.watcher = asyncio.create_task(live.watch(settings.reload_seconds))
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
        state.state_store = await StateStore.open(settings.state_path)
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
        state.scheduler = asyncio.create_task(_daily_loop(application))


async def _daily_loop(application: BotApplication) -> None:
    while True:
        try:
            await handlers.daily_tick(application)
        except Exception:  # one bad tick must not end the schedule
            log.exception("daily excerpt tick failed")
        await asyncio.sleep(DAILY_TICK_SECONDS)


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _post_shutdown(application: BotApplication) -> None:
    state = application.bot_data
    await _cancel(state.scheduler)
    state.scheduler = None
    if state.state_store is not None:
        await state.state_store.close()
        state.state_store = None
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
    await _cancel(state.watcher)
    state.watcher = None
    if state.live is not None:
        await state.live.close()
        state.live = None


def build_application(settings: Settings, *, read_timeout_slack: float = 10.0) -> BotApplication:
    """The bot, ready for `serve_polling` or `serve_webhook`. Needs a token; does no I/O.
    `read_timeout_slack`: how long past the long poll's own timeout a getUpdates may take
    before it counts as timed out (PTB adds the poll timeout to it)."""
    token = settings.require_token()
    context_types = ContextTypes(bot_data=BotState)
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
        .concurrent_updates(64)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_make_post_init(settings))
        .post_shutdown(_post_shutdown)
        .get_updates_read_timeout(read_timeout_slack)
    )
    if settings.webhook_url:
        builder = builder.updater(None)
    application: BotApplication = builder.build()
    # Callback data is signed with a key only the bot's replicas know: derived from the token.
    application.bot_data.secret = hmac.new(
        token.encode(), b"callback-data", hashlib.sha256
    ).digest()

    # Order matters: counting and flood control run first, in their own groups.
    application.add_handler(TypeHandler(Update, handlers.count_update), group=-2)
    application.add_handler(TypeHandler(Update, handlers.flood_guard), group=-1)
    new_messages = filters.UpdateType.MESSAGE  # not edits, not channel posts
    private = new_messages & filters.ChatType.PRIVATE
    for name, callback in (
        ("start", handlers.start),
        ("help", handlers.help_command),
        ("search", handlers.search_command),
        ("random", handlers.random_passage),
        ("sources", handlers.sources),
        ("about", handlers.about),
        ("toc", handlers.toc),
    ):
        application.add_handler(CommandHandler(name, callback, filters=new_messages))
    application.add_handler(CommandHandler("reload", handlers.reload_command, filters=private))
    posts = new_messages | filters.UpdateType.CHANNEL_POST
    application.add_handler(CommandHandler("daily", handlers.daily_command, filters=posts))
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


async def check_token(settings: Settings) -> str:
    """Ask Telegram who we are before starting: a rejected token or an unreachable API is
    reported in one line instead of a retry loop's traceback. Returns the bot's username."""
    from telegram import Bot

    async with Bot(settings.require_token(), base_url=f"{settings.api_base_url}/bot") as bot:
        return bot.username


def _stop_event() -> asyncio.Event:
    """Set on SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _stop_within(application: BotApplication, seconds: float) -> None:
    """Let in-flight updates finish, but not for longer than the orchestrator waits before
    SIGKILL: a send stuck behind a 30-second `retry_after` is given up, and said so."""
    try:
        await asyncio.wait_for(application.stop(), seconds)
    except TimeoutError:
        log.warning("gave up on updates still being handled after %.0f s", seconds)


async def _shutdown(application: BotApplication) -> None:
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)


async def serve_polling(
    application: BotApplication, stop: asyncio.Event | None = None, status: Any = None
) -> None:
    """Long polling until SIGINT/SIGTERM (or `stop`); in-flight updates get `STOP_WITHIN`
    seconds, the store is closed. Like `Application.run_polling`, with a bounded stop.
    `status` (a WebhookServer without a webhook) serves /healthz and /metrics meanwhile."""
    assert application.updater is not None
    stop = stop or _stop_event()
    application.bot_data.stop = stop

    def polling_error(exc: TelegramError) -> None:
        application.create_task(application.process_error(update=None, error=exc))

    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.updater.start_polling(
            timeout=POLL_TIMEOUT,
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=-1,
            error_callback=polling_error,
        )
        await application.start()
        if status is not None:
            await status.start()
            log.info("status server (/healthz, /metrics) on port %d", status.port)
        await stop.wait()
        log.info("stopping: finishing in-flight updates")
        if status is not None:
            status.draining = True
        await application.updater.stop()
        await _stop_within(application, STOP_WITHIN)
    finally:
        if status is not None:
            await status.stop()
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await _stop_within(application, 1.0)
        await _shutdown(application)


async def serve_scheduler(application: BotApplication, stop: asyncio.Event | None = None) -> None:
    """Only the daily excerpts: no polling, no webhook. For the one pod that posts them
    while webhook replicas (with EXCERPT_BOT_SCHEDULER=off) answer readers."""
    stop = stop or _stop_event()
    application.bot_data.stop = stop
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if application.bot_data.scheduler is None:
            log.warning("the scheduler is off or has no state file: nothing to do")
        await stop.wait()
    finally:
        await _shutdown(application)


async def serve_webhook(
    application: BotApplication, settings: Settings, stop: asyncio.Event | None = None
) -> None:
    """Serve the webhook with /healthz and /metrics, then register it; until SIGINT/SIGTERM
    (or `stop`). On stop, /healthz turns 503 for a moment so a load balancer drains this
    replica, then in-flight updates get their time."""
    from bot.webhook import WebhookServer

    assert settings.webhook_url is not None
    stop = stop or _stop_event()
    application.bot_data.stop = stop
    server = WebhookServer(application, settings)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        await server.start()  # listening before Telegram is told where to send
        log.info("webhook server listening on %s:%d", settings.webhook_listen, server.port)
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=40,
        )
        await stop.wait()
        log.info("stopping: draining, then finishing in-flight updates")
        server.draining = True
        await asyncio.sleep(DRAIN_SECONDS)
        await server.stop()
        await _stop_within(application, STOP_WITHIN - DRAIN_SECONDS)
    finally:
        await server.stop()
        if application.running:
            await _stop_within(application, 1.0)
        await _shutdown(application)
