"""A fake Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

Why a server and not a mocked ``Bot``: mocks only prove that the bot called a Python method;
they cannot catch the mistakes that make Telegram answer 400 in production (an unescaped ``&``
in HTML, a callback_data of 65 bytes, 51 inline results, a 4097-unit message). This fake sits
where api.telegram.org would be, receives the exact bytes PTB sends (form-encoded, multipart or
JSON), checks every request against the Bot API rules (`telegram_rules`) and answers the way
Telegram does, so the bot's own error handling runs too.

Every broken rule is appended to ``FakeTelegram.violations`` *and* answered with a Telegram-like
400, so a test fails either on the bot's reaction or on ``assert fake.violations == []``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import EllipsisType, TracebackType
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from aiohttp import web

from .telegram_rules import (
    API_METHODS,
    OPT_IN_UPDATE_TYPES,
    UPDATE_TYPES,
    ApiError,
    JSONDict,
    bad_request,
    check_encoding,
    check_message_text,
    decode_params,
    scope_key,
    utf16_len,
    validate_commands,
    validate_inline_answer,
    validate_language_code,
    validate_reply_markup,
)

TOKEN: Final = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"
BOT_USERNAME: Final = "excerpt_test_bot"
BOT_ID: Final = 4242


@dataclass
class Call:
    """One request the bot made."""

    method: str  # as sent in the URL path, e.g. "sendMessage"
    params: dict[str, Any]  # decoded: JSON fields parsed, ints and booleans coerced
    at: float  # time.monotonic() when the request arrived
    status: int  # HTTP status the fake answered
    result: Any  # the "result" returned, None on error


@dataclass
class _Fault:
    method: str  # lower case
    status: int
    description: str
    retry_after: int | None
    times: int
    delay: float
    body: bytes | None = None  # answered as is (text/html), instead of a Bot API reply


# fmt: off
CHAT_ACTIONS: Final = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
# fmt: on
_SECRET_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_MESSAGE_KEYS: Final = ("message", "edited_message", "channel_post", "edited_channel_post")
_QUERY_EXPIRED: Final = "query is too old and response timeout expired or query ID is invalid"
_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

Handler = Callable[[JSONDict], Any]


class FakeTelegram:
    """The fake Bot API. Requests arrive at ``{base_url}/bot{token}/{method}``."""

    def __init__(self, token: str = TOKEN, *, username: str = BOT_USERNAME) -> None:
        self.token = token
        self.username = username
        self.base_url = ""
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.bot_user: JSONDict = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Excerpt",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        # (chat_id, user_id) pairs that getChatMember reports as "administrator".
        self.admins: set[tuple[int, int]] = set()
        self.webhook: JSONDict | None = None
        self.webhook_statuses: list[int] = []
        # When the registered webhook URL is not reachable as is (an https URL behind a proxy
        # in production), deliveries go to this "http://host:port" with the URL's path.
        self.webhook_target: str | None = None
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}

        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._bot_messages: set[tuple[int, int]] = set()
        self._next_message_id: dict[int, int] = {}  # per chat, as in Telegram
        self._next_update_id = 100_001
        self._next_query_id = 4_242_000_000_001
        self._queue: list[JSONDict] = []  # updates not yet confirmed through getUpdates
        self._allowed_updates: list[str] | None = None
        self._pushed_at: dict[int, int] = {}  # update_id -> len(calls) when pushed
        self._inline_queries: dict[str, bool] = {}  # id -> answered
        self._callback_queries: dict[str, bool] = {}
        self._faults: list[_Fault] = []
        self._poll_generation = 0
        self._updates_changed = asyncio.Event()
        self._calls_changed = asyncio.Event()
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._deliveries: asyncio.Queue[JSONDict] = asyncio.Queue()
        self._delivered: dict[int, asyncio.Event] = {}  # update_id -> webhook POST finished
        self._delivery_worker: asyncio.Task[None] | None = None
        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setmydescription": self._set_my_description,
            "setmyshortdescription": self._set_my_short_description,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "sendchataction": self._send_chat_action,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "close": self._true,
            "logout": self._true,
        }

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        # Telegram accepts uploads up to 50 MB; aiohttp's default limit is 1 MB.
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Short shutdown timeout: stop() ends pending long polls itself, nothing should linger.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # Bind the socket ourselves so the free port is known without peeking into aiohttp.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self.base_url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._delivery_worker = asyncio.create_task(self._deliver_queued())

    async def stop(self) -> None:
        self._stopping = True
        self._stop_event.set()
        self._wake_pollers()
        if self._delivery_worker is not None:
            self._delivery_worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery_worker
            self._delivery_worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- users and chats ---------------------------------------------------------------------
    def user(
        self,
        id: int = 1001,
        *,
        first_name: str = "Reader",
        language_code: str | None = "zh-hans",
        username: str | None = None,
    ) -> JSONDict:
        user: JSONDict = {"id": id, "is_bot": False, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[id] = user
        return dict(user)

    def private_chat(self, user: JSONDict) -> JSONDict:
        chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        self._users.setdefault(user["id"], dict(user))
        self._chats[chat["id"]] = chat
        return dict(chat)

    def group_chat(self, id: int = -100500, title: str = "Reading group") -> JSONDict:
        chat: JSONDict = {"id": id, "type": "supergroup", "title": title}
        self._chats[id] = chat
        return dict(chat)

    def channel_chat(self, id: int = -1001234567890, title: str = "Excerpts") -> JSONDict:
        chat: JSONDict = {"id": id, "type": "channel", "title": title}
        self._chats[id] = chat
        return dict(chat)

    # --- updates -----------------------------------------------------------------------------
    def push_update(self, update: JSONDict) -> JSONDict:
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._register(update)
        self._pushed_at[update["update_id"]] = len(self.calls)
        if self.webhook is not None:
            self._queue_delivery(update)
        else:
            self._queue.append(update)
            self._queue.sort(key=lambda queued: int(queued["update_id"]))
            self._wake_pollers()
        return update

    def message(
        self,
        text: str | None,
        *,
        user: JSONDict | None = None,
        chat: JSONDict | None = None,
        reply_to: JSONDict | None = None,
        edited: bool = False,
        channel: bool = False,
        extra: JSONDict | None = None,
    ) -> JSONDict:
        if channel:
            chat = chat or self.channel_chat()
        else:
            user = user or self.user()
            chat = chat or self.private_chat(user)
        self._chats.setdefault(chat["id"], dict(chat))
        message: JSONDict = {
            "message_id": self._new_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
        }
        if channel:
            message["sender_chat"] = chat
        else:
            message["from"] = user
        if text is not None:
            message["text"] = text
            command = text.split(maxsplit=1)[0] if text.strip() else ""
            if text.startswith("/") and len(command) > 1:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
                ]
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(reply_to)
        if edited:
            message["edit_date"] = int(time.time())
        message.update(extra or {})
        key = ("edited_" if edited else "") + ("channel_post" if channel else "message")
        return self.push_update({key: message})

    def inline_query(
        self,
        query: str,
        *,
        user: JSONDict | None = None,
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> JSONDict:
        inline: JSONDict = {
            "id": self._query_id(),
            "from": user or self.user(),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            inline["chat_type"] = chat_type
        return self.push_update({"inline_query": inline})

    def callback(
        self,
        data: str,
        *,
        message: JSONDict | None = None,
        inline_message_id: str | None = None,
        user: JSONDict | None = None,
    ) -> JSONDict:
        if message is None and inline_message_id is None:
            raise ValueError("a callback comes from a message or an inline message")
        query: JSONDict = {"id": self._query_id(), "data": data}
        if message is not None:
            chat_id = int(message["chat"]["id"])
            # Telegram sends the message as it is now, not as the test last saw it.
            current = self._messages.get((chat_id, int(message["message_id"])), message)
            query["message"] = copy.deepcopy(current)
            query["chat_instance"] = str(7_000_000_000_000 + abs(chat_id))
            if user is None and message["chat"].get("type") == "private":
                user = self._users.get(chat_id)
        else:
            query["inline_message_id"] = inline_message_id
            query["chat_instance"] = "7000000000000"
        query["from"] = user or self.user()
        return self.push_update({"callback_query": query})

    # --- waiting / inspecting ----------------------------------------------------------------
    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Call:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = after
        wanted = method.lower()
        while True:
            changed = self._calls_changed
            for call in self.calls[index:]:
                if call.method.lower() == wanted and (predicate is None or predicate(call)):
                    return call
            index = max(index, len(self.calls))
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"no {method} call{' matching the predicate' if predicate else ''} "
                    f"from #{after} within {timeout}s\n{self.summary()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def summary(self, last: int = 15) -> str:
        """Recent calls and all violations, for assertion messages."""
        lines = [f"calls ({len(self.calls)}), last {last}:"]
        start = max(len(self.calls) - last, 0)
        for number, call in enumerate(self.calls[start:], start):
            params = json.dumps(call.params, ensure_ascii=False, default=repr)
            lines.append(f"  #{number} {call.method} -> {call.status} {params[:200]}")
        lines.append(f"violations: {self.violations or 'none'}")
        return "\n".join(lines)

    def sent(self, method: str | None = None) -> list[Call]:
        if method is None:
            return list(self.calls)
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def mark(self) -> int:
        return len(self.calls)

    def chat_messages(self, chat_id: int) -> list[JSONDict]:
        keys = sorted(key for key in self._bot_messages if key[0] == chat_id)
        return [copy.deepcopy(self._messages[key]) for key in keys]

    async def answer_of(self, update: JSONDict, *, timeout: float = 5.0) -> Call:
        update_id = int(update.get("update_id", -1))
        after = self._pushed_at.get(update_id, 0)
        if "inline_query" in update:
            method, field, wanted = (
                "answerInlineQuery",
                "inline_query_id",
                update["inline_query"]["id"],
            )
        elif "callback_query" in update:
            method, field = "answerCallbackQuery", "callback_query_id"
            wanted = update["callback_query"]["id"]
        else:
            key = next((key for key in _MESSAGE_KEYS if key in update), None)
            if key is None:
                raise ValueError(f"don't know what answers an update with keys {sorted(update)}")
            method, field, wanted = "sendMessage", "chat_id", update[key]["chat"]["id"]
        call = await self.wait_for(
            method,
            lambda call: str(call.params.get(field)) == str(wanted),
            timeout=timeout,
            after=after,
        )
        delivered = self._delivered.get(update_id)
        if delivered is not None:
            # Webhook mode: the bot may answer before the fake has read the webhook's HTTP
            # response; wait for it so webhook_statuses already holds this update's status.
            await asyncio.wait_for(delivered.wait(), timeout)
        return call

    # --- webhook mode ------------------------------------------------------------------------
    async def deliver(
        self,
        update: JSONDict,
        *,
        secret: str | EllipsisType | None = ...,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
        method: str = "POST",
    ) -> tuple[int, str]:
        """Send one request to the registered webhook like Telegram does; (status, body)."""
        if self.webhook is None:
            raise AssertionError("no webhook is registered: the bot has not called setWebhook")
        if self._session is None:
            raise RuntimeError("FakeTelegram is not started")
        url = urlsplit(self.webhook["url"])
        target = self.webhook_target or f"{url.scheme}://{url.netloc}"
        if path is None:
            path = url.path + (f"?{url.query}" if url.query else "")
        request_headers = {"Content-Type": "application/json"}
        token = self.webhook.get("secret_token") if isinstance(secret, EllipsisType) else secret
        if token is not None:
            request_headers["X-Telegram-Bot-Api-Secret-Token"] = token
        request_headers.update(headers or {})
        payload = body if body is not None else json.dumps(update, ensure_ascii=False).encode()
        async with self._session.request(
            method, target + path, data=payload, headers=request_headers
        ) as response:
            return response.status, await response.text()

    async def wait_deliveries(self, timeout: float = 5.0) -> None:
        """Wait until every update pushed in webhook mode has been POSTed (or given up on)."""
        await asyncio.wait_for(self._deliveries.join(), timeout)

    def _queue_delivery(self, update: JSONDict) -> None:
        self._delivered[int(update["update_id"])] = asyncio.Event()
        self._deliveries.put_nowait(update)

    async def _deliver_queued(self) -> None:
        # One update at a time, in push order: deterministic tests matter more here than
        # Telegram's up-to-max_connections parallel deliveries.
        while True:
            update = await self._deliveries.get()
            try:
                await self._deliver_with_retry(update)
            finally:
                self._delivered[int(update["update_id"])].set()
                self._deliveries.task_done()

    async def _deliver_with_retry(self, update: JSONDict) -> None:
        # Telegram retries an unreachable webhook; retry connection errors for ~5 s so a bot
        # that registers its URL just before its server listens still gets the update.
        for _ in range(50):
            if self.webhook is None:
                # deleteWebhook before delivery: the update stays pending for getUpdates.
                self._queue.append(update)
                self._wake_pollers()
                return
            if not self._allowed(update):
                return
            try:
                status, _ = await self.deliver(update)
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
                continue
            except TimeoutError:
                break
            self.webhook_statuses.append(status)
            return
        self.webhook_statuses.append(0)  # 0: never got an HTTP answer

    # --- faults ------------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
        body: bytes | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` get this error after ``delay`` seconds.
        A status below 300 only delays, then answers normally (a slow Telegram). With
        ``body``, that is the answer instead, with ``status`` (a proxy's error page, say)."""
        if status == 429 and description == "Internal Server Error":
            description = f"Too Many Requests: retry after {retry_after or 1}"
        self._faults.append(
            _Fault(method.lower(), status, description, retry_after, times, delay, body)
        )

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method.lower() and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # --- HTTP --------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        received = time.monotonic()
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)", request.path)
        if match is None:
            self.violations.append(f"request to {request.path!r}, not /bot<token>/<method>")
            return self._record(request.path, {}, received, 404, error="Not Found")
        token, method = match.groups()
        if token != self.token:
            return self._record(method, {}, received, 401, error="Unauthorized")
        try:
            params = decode_params(await self._read_raw_params(request))
        except ApiError as exc:
            self.violations.append(f"{method}: malformed request: {exc.detail}")
            return self._record(method, {}, received, exc.status, error=exc.description)
        fault = self._take_fault(method)
        if fault is not None:
            if fault.delay:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_event.wait(), fault.delay)
            if fault.body is not None:
                self.calls.append(Call(method, params, received, fault.status, None))
                self._calls_changed.set()
                self._calls_changed = asyncio.Event()
                return web.Response(body=fault.body, status=fault.status, content_type="text/html")
            if fault.status >= 300:
                extra = {"retry_after": fault.retry_after} if fault.retry_after else None
                return self._record(
                    method,
                    params,
                    received,
                    fault.status,
                    error=fault.description,
                    parameters=extra,
                )
        handler = self._handlers.get(method.lower())
        if handler is None:
            if method.lower() not in API_METHODS:
                self.violations.append(f"{method}: unknown Bot API method")
                return self._record(method, params, received, 404, error="Not Found")
            self.violations.append(f"{method}: unimplemented method {method} (the fake said True)")
            return self._record(method, params, received, 200, result=True)
        try:
            outcome = handler(params)
            result = await outcome if asyncio.iscoroutine(outcome) else outcome
        except ApiError as exc:
            if exc.violation:
                self.violations.append(f"{method}: {exc.detail}")
            return self._record(
                method,
                params,
                received,
                exc.status,
                error=exc.description,
                parameters=exc.parameters,
            )
        description = None
        if isinstance(result, _Described):
            result, description = result.result, result.description
        return self._record(method, params, received, 200, result=result, description=description)

    async def _read_raw_params(self, request: web.Request) -> dict[str, Any]:
        """Parameters from the query string and a form, multipart or JSON body (Telegram
        accepts all of them; PTB 22 sends form-encoded, multipart with files, and getMe with
        no body and no Content-Type at all)."""
        raw: dict[str, Any] = dict(request.query)
        kind = request.content_type
        if kind.startswith("multipart/"):
            try:
                reader = await request.multipart()
                while (part := await reader.next()) is not None:
                    if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                        raise bad_request("can't parse multipart", "nested or unnamed part")
                    if part.filename is not None:
                        raw[part.name] = {
                            "filename": part.filename,
                            "content": bytes(await part.read()),
                        }
                    else:
                        raw[part.name] = await part.text()
            except (ValueError, UnicodeDecodeError, AssertionError) as exc:
                raise bad_request("can't parse multipart", f"bad multipart body: {exc}") from exc
            return raw
        body = await request.read()
        if not body:
            return raw
        try:
            if kind == "application/json":
                decoded = json.loads(body.decode("utf-8"))
                if not isinstance(decoded, dict):
                    raise bad_request("can't parse JSON", "JSON body is not an object")
                raw.update(decoded)
            elif kind == "application/x-www-form-urlencoded":
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict"))
            else:
                raise bad_request("unsupported Content-Type", f"body with Content-Type {kind!r}")
        except (UnicodeDecodeError, ValueError) as exc:
            if isinstance(exc, ApiError):
                raise
            raise bad_request("can't parse request body", f"{kind} body: {exc}") from exc
        return raw

    def _record(
        self,
        method: str,
        params: JSONDict,
        received: float,
        status: int,
        *,
        result: Any = None,
        error: str | None = None,
        description: str | None = None,
        parameters: JSONDict | None = None,
    ) -> web.Response:
        if status < 300:
            payload: JSONDict = {"ok": True, "result": result}
            if description:
                payload["description"] = description
        else:
            payload = {"ok": False, "error_code": status, "description": error or "Error"}
            if parameters:
                payload["parameters"] = parameters
            result = None
        self.calls.append(Call(method, params, received, status, copy.deepcopy(result)))
        self._calls_changed.set()
        self._calls_changed = asyncio.Event()
        # Telegram answers raw UTF-8; "surrogatepass" so a hostile pushed update with a lone
        # surrogate still goes out (PTB decodes with errors="replace").
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return web.Response(body=body, status=status, content_type="application/json")

    # --- state helpers -----------------------------------------------------------------------
    def _wake_pollers(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _query_id(self) -> str:
        self._next_query_id += 1
        return str(self._next_query_id)

    def _register(self, update: JSONDict) -> None:
        """Learn the chats, users, messages and query ids an update mentions, so later calls
        about them (sendMessage to that chat, answerInlineQuery for that id) are recognised."""
        for key, value in update.items():
            if not isinstance(value, dict):
                continue
            if isinstance(value.get("from"), dict):
                self._users.setdefault(value["from"]["id"], value["from"])
            if key in _MESSAGE_KEYS:
                self._remember_message(value)
            if key == "inline_query":
                self._inline_queries[str(value["id"])] = False
            if key == "callback_query":
                self._callback_queries[str(value["id"])] = False
                if isinstance(value.get("message"), dict):
                    self._remember_message(value["message"], replace=False)

    def _remember_message(self, message: JSONDict, *, replace: bool = True) -> None:
        chat = message.get("chat")
        if not isinstance(chat, dict) or "message_id" not in message:
            return
        self._chats.setdefault(int(chat["id"]), dict(chat))
        key = (int(chat["id"]), int(message["message_id"]))
        if replace or key not in self._messages:
            self._messages[key] = copy.deepcopy(message)
        self._next_message_id[key[0]] = max(self._next_message_id.get(key[0], 1), key[1] + 1)

    def _allowed(self, update: JSONDict) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        if not self._allowed_updates:
            return kind not in OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    def _chat(self, params: JSONDict) -> JSONDict:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, int) and chat_id in self._chats:
            return self._chats[chat_id]
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == chat_id[1:].lower():
                    return chat
        # A state error, not a rule: the chat may simply be one the test never introduced.
        raise ApiError(400, "Bad Request: chat not found")

    def _stored_message(self, params: JSONDict) -> tuple[tuple[int, int], JSONDict]:
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified", "message_id is missing")
        key = (int(chat["id"]), message_id)
        return key, self._messages.get(key, {})

    def _bot_message(self, chat: JSONDict, text: str, entities: list[JSONDict]) -> JSONDict:
        return {
            "message_id": self._new_message_id(int(chat["id"])),
            "from": {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")},
            "chat": dict(chat),
            "date": int(time.time()),
            "text": text,
        } | ({"entities": entities} if entities else {})

    # --- methods -----------------------------------------------------------------------------
    def _true(self, params: JSONDict) -> bool:
        return True

    def _get_me(self, params: JSONDict) -> JSONDict:
        return dict(self.bot_user)

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
                violation=True,
                detail="getUpdates while a webhook is set",
            )
        offset, limit, timeout = (params.get(k, 0) for k in ("offset", "limit", "timeout"))
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (offset, limit, timeout)
        ):
            raise bad_request("wrong parameter in request", f"offset/limit/timeout: {params}")
        limit = min(max(int(limit or 100), 1), 100)
        if "allowed_updates" in params:
            self._allowed_updates = self._check_allowed_updates(params["allowed_updates"])
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an earlier pending getUpdates sees it was superseded
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[int(offset) :]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(timeout), 0.0)
        while True:
            changed = self._updates_changed
            if generation != self._poll_generation:
                # Not a violation: PTB cancels its pending poll on shutdown and then sends
                # one more getUpdates to confirm the offset, which lands here.
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            self._queue = [u for u in self._queue if self._allowed(u)]
            remaining = deadline - loop.time()
            if self._queue or remaining <= 0 or self._stopping:
                return copy.deepcopy(self._queue[:limit])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    @staticmethod
    def _check_allowed_updates(value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request("can't parse allowed_updates", f"allowed_updates {value!r}")
        unknown = sorted(set(value) - UPDATE_TYPES)
        if unknown:
            raise bad_request("wrong allowed_updates", f"unknown update types {unknown}")
        return list(value)

    def _set_webhook(self, params: JSONDict) -> _Described:
        url = params.get("url")
        if not isinstance(url, str):
            raise bad_request("bad webhook: url is empty", "setWebhook without url")
        if url == "":
            return self._delete_webhook(params)
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "http" and host in _LOOPBACK:
            pass  # Deviation: Telegram demands HTTPS; a local test server can't have it.
        elif parts.scheme != "https" or not host:
            raise bad_request(
                "bad webhook: An HTTPS URL must be provided for webhook", f"webhook url {url!r}"
            )
        elif (parts.port or 443) not in (443, 80, 88, 8443):
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
                f"webhook url {url!r}",
            )
        secret = params.get("secret_token")
        if secret is not None and not (isinstance(secret, str) and _SECRET_RE.fullmatch(secret)):
            raise bad_request(
                "secret token contains unallowed characters",
                "secret_token must be 1-256 of A-Za-z0-9_-",
            )
        max_connections = params.get("max_connections", 40)
        if not isinstance(max_connections, int) or not 1 <= max_connections <= 100:
            raise bad_request(
                "bad max_connections", f"max_connections {max_connections!r} (1..100)"
            )
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = self._check_allowed_updates(allowed)
        drop = params.get("drop_pending_updates") is True
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": allowed,
            "max_connections": max_connections,
            "drop_pending_updates": drop,
            "ip_address": params.get("ip_address"),
            "has_custom_certificate": "certificate" in params,
        }
        pending, self._queue = self._queue, []
        if not drop:
            for update in pending:  # Telegram hands pending updates to the new webhook
                self._queue_delivery(update)
        self._poll_generation += 1  # a pending long poll ends with a conflict
        self._wake_pollers()
        return _Described(True, "Webhook was set")

    def _delete_webhook(self, params: JSONDict) -> _Described:
        existed = self.webhook is not None
        self.webhook = None
        if params.get("drop_pending_updates") is True:
            self._queue = []
        return _Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        hook = self.webhook
        info: JSONDict = {
            "url": hook["url"] if hook else "",
            "has_custom_certificate": bool(hook and hook["has_custom_certificate"]),
            "pending_update_count": self._deliveries.qsize() if hook else len(self._queue),
        }
        if hook:
            info["max_connections"] = hook["max_connections"]
            if hook["allowed_updates"] is not None:
                info["allowed_updates"] = hook["allowed_updates"]
            if hook["ip_address"]:
                info["ip_address"] = hook["ip_address"]
        return info

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = validate_commands(params)
        self.commands[(scope_key(params), validate_language_code(params))] = commands
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        key = (scope_key(params), validate_language_code(params))
        return copy.deepcopy(self.commands.get(key, []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop((scope_key(params), validate_language_code(params)), None)
        return True

    def _set_my_description(
        self, params: JSONDict, field: str = "description", limit: int = 512
    ) -> bool:
        text = params.get(field, "")
        if not isinstance(text, str) or len(text) > limit:
            raise bad_request(f"{field} is too long", f"{field} over {limit} characters")
        self.descriptions[(field, validate_language_code(params))] = text
        return True

    def _set_my_short_description(self, params: JSONDict) -> bool:
        return self._set_my_description(params, "short_description", 120)

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        text, entities = check_message_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = params.get("reply_markup")
        if markup is not None:
            validate_reply_markup(markup)
        reply_id = params.get("reply_to_message_id")
        reply = params.get("reply_parameters")
        allow_missing = params.get("allow_sending_without_reply") is True
        if isinstance(reply, dict):
            reply_id = reply.get("message_id")
            allow_missing = allow_missing or reply.get("allow_sending_without_reply") is True
        elif reply is not None:
            raise bad_request(
                "can't parse reply parameters JSON object", f"reply_parameters {reply!r}"
            )
        replied = None
        if reply_id is not None:
            replied = (
                self._messages.get((int(chat["id"]), reply_id))
                if isinstance(reply_id, int)
                else None
            )
            if replied is None and not allow_missing:
                raise ApiError(400, "Bad Request: message to be replied not found")
        message = self._bot_message(chat, text, entities)
        if replied is not None:
            message["reply_to_message"] = _without_reply(replied)
        if markup is not None and "inline_keyboard" in markup:
            # Telegram echoes only inline keyboards in the returned Message.
            message["reply_markup"] = markup
        key = (int(chat["id"]), int(message["message_id"]))
        self._messages[key] = message
        self._bot_messages.add(key)
        return copy.deepcopy(message)

    def _edit_target(self, params: JSONDict) -> tuple[tuple[int, int], JSONDict] | None:
        """The stored bot message an edit is about; None for an inline message."""
        if params.get("inline_message_id") is not None:
            return None
        key, stored = self._stored_message(params)
        if not stored:
            raise ApiError(400, "Bad Request: message to edit not found")
        if key not in self._bot_messages:
            raise bad_request("message can't be edited", "editing a message the bot did not send")
        return key, stored

    def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        text, entities = check_message_text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = params.get("reply_markup")
        if markup is not None:
            validate_reply_markup(markup)
        target = self._edit_target(params)
        if target is None:
            return True
        key, stored = target
        # Editing without reply_markup removes the keyboard, as in Telegram.
        new_markup = markup if markup is not None and "inline_keyboard" in markup else None
        if (
            stored.get("text") == text
            and stored.get("entities", []) == entities
            and stored.get("reply_markup") == new_markup
        ):
            raise ApiError(400, f"Bad Request: {_NOT_MODIFIED}")
        return self._apply_edit(key, stored, text=text, entities=entities, markup=new_markup)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        markup = params.get("reply_markup")
        if markup is not None:
            validate_reply_markup(markup)
            if "inline_keyboard" not in markup:
                raise bad_request(
                    "inline keyboard expected", "editMessageReplyMarkup with a reply keyboard"
                )
        target = self._edit_target(params)
        if target is None:
            return True
        key, stored = target
        if stored.get("reply_markup") == markup:
            raise ApiError(400, f"Bad Request: {_NOT_MODIFIED}")
        return self._apply_edit(
            key, stored, text=stored.get("text"), entities=stored.get("entities", []), markup=markup
        )

    def _apply_edit(
        self,
        key: tuple[int, int],
        stored: JSONDict,
        *,
        text: Any,
        entities: list[JSONDict],
        markup: JSONDict | None,
    ) -> JSONDict:
        message = dict(stored)
        for field in ("entities", "reply_markup"):
            message.pop(field, None)
        message["text"] = text
        message["edit_date"] = int(time.time())
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[key] = message
        return copy.deepcopy(message)

    def _delete_message(self, params: JSONDict) -> bool:
        key, stored = self._stored_message(params)
        if not stored:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self._messages[key]
        self._bot_messages.discard(key)
        return True

    def _answer_query(self, known: dict[str, bool], query_id: Any, method: str) -> None:
        answered = known.get(str(query_id))
        if answered is None:
            raise ApiError(400, f"Bad Request: {_QUERY_EXPIRED}")
        if answered:
            raise ApiError(
                400,
                f"Bad Request: {_QUERY_EXPIRED}",
                violation=True,
                detail=f"{method} called twice for query {query_id}",
            )

    def _answer_callback_query(self, params: JSONDict) -> bool:
        text = params.get("text", "")
        if not isinstance(text, str):
            raise bad_request('field "text" must be of type String')
        check_encoding(text, "text")
        if utf16_len(text) > 200:
            raise bad_request(
                "MESSAGE_TOO_LONG", f"text is {utf16_len(text)} UTF-16 units (max 200)"
            )
        query_id = params.get("callback_query_id")
        self._answer_query(self._callback_queries, query_id, "answerCallbackQuery")
        self._callback_queries[str(query_id)] = True
        return True

    def _answer_inline_query(self, params: JSONDict) -> bool:
        validate_inline_answer(params)
        query_id = params.get("inline_query_id")
        self._answer_query(self._inline_queries, query_id, "answerInlineQuery")
        self._inline_queries[str(query_id)] = True
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request(
                "wrong parameter action in request", f"action {params.get('action')!r}"
            )
        return True

    def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        return dict(chat) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _member(self, chat_id: int, user_id: int) -> JSONDict:
        user = self._users.get(user_id) or (
            self.bot_user
            if user_id == BOT_ID
            else {"id": user_id, "is_bot": False, "first_name": "User"}
        )
        if (chat_id, user_id) not in self.admins:
            return {"status": "member", "user": dict(user)}
        rights = [
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_promote_members", "can_change_info",
            "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
            "can_pin_messages",
        ]  # fmt: skip
        return {
            "status": "administrator",
            "user": dict(user),
            "can_be_edited": False,
            "is_anonymous": False,
        } | dict.fromkeys(rights, True)

    def _get_chat_member(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request("user_id is empty", "getChatMember without a numeric user_id")
        return self._member(int(chat["id"]), user_id)

    def _get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        chat_id = int(self._chat(params)["id"])
        return [
            self._member(chat_id, user) for chat, user in sorted(self.admins) if chat == chat_id
        ]


@dataclass
class _Described:
    """A successful result that carries Telegram's optional "description" too."""

    result: Any
    description: str


def _without_reply(message: JSONDict) -> JSONDict:
    # Telegram nests reply_to_message only one level deep.
    replied = copy.deepcopy(message)
    replied.pop("reply_to_message", None)
    return replied
