"""Signed button data: what a callback button carries, bound to its chat, its message and the
bot's key.

Nothing here does I/O or imports telegram.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar, Self

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


def decode_payload(
    data: str | None, *, secret: bytes, chat_id: int, buttons: Collection[str]
) -> Payload | None:
    """The payload, or None when it is malformed, forged, signed for another chat, or not
    the data of one of `buttons`: the callback data of the message it was pressed on, as
    Telegram sends that message with the press. A modified client can send any data with a
    press on any message of the chat; only data the bot put on that very message is acted
    on, so one reply's buttons cannot be replayed onto another reply (or a daily excerpt).
    The message carries its own keyboard, so this needs no state: it holds after a restart
    and on any replica."""
    if not data or len(data.encode("utf-8", "replace")) > CALLBACK_LIMIT or data not in buttons:
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


# --- typed payloads, one per button action ---------------------------------------------------
#
# Each knows its action code and how its arguments are written. `parse` is as lenient as the
# handlers always were: what a handler answers in its own way (a passage key that no longer
# exists, a /toc button from another build) is left for it to check.

MAX_PAGE = 1000  # no search has more matches than this; larger page numbers are forged


def _small_number(text: str) -> int | None:
    """ASCII digits only (str.isdigit() also accepts "²", which int() refuses), < 6 of them."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def _page_number(args: tuple[str, ...], index: int) -> int | None:
    value = _small_number(args[index]) if len(args) > index else None
    return value if value is not None and value < MAX_PAGE else None


def _row_id(args: tuple[str, ...], index: int) -> int | None:
    """A database row id (a /toc button): ASCII digits, at most 12 of them."""
    if len(args) <= index:
        return None
    text = args[index]
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


@dataclass(frozen=True, slots=True)
class Callback:
    """A button's payload. `owner` is the user the reply belongs to; 0: anyone may press."""

    ACTION: ClassVar[str]
    owner: int

    def args(self) -> tuple[str, ...]:
        return ()

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> Self | None:
        return cls(owner)

    def encode(self, *, secret: bytes, chat_id: int) -> str:
        """Signed callback data; ValueError when it would not fit Telegram's 64 bytes."""
        return encode_payload(
            Payload(self.ACTION, self.args(), self.owner), secret=secret, chat_id=chat_id
        )


@dataclass(frozen=True, slots=True)
class Page(Callback):
    """◀ ▶ under a search reply: match `index` of the query. A short query rides along;
    without it, the query is read back from the message's Share button."""

    ACTION = "pg"
    index: int
    query: str | None = None

    def args(self) -> tuple[str, ...]:
        return (str(self.index),) if self.query is None else (str(self.index), self.query)

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> Page | None:
        index = _page_number(args, 0)
        if index is None:
            return None
        return cls(owner, index, args[1] if len(args) > 1 else None)


@dataclass(frozen=True, slots=True)
class Counter(Callback):
    """The "2/15" between ◀ and ▶: does nothing."""

    ACTION = "n"


@dataclass(frozen=True, slots=True)
class ShowContext(Callback):
    """Context: the passage between its neighbours. Back returns to match `page` of the
    search, or to the passage alone (with the dice again when it was a random one)."""

    ACTION = "cx"
    key: str
    page: int | None = None
    with_random: bool = False

    def args(self) -> tuple[str, ...]:
        origin = str(self.page) if self.page is not None else "r" if self.with_random else "-"
        return (self.key, origin)

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> ShowContext | None:
        origin = args[1] if len(args) > 1 else "-"
        return cls(owner, args[0] if args else "", _small_number(origin), origin == "r")


@dataclass(frozen=True, slots=True)
class ShowPassage(Callback):
    """Back from Context to a passage shown without a search."""

    ACTION = "ps"
    key: str
    with_random: bool = False

    def args(self) -> tuple[str, ...]:
        return (self.key, "r" if self.with_random else "-")

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> ShowPassage | None:
        return cls(owner, args[0] if args else "", args[1:2] == ("r",))


@dataclass(frozen=True, slots=True)
class Section(Callback):
    """Section: the whole section the passage is in, as messages."""

    ACTION = "sc"
    key: str

    def args(self) -> tuple[str, ...]:
        return (self.key,)

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> Section | None:
        return cls(owner, args[0] if args else "")


@dataclass(frozen=True, slots=True)
class Example(Callback):
    """An example query under /start: searched as if the reader had sent it."""

    ACTION = "ex"
    text: str | None

    def args(self) -> tuple[str, ...]:
        return () if self.text is None else (self.text,)

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> Example | None:
        return cls(owner, args[0] if args else None)


@dataclass(frozen=True, slots=True)
class Random(Callback):
    """🎲 another random passage."""

    ACTION = "rn"


@dataclass(frozen=True, slots=True)
class Sources(Callback):
    """◀ ▶ through /sources."""

    ACTION = "sr"
    page: int

    def args(self) -> tuple[str, ...]:
        return (str(self.page),)

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> Sources | None:
        page = _page_number(args, 0)
        return None if page is None else cls(owner, page)


@dataclass(frozen=True, slots=True)
class TocDocuments(Callback):
    """/toc: a page of documents, of those whose title holds `words` when there are some
    (`/toc 关键词`). `tag` names the build its ids belong to (see handlers)."""

    ACTION = "td"
    page: int | None
    tag: str
    words: str | None = None

    def args(self) -> tuple[str, ...]:
        return (str(self.page), self.tag, *((self.words,) if self.words else ()))

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> TocDocuments | None:
        # (page, tag) before filters existed, (page, tag, words) since.
        tag = args[1] if len(args) > 1 else ""
        return cls(owner, _page_number(args, 0), tag, args[2] if len(args) > 2 else None)


@dataclass(frozen=True, slots=True)
class TocDocument(Callback):
    """/toc: a page of one document's headings. `words` and `back`: the list it was picked
    from (its filter and page), which its "contents" button returns to."""

    ACTION = "tc"
    document_id: int | None
    page: int | None
    tag: str
    words: str | None = None
    back: int = 0

    def args(self) -> tuple[str, ...]:
        where = (self.words or "", str(self.back)) if self.words or self.back else ()
        return (str(self.document_id), str(self.page), self.tag, *where)

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> TocDocument | None:
        # (document, page, tag) before filters existed, (…, words, back) since.
        tag = args[2] if len(args) > 2 else ""
        words = (args[3] if len(args) > 3 else "") or None
        back = _page_number(args, 4) or 0
        return cls(owner, _row_id(args, 0), _page_number(args, 1), tag, words, back)


@dataclass(frozen=True, slots=True)
class TocSection(Callback):
    """/toc: the passage a heading starts with."""

    ACTION = "ts"
    passage_id: int | None
    tag: str

    def args(self) -> tuple[str, ...]:
        return (str(self.passage_id), self.tag)

    @classmethod
    def parse(cls, owner: int, args: tuple[str, ...]) -> TocSection | None:
        return cls(owner, _row_id(args, 0), args[-1] if args else "")


KINDS: dict[str, type[Callback]] = {
    kind.ACTION: kind
    for kind in (
        Page,
        Counter,
        ShowContext,
        ShowPassage,
        Section,
        Example,
        Random,
        Sources,
        TocDocuments,
        TocDocument,
        TocSection,
    )
}


def parse(payload: Payload) -> Callback | None:
    """The typed payload of a checked `Payload`; None for an unknown action or arguments
    that no button of ours carries."""
    kind = KINDS.get(payload.action)
    return kind.parse(payload.owner, payload.args) if kind is not None else None
