"""Serving the bot: long polling, a webhook, or only the scheduler; and the aiohttp server.

The webhook server receives updates from Telegram, plus `/healthz` and `/metrics`. PTB's
built-in one answers 403 to `Content-Type: application/json; charset=utf-8`, 500 to a
malformed body, and has no health route; this one follows PTB's "custom webhook" pattern
(put the `Update` on `application.update_queue`) with answers a load balancer and Telegram
understand: 403 for a wrong secret, 400 for a bad body, 413 for a huge one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Updater

from bot.app import ALLOWED_UPDATES, build_application, finished_updates
from bot.config import Settings
from bot.handlers import BotApplication
from bot.metrics import CONTENT_TYPE
from bot.transport import readable_updates

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kB; Telegram never sends a megabyte


POLL_TIMEOUT = 30  # seconds a getUpdates call waits: an idle bot asks twice a minute
STOP_WITHIN = 8.0  # seconds in-flight updates get after SIGTERM (the contract says 10)
# Seconds polling gets to stop, before STOP_WITHIN: the two stay under the contract's 10.
# Its last getUpdates takes milliseconds when Telegram answers; unbounded, one that hung
# held the exit for its read timeout (10 s) and more.
UPDATER_STOP_WITHIN = 1.5
DRAIN_SECONDS = 1.5  # the webhook server stays up at least this long after SIGTERM
# Replies go out no faster than AIORateLimiter's 30 messages a second. The webhook accepts
# no more unfinished updates than half of that rate could answer within STOP_WITHIN, so a
# SIGTERM at any moment still finishes every update it answered 200 to; beyond that it
# answers 503 and Telegram delivers the update again later (here or to another replica).
REPLIES_PER_SECOND = 30
MAX_BACKLOG = int(STOP_WITHIN * REPLIES_PER_SECOND / 2)
RETRY_AFTER = "5"  # seconds, in the Retry-After of a 503


class WebhookServer:
    def __init__(
        self,
        application: BotApplication,
        settings: Settings,
        *,
        port: int | None = None,
        updates: bool = True,
        metrics: bool = True,
        max_backlog: int = MAX_BACKLOG,
    ) -> None:
        """With a webhook URL in the settings (and `updates`) it takes updates on that URL's
        path; without one (polling mode, or the metrics port) it only serves /healthz, and
        /metrics unless `metrics` is off (EXCERPT_BOT_METRICS_PORT moves it elsewhere)."""
        self.application = application
        webhook = settings.webhook_url if updates else None
        self.path = (urlsplit(webhook).path or "/") if webhook else None
        self._secret = settings.secret_token.encode() if webhook else b""
        self._listen = settings.webhook_listen
        self.port = port if port is not None else settings.webhook_port
        self.draining = False  # /healthz says 503 (a load balancer stops sending)
        self.accepting = True  # False once stopping: updates get 503, Telegram resends them
        self.max_backlog = max_backlog
        self.accepted = 0  # updates answered 200 (each one is handled before the bot exits)
        self._last_refusal_log = 0.0
        app = web.Application(client_max_size=MAX_BODY)
        self._paths: list[str] = []
        if self.path is not None:
            app.router.add_post(self.path, self._update)
            self._paths.append(self.path)
        app.router.add_get("/healthz", self._health)
        self._paths.append("/healthz")
        if metrics:
            app.router.add_get("/metrics", self._metrics)
            self._paths.append("/metrics")
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)

    @property
    def backlog(self) -> int:
        """Updates answered 200 and not yet handled to the end."""
        return self.accepted - finished_updates(self.application)

    @property
    def routes(self) -> str:
        """What this server answers, for the log."""
        return ", ".join(self._paths)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._listen, self.port)
        await site.start()
        if self.port == 0:  # an ephemeral port (tests): report the real one
            server: Any = site._server
            self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _update(self, request: web.Request) -> web.Response:
        # Header values arrive as str (non-ASCII bytes surrogate-escaped); compare as bytes,
        # in constant time.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="wrong or missing secret token")
        # What cannot be finished before the process exits is refused now, not lost later:
        # Telegram only resends an update that did not get a 2xx.
        if not self.accepting:
            return self._refuse("stopping")
        if self.backlog >= self.max_backlog:
            return self._refuse("busy")
        try:
            body = await request.read()
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update object")
            # One PTB cannot read is acknowledged and skipped (logged once), as in polling:
            # refused, Telegram would send it again and again.
            update = Update.de_json(readable_updates([data])[0], self.application.bot)
        except web.HTTPException:
            raise  # 413 from client_max_size
        except Exception as exc:
            log.warning("rejected a malformed update: %s", str(exc)[:200])
            return web.Response(status=400, text="malformed update")
        if not self.accepting:  # SIGTERM while the body was read
            return self._refuse("stopping")
        self.accepted += 1
        self.application.update_queue.put_nowait(update)
        return web.Response(text="ok")

    def _refuse(self, why: str) -> web.Response:
        self.application.bot_data.metrics.throttled.labels(f"webhook_{why}").inc()
        now = time.monotonic()
        if why == "busy" and now - self._last_refusal_log > 10:
            self._last_refusal_log = now
            log.warning(
                "%d updates waiting to be answered: new ones get 503 and Telegram resends "
                "them later",
                self.backlog,
            )
        return web.Response(status=503, text=why, headers={"Retry-After": RETRY_AFTER})

    async def _health(self, request: web.Request) -> web.Response:
        state = self.application.bot_data
        if self.draining or not self.application.running or state.store is None:
            return web.Response(status=503, text="not serving")
        return web.Response(text="ok")

    async def _metrics(self, request: web.Request) -> web.Response:
        body = self.application.bot_data.metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def check_token(settings: Settings) -> str:
    """Ask Telegram who we are before starting: a rejected token or an unreachable API is
    reported in one line instead of a retry loop's traceback. Returns the bot's username."""
    from telegram import Bot

    from bot.transport import ApiRequest

    token, base_url = settings.require_token(), f"{settings.api_base_url}/bot"
    async with Bot(token, base_url=base_url, request=ApiRequest()) as bot:
        return bot.username


def _stop_event() -> asyncio.Event:
    """Set on SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _give_up_after(step: Awaitable[None], seconds: float, said: str) -> None:
    """Run a step of stopping, but not for longer than `seconds`; if it is given up, `said`
    (a log format taking the seconds) says what was left undone."""
    try:
        await asyncio.wait_for(step, seconds)
    except TimeoutError:
        log.warning(said, seconds)


async def _stop_polling_within(updater: Updater, seconds: float) -> None:
    """Stop polling, but not for longer than `seconds`: PTB's last getUpdates (which marks
    the fetched updates read) can wait for its connection, its connect and its read. Past
    the bound those updates may come again on the next start, so it is said."""
    await _give_up_after(
        updater.stop(),
        seconds,
        "stopped polling without marking the last updates read after %.0f s; "
        "they may be delivered again on the next start",
    )


async def _stop_within(application: BotApplication, seconds: float) -> None:
    """Let in-flight updates finish, but not for longer than the orchestrator waits before
    SIGKILL: a send stuck behind a 30-second `retry_after` is given up, and said so."""
    await _give_up_after(
        application.stop(), seconds, "gave up on updates still being handled after %.0f s"
    )


@contextlib.asynccontextmanager
async def lifespan(
    application: BotApplication, *, grace: float = STOP_WITHIN
) -> AsyncIterator[BotApplication]:
    """The one start/stop sequence, for every runner and for the tests' harness:
    `initialize`, `post_init` (opens the databases), `start`; on the way out, `stop` within
    `grace` seconds (one second after an error), `shutdown`, `post_shutdown` (closes them).
    Whatever takes updates (the updater, a webhook server) must have stopped by then."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        failed = True
        try:
            yield application
            failed = False
        finally:
            if application.running:
                await _stop_within(application, 1.0 if failed else grace)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def serve_polling(
    application: BotApplication,
    stop: asyncio.Event | None = None,
    status: WebhookServer | Sequence[WebhookServer] | None = None,
) -> None:
    """Long polling until SIGINT/SIGTERM (or `stop`); in-flight updates get `STOP_WITHIN`
    seconds, the store is closed. Like `Application.run_polling`, with a bounded stop.
    `status` (WebhookServers without a webhook) serve /healthz and /metrics meanwhile."""
    servers = [status] if isinstance(status, WebhookServer) else list(status or ())
    updater = application.updater
    assert updater is not None
    stop = stop or _stop_event()
    application.bot_data.stop = stop

    def polling_error(exc: TelegramError) -> None:
        application.create_task(application.process_error(update=None, error=exc))

    try:
        async with lifespan(application):
            await updater.start_polling(
                timeout=POLL_TIMEOUT,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=-1,
                error_callback=polling_error,
            )
            try:
                for server in servers:
                    await server.start()
                    log.info("status server (%s) on port %d", server.routes, server.port)
                await stop.wait()
                log.info("stopping: finishing in-flight updates")
                for server in servers:
                    server.draining = True
            finally:
                if updater.running:
                    await _stop_polling_within(updater, UPDATER_STOP_WITHIN)
    finally:
        for server in servers:
            await server.stop()


async def serve_scheduler(application: BotApplication, stop: asyncio.Event | None = None) -> None:
    """Only the daily excerpts: no polling, no webhook. For the one pod that posts them
    while webhook replicas (with EXCERPT_BOT_SCHEDULER=off) answer readers."""
    stop = stop or _stop_event()
    application.bot_data.stop = stop
    async with lifespan(application):
        if application.bot_data.scheduler is None:
            log.warning("the scheduler is off or has no state file: nothing to do")
        await stop.wait()


async def serve_webhook(
    application: BotApplication,
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    drain: float = DRAIN_SECONDS,
) -> None:
    """Serve the webhook with /healthz and /metrics (or /metrics on its own port), then
    register it; until SIGINT/SIGTERM (or `stop`). On stop, updates get 503 at once (Telegram
    delivers them again later) and /healthz says 503, so a load balancer drains this
    replica; every update already answered 200 is handled (there are never more than
    `STOP_WITHIN` can finish, see MAX_BACKLOG), then the server closes, `drain` seconds
    after the stop at the earliest."""
    assert settings.webhook_url is not None
    stop = stop or _stop_event()
    application.bot_data.stop = stop
    separate = settings.metrics_port is not None and settings.metrics_port != settings.webhook_port
    server = WebhookServer(application, settings, metrics=not separate)
    servers = [server]
    if separate:
        servers.append(
            WebhookServer(application, settings, port=settings.metrics_port, updates=False)
        )
    loop = asyncio.get_running_loop()
    stopped_at: float | None = None
    try:
        async with lifespan(application, grace=STOP_WITHIN):
            for each in servers:  # listening before Telegram is told where to send
                await each.start()
                log.info(
                    "webhook server (%s) listening on %s:%d",
                    each.routes,
                    settings.webhook_listen,
                    each.port,
                )
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.secret_token,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=40,
            )
            await stop.wait()
            stopped_at = loop.time()
            for each in servers:
                each.accepting, each.draining = False, True
            log.info("stopping: new updates get 503; finishing the %d accepted", server.backlog)
        # The application has stopped (every accepted update handled, or STOP_WITHIN spent).
        if server.backlog > 0:
            log.warning("%d accepted updates were not handled in time", server.backlog)
        if stopped_at is not None:
            await asyncio.sleep(max(0.0, stopped_at + drain - loop.time()))
    finally:
        for each in servers:
            await each.stop()


def run(settings: Settings, *, scheduler_only: bool = False) -> str | None:
    """Check the token, then serve until SIGINT/SIGTERM: only the scheduler, a webhook (when
    the settings name one), or long polling (with /healthz and /metrics on `status_port`).
    Returns why the bot stopped itself (a second poller on the token), else None. Telegram's
    errors (a rejected token, an unreachable API) propagate."""
    application = build_application(settings)
    asyncio.run(check_token(settings))
    if scheduler_only:
        asyncio.run(serve_scheduler(application))
    elif settings.webhook_url:
        asyncio.run(serve_webhook(application, settings))
    else:
        status: list[WebhookServer] = []
        metrics_port = settings.metrics_port
        if settings.status_port:
            together = metrics_port in (None, settings.status_port)
            status.append(
                WebhookServer(application, settings, port=settings.status_port, metrics=together)
            )
        if metrics_port is not None and metrics_port != settings.status_port:
            status.append(WebhookServer(application, settings, port=metrics_port))
        asyncio.run(serve_polling(application, status=status))
    return application.bot_data.fatal
