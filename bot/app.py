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
from bot.handlers import BotState, Context
from bot.i18n import COMMANDS, GROUP_COMMANDS
from bot.search import warm_up
from bot.store import Store

log = logging.getLogger(__name__)

BotApplication = Application[Any, Context, Any, Any, BotState, Any]

# Every update type the handlers use; Telegram sends only these (less traffic, and
# `chosen_inline_result` only once the bot owner enables inline feedback).
ALLOWED_UPDATES = ["message", "inline_query", "callback_query"]
POLL_TIMEOUT = 30  # seconds a getUpdates call waits: an idle bot asks twice a minute
STOP_WITHIN = 8.0  # seconds in-flight updates get after SIGTERM (the contract says 10)


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


def configure_logging(token: str | None, level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
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


def _make_post_init(settings: Settings) -> Any:
    async def post_init(application: BotApplication) -> None:
        state = application.bot_data
        state.store = await Store.open(settings.db)
        state.stats = await state.store.stats()
        passages = await state.store.random_passages(
            12, handlers.examples_rng(state.stats.fingerprint)
        )
        state.examples = handlers.pick_examples(passages)
        warm_up()
        state.started_at = time.monotonic()
        metrics = state.metrics
        metrics.corpus_passages.set(state.stats.passages)
        metrics.corpus_documents.set(state.stats.documents)
        with contextlib.suppress(ValueError):
            built = dt.datetime.fromisoformat(state.stats.built_at)
            metrics.corpus_built.set(built.timestamp())
        await _register_commands(application)
        log.info(
            "serving @%s: %d passages from %s",
            application.bot.username,
            state.stats.passages,
            settings.db,
        )

    return post_init


async def _post_shutdown(application: BotApplication) -> None:
    state = application.bot_data
    if state.store is not None:
        await state.store.close()
        state.store = None


def build_application(settings: Settings) -> BotApplication:
    """The bot, ready for `run_polling` or `serve_webhook`. Needs a token; does no I/O."""
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
        .get_updates_read_timeout(POLL_TIMEOUT + 10)
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
    ):
        application.add_handler(CommandHandler(name, callback, filters=new_messages))
    application.add_handler(MessageHandler(private & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, handlers.text_search))
    application.add_handler(MessageHandler(private & ~filters.TEXT, handlers.not_text))
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


def run_polling(application: BotApplication) -> None:
    """Long polling until SIGINT/SIGTERM; in-flight updates finish, the store is closed."""
    application.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        timeout=POLL_TIMEOUT,
        drop_pending_updates=False,
        bootstrap_retries=-1,
    )


async def serve_webhook(
    application: BotApplication, settings: Settings, stop: asyncio.Event | None = None
) -> None:
    """Register the webhook, serve it with /healthz and /metrics until SIGINT/SIGTERM (or
    until `stop` is set, for callers that handle signals themselves)."""
    from bot.webhook import WebhookServer

    assert settings.webhook_url is not None
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    server = WebhookServer(application, settings)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=40,
        )
        await application.start()
        await server.start()
        log.info("webhook server listening on %s:%d", settings.webhook_listen, server.port)
        await stop.wait()
        log.info("stopping: finishing in-flight updates")
        server.draining = True  # /healthz says 503 so the load balancer stops sending
        await server.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(application.stop(), STOP_WITHIN)
    finally:
        if application.running:
            with contextlib.suppress(Exception):
                await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
