"""The webhook server: receives updates from Telegram, plus `/healthz` and `/metrics`.

PTB's built-in server answers 403 to `Content-Type: application/json; charset=utf-8`, 500 to
a malformed body, and has no health route; this one follows PTB's "custom webhook" pattern
(put the `Update` on `application.update_queue`) with answers a load balancer and Telegram
understand: 403 for a wrong secret, 400 for a bad body, 413 for a huge one.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from bot.app import BotApplication
    from bot.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kB; Telegram never sends a megabyte


class WebhookServer:
    def __init__(
        self, application: BotApplication, settings: Settings, *, port: int | None = None
    ) -> None:
        """With a webhook URL in the settings it takes updates on that URL's path; without
        one (polling mode) it only serves /healthz and /metrics, on `port`."""
        self.application = application
        self.path = urlsplit(settings.webhook_url).path or "/" if settings.webhook_url else None
        self._secret = settings.secret_token.encode() if settings.webhook_url else b""
        self._listen = settings.webhook_listen
        self.port = port if port is not None else settings.webhook_port
        self.draining = False
        app = web.Application(client_max_size=MAX_BODY)
        if self.path is not None:
            app.router.add_post(self.path, self._update)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)

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
        try:
            body = await request.read()
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update object")
            update = Update.de_json(data, self.application.bot)
        except web.HTTPException:
            raise  # 413 from client_max_size
        except Exception as exc:
            log.warning("rejected a malformed update: %s", str(exc)[:200])
            return web.Response(status=400, text="malformed update")
        await self.application.update_queue.put(update)
        return web.Response(text="ok")

    async def _health(self, request: web.Request) -> web.Response:
        state = self.application.bot_data
        if self.draining or not self.application.running or state.store is None:
            return web.Response(status=503, text="not serving")
        return web.Response(text="ok")

    async def _metrics(self, request: web.Request) -> web.Response:
        body = self.application.bot_data.metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
