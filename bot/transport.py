"""How the bot talks HTTP to the Bot API: PTB's `HTTPXRequest`, with two things checked at
the seam PTB documents for it (`BaseRequest.do_request`).

- A reply that is not a Bot API reply (an HTML page from a proxy, an empty body, `{}`) becomes
  one `NotAnApiReply` (a `NetworkError`) with a short description: no traceback from PTB's
  JSON parser, no `KeyError: 'result'`.
- An update that this version of PTB cannot read (Telegram added a field PTB 22.8 requires,
  or left out one it expects) would make `getUpdates` fail as a whole, and PTB would ask for
  the same batch again and again (tens of calls a second, a traceback each, nothing behind it
  handled). It is replaced by a bare `{"update_id": N}`: the offset moves past it, the
  handlers see an update with nothing in it and ignore it, and it is logged once, with its id.

Nothing here knows the token: the logging filter (`bot.logs`) and the CLI redact it.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)

_SHOWN = 120  # characters of an unexpected reply worth showing in one line


class NotAnApiReply(NetworkError):
    """The server answered, but not with a Bot API reply (JSON with "ok" and "result")."""


_TAG = re.compile(r"<[^>]*>")
# Anything shaped like a bot token, in any case, plain or URL-encoded: a page that quotes the
# request URL is cut short below, and half a token would slip past the redactor.
_TOKEN_SHAPE = re.compile(r"\d{3,20}(?::|%3A)[A-Za-z0-9_-]{20,}", re.IGNORECASE)


def _excerpt(payload: bytes) -> str:
    """What an unexpected reply said, as one short line: tags out, tokens out."""
    text = _TAG.sub(" ", payload.decode("utf-8", "replace"))
    text = " ".join(_TOKEN_SHAPE.sub("<token>", text).split())
    return text[:_SHOWN] + ("…" if len(text) > _SHOWN else "") if text else "an empty body"


def readable_updates(updates: list[Any]) -> list[Any]:
    """`updates` with each one PTB cannot parse replaced by `{"update_id": N}` (logged)."""
    readable: list[Any] = []
    for update in updates:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            readable.append(update)  # without an id nothing can skip it; PTB reports it
            continue
        try:
            Update.de_json(copy.deepcopy(update), None)
        except Exception as exc:  # whatever PTB raises for a shape it does not expect
            kinds = sorted(key for key in update if key != "update_id")
            log.warning(
                "skipped update %d (%s): this version of python-telegram-bot cannot read it "
                "(%s: %s)",
                update_id,
                ", ".join(kinds) or "empty",
                type(exc).__name__,
                str(exc)[:200],
            )
            readable.append({"update_id": update_id})
            continue
        readable.append(update)
    return readable


class ApiRequest(HTTPXRequest):
    """`HTTPXRequest` that checks what the Bot API answered (see the module's docstring)."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url,
            method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if method != "POST":
            return code, payload  # a file download
        try:
            reply = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            reply = None
        if not 200 <= code <= 299:
            if not isinstance(reply, dict):
                # PTB would put the whole page (often the URL, token and all) into the
                # exception's text; a line describing it makes the same exception class.
                described = {"ok": False, "description": f"HTTP {code}: {_excerpt(payload)}"}
                payload = json.dumps(described, ensure_ascii=False).encode()
            return code, payload
        if not isinstance(reply, dict) or "result" not in reply:
            raise NotAnApiReply(
                f"the Bot API server answered {code} with {_excerpt(payload)!r}, "
                "not a Bot API reply (a proxy, or a wrong TELEGRAM_API_BASE_URL?)"
            )
        if url.endswith("/getUpdates") and isinstance(reply["result"], list):
            readable = readable_updates(reply["result"])
            if readable != reply["result"]:
                reply["result"] = readable
                payload = json.dumps(reply, ensure_ascii=False).encode("utf-8", "surrogatepass")
        return code, payload
