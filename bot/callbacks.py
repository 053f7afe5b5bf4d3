"""Signed button data: what a callback button carries, bound to its chat and the bot's key.

Nothing here does I/O or imports telegram.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

CALLBACK_LIMIT = 64  # bytes of callback_data


@dataclass(frozen=True, slots=True)
class Payload:
    """What a callback button carries: an action, its arguments, and who may press it."""

    action: str
    args: tuple[str, ...]
    owner: int  # the user the reply belongs to; 0 = anyone


_SIGNATURE_CHARS = 6  # 36 bits of HMAC: forging by guessing takes ~7e10 tries


def _signature(secret: bytes, chat_id: int, body: str) -> str:
    mac = hmac.new(secret, f"{chat_id}|{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii")[:_SIGNATURE_CHARS]


def encode_payload(payload: Payload, *, secret: bytes, chat_id: int) -> str:
    """`action|owner|args…|signature`. The signature binds it to the chat and the bot's key,
    so a modified client cannot page someone else's reply by editing the owner field. No
    state is kept on the server: any replica, after any restart, can act on it."""
    fields = [payload.action, str(payload.owner), *payload.args]
    if any("|" in f for f in fields):
        raise ValueError("payload fields cannot contain '|'")
    body = "|".join(fields)
    data = f"{body}|{_signature(secret, chat_id, body)}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def decode_payload(data: str | None, *, secret: bytes, chat_id: int) -> Payload | None:
    """The payload, or None when it is malformed, forged, or signed for another chat."""
    if not data or len(data.encode("utf-8", "replace")) > CALLBACK_LIMIT:
        return None
    body, _, signature = data.rpartition("|")
    expected = _signature(secret, chat_id, body).encode()
    # Bytes, not str: compare_digest refuses non-ASCII str, and forged data may be anything.
    if not body or not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
        return None
    action, _, rest = body.partition("|")
    owner_text, _, args_text = rest.partition("|")
    if not owner_text.isdigit():
        return None
    return Payload(action, tuple(args_text.split("|")) if args_text else (), int(owner_text))
