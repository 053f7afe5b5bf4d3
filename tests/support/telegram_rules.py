"""Telegram's rules, as the fake Bot API server checks every request against them.

Decoding parameters the way Telegram reads PTB's form-encoded requests, parsing HTML into
entities (and the limits: 4,096 UTF-16 units, 64-byte callback data, 50 inline results,
button and command shapes). Each check raises `ApiError` with Telegram's own description.
`tests/support/fake_bot_api.py` is the server that applies them.

Where these rules are deliberately stricter than Telegram (each is marked "stricter" below): a
bare ``>``, an unknown ``&name;``, a ``&`` without ``;``, an unknown tag attribute, ``<a>``
without ``href`` and nested entities inside ``code``/``pre`` are errors here, because
Telegram silently renders them in a way the bot did not intend.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from telegram import Bot, Update

JSONDict = dict[str, Any]

# Every Bot API method name, taken from PTB's camelCase aliases so the list follows the
# installed PTB version. A real-but-unimplemented method is answered with True and a
# violation; a name that is not in this list is a 404, like on api.telegram.org.
API_METHODS: Final[dict[str, str]] = {
    name.lower(): name
    for name in dir(Bot)
    if name[:1].islower() and any(ch.isupper() for ch in name) and callable(getattr(Bot, name))
}
UPDATE_TYPES: Final[frozenset[str]] = frozenset(str(kind) for kind in Update.ALL_TYPES)
# Telegram only sends these when they are listed explicitly in allowed_updates.
OPT_IN_UPDATE_TYPES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)

# ---------------------------------------------------------------------------------------------
# Parameter decoding
# ---------------------------------------------------------------------------------------------
# PTB 22 (telegram/request/_requestparameter.py, RequestParameter.json_value) sends str values
# as they are and json.dumps() everything else, then httpx form-encodes the lot (multipart when
# a file is attached). So on the wire "text=123" and "chat_id=123" look the same: only the field
# name tells what the value is. These tables say which fields Telegram parses as JSON, integers
# or booleans; every other field stays a string (a message text "true" must stay "true").
# fmt: off
JSON_FIELDS: Final = frozenset({
    "reply_markup", "results", "commands", "scope", "entities", "caption_entities",
    "link_preview_options", "reply_parameters", "allowed_updates", "button", "media", "options",
    "explanation_entities", "question_entities", "prices", "shipping_options", "permissions",
    "menu_button", "rights", "reaction", "message_ids", "custom_emoji_ids", "emoji_list",
    "keywords", "mask_position", "stickers", "suggested_post_parameters", "checklist", "errors",
})
# fmt: on
# fmt: off
INT_FIELDS: Final = frozenset({
    "chat_id", "from_chat_id", "message_id", "message_thread_id", "reply_to_message_id", "offset",
    "limit", "timeout", "cache_time", "max_connections", "user_id", "until_date", "duration",
    "width", "height", "length", "sender_chat_id", "direct_messages_topic_id", "open_period",
    "close_date", "correct_option_id", "live_period", "heading", "proximity_alert_radius",
    "expire_date", "member_limit",
})
# fmt: on
FLOAT_FIELDS: Final = frozenset({"latitude", "longitude", "horizontal_accuracy"})
# fmt: off
BOOL_FIELDS: Final = frozenset({
    "disable_notification", "protect_content", "allow_sending_without_reply",
    "disable_web_page_preview", "is_personal", "show_alert", "drop_pending_updates",
    "revoke_messages", "only_if_banned", "allow_paid_broadcast", "has_spoiler",
    "show_caption_above_media", "supports_streaming", "disable_content_type_detection",
    "is_anonymous", "allows_multiple_answers", "is_closed", "for_channels", "is_big",
})
# fmt: on
_INT_RE: Final = re.compile(r"[+-]?\d+")


class ApiError(Exception):
    """One Bot API error answer. ``violation`` marks a broken rule (a bug in the bot), as
    opposed to a state error such as "message to edit not found" that a correct bot can meet."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        violation: bool = False,
        detail: str | None = None,
        parameters: JSONDict | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.violation = violation
        # The human-readable reason for `violations`; Telegram's descriptions are often terse.
        self.detail = detail or description
        self.parameters = parameters


def bad_request(description: str, detail: str | None = None) -> ApiError:
    """A 400 for a broken rule; ``description`` without the "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}", violation=True, detail=detail)


def _coerce(name: str, value: Any) -> Any:
    """Turn one wire value into what Telegram would parse it as (see the tables above)."""
    if name in JSON_FIELDS:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(
                    f"can't parse {name} JSON object", f"{name} is not valid JSON: {value[:80]!r}"
                ) from exc
        return value
    if isinstance(value, str):
        if name in INT_FIELDS and _INT_RE.fullmatch(value.strip()):
            return int(value)
        if name == "timeout":
            # Accepted as a float so tests can long-poll for half a second (PTB sends a
            # fractional timedelta as e.g. "0.5").
            with contextlib.suppress(ValueError):
                return float(value)
        if name in FLOAT_FIELDS:
            with contextlib.suppress(ValueError):
                return float(value)
        if name in BOOL_FIELDS and value in ("true", "false"):
            return value == "true"
    return value


def decode_params(raw: dict[str, Any]) -> JSONDict:
    return {name: _coerce(name, value) for name, value in raw.items()}


# ---------------------------------------------------------------------------------------------
# Text: UTF-16 lengths, Telegram HTML, trimming
# ---------------------------------------------------------------------------------------------
MAX_TEXT_UTF16: Final = 4096


def utf16_len(text: str) -> int:
    """Telegram measures text and entity offsets in UTF-16 code units (an emoji outside the
    BMP counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class HtmlError(ValueError):
    """A parse error, worded like Telegram's "can't parse entities: ..." tail."""


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the visible text
    byte_offset: int
    attrs: dict[str, str | None]
    order: int
    language: str | None = None  # set on <pre> by an inner <code class="language-...">


_TAG_ENTITY: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_TAG_ATTRS: Final[dict[str, frozenset[str]]] = {
    "a": frozenset({"href"}),
    "span": frozenset({"class"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
}
_LINK_SCHEMES: Final = frozenset({"http", "https", "tg", "mailto"})
_ENTITY_RE: Final = re.compile(r"&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]*));")
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RUN: Final = re.compile(r"[^&<>]+")
_UNQUOTED_VALUE: Final = re.compile(r"[A-Za-z0-9.\-]+")


def _byte_offset(source: str, index: int) -> int:
    # Telegram reports positions as UTF-8 byte offsets.
    return len(source[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(source: str, index: int) -> tuple[str, int]:
    """Decode the character reference at ``source[index] == "&"``; returns (text, next index).

    Stricter than Telegram: Telegram leaves an unknown ``&name;`` or a lone ``&`` as literal
    text and also accepts ``&amp`` without ``;``; the Bot API docs say every ``&`` that does not
    start an entity must be escaped, and leaving one in means the bot forgot to escape."""
    match = _ENTITY_RE.match(source, index)
    where = _byte_offset(source, index)
    if match is None:
        raise HtmlError(f'Unescaped "&" at byte offset {where}: write &amp;')
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise HtmlError(
                f'Unsupported HTML entity "&{name};" at byte offset {where}: only &lt; &gt; '
                "&amp; &quot; and numeric entities are supported"
            )
        return _NAMED_ENTITIES[name], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HtmlError(f"Invalid numeric HTML entity {match.group(0)} at byte offset {where}")
    return chr(code), match.end()


def _unescape_attribute(source: str, start: int, end: int) -> str:
    """An attribute value with its entities decoded; a bare & < > in it is an error (stricter
    than Telegram, but html.escape(url, quote=True) never produces one)."""
    out: list[str] = []
    index = start
    while index < end:
        char = source[index]
        if char == "&":
            text, index = _decode_entity(source, index)
            out.append(text)
        elif char in "<>":
            raise HtmlError(
                f'Unescaped "{char}" in an attribute value at byte offset '
                f"{_byte_offset(source, index)}"
            )
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _read_start_tag(source: str, begin: int) -> tuple[str, dict[str, str | None], int]:
    """Parse ``<name attr="value" ...>`` at ``begin``; returns (name, attrs, next index).
    Mirrors tdlib's parse_html: the name runs to the first space or ">"."""
    length = len(source)
    where = _byte_offset(source, begin)
    index = begin + 1
    while index < length and not source[index].isspace() and source[index] != ">":
        index += 1
    name = source[begin + 1 : index].lower()
    if name not in _TAG_ENTITY:
        # Also what a bare "<" (as in "1 < 2") turns into: an unsupported tag.
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {where}')
    attrs: dict[str, str | None] = {}
    while True:
        while index < length and source[index].isspace():
            index += 1
        if index >= length:
            raise HtmlError(f"Unclosed start tag at byte offset {where}")
        if source[index] == ">":
            return name, attrs, index + 1
        attr_start = index
        while index < length and not source[index].isspace() and source[index] not in "=>":
            index += 1
        attr = source[attr_start:index].lower()
        if not attr:
            raise HtmlError(f'Empty attribute name in the tag "{name}" at byte offset {where}')
        while index < length and source[index].isspace():
            index += 1
        value: str | None = None
        if index < length and source[index] == "=":
            index += 1
            while index < length and source[index].isspace():
                index += 1
            if index >= length:
                raise HtmlError(f"Unclosed start tag at byte offset {where}")
            quote = source[index]
            if quote in "\"'":
                close = source.find(quote, index + 1)
                if close < 0:
                    raise HtmlError(f"Unclosed end of attribute value at byte offset {where}")
                value = _unescape_attribute(source, index + 1, close)
                index = close + 1
            else:
                match = _UNQUOTED_VALUE.match(source, index)
                if match is None:
                    raise HtmlError(
                        f'Expected quote in a declaration of attribute "{attr}" of the tag '
                        f'"{name}" at byte offset {where}'
                    )
                value = match.group(0)
                index = match.end()
        if attr in attrs:
            raise HtmlError(
                f'Duplicate attribute "{attr}" in the tag "{name}" at byte offset {where}'
            )
        attrs[attr] = value


def _check_start_tag(
    name: str, attrs: dict[str, str | None], stack: list[_OpenTag], where: int
) -> None:
    allowed = _TAG_ATTRS.get(name, frozenset())
    for attr, value in attrs.items():
        if attr not in allowed:
            # Stricter: Telegram ignores unknown attributes, which hides typos like <a hre=...>.
            raise HtmlError(
                f'Unsupported attribute "{attr}" in the tag "{name}" at byte offset {where}'
            )
        if value is None and not (name == "blockquote" and attr == "expandable"):
            raise HtmlError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {where}"
            )
    if name == "blockquote" and attrs.get("expandable") is not None:
        raise HtmlError(f'Attribute "expandable" takes no value, at byte offset {where}')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
    if name == "a":
        href = attrs.get("href")
        if not href:
            # Stricter: Telegram drops the link silently.
            raise HtmlError(f'Tag "a" must have a non-empty "href" at byte offset {where}')
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if scheme not in _LINK_SCHEMES or (scheme in ("http", "https") and not parts.netloc):
            raise HtmlError(f'Unsupported URL "{href}" in the tag "a" at byte offset {where}')
    if name == "tg-emoji" and not (attrs.get("emoji-id") or "").isdigit():
        raise HtmlError(f'Tag "tg-emoji" must have a numeric "emoji-id" at byte offset {where}')
    parent = stack[-1].name if stack else None
    if name == "code" and "class" in attrs:
        language = attrs["class"] or ""
        if parent != "pre" or not language.startswith("language-") or language == "language-":
            raise HtmlError(
                f'Only <code class="language-..."> directly inside <pre> may have a class, '
                f"at byte offset {where}"
            )
    # Nothing nests inside code/pre, except one <code> right inside <pre> (its language).
    # Stricter: Telegram drops such inner entities instead of failing.
    for open_tag in stack:
        if open_tag.name == "code" or (
            open_tag.name == "pre" and not (name == "code" and open_tag is stack[-1])
        ):
            raise HtmlError(
                f'Entities can\'t be nested inside "{open_tag.name}": found <{name}> at byte '
                f"offset {where}"
            )
        if name == "blockquote" and open_tag.name == "blockquote":
            raise HtmlError(f"Blockquotes can't be nested, at byte offset {where}")
        if name == "a" and open_tag.name == "a":
            raise HtmlError(f"Links can't be nested, at byte offset {where}")


def _make_entity(tag: _OpenTag, length: int) -> JSONDict:
    kind = _TAG_ENTITY[tag.name]
    entity: JSONDict = {"type": kind, "offset": tag.start, "length": length}
    if kind == "text_link":
        entity["url"] = tag.attrs["href"]
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def parse_html(source: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML (https://core.telegram.org/bots/api#html-style) into the visible text
    and its entities (UTF-16 offsets, outer entity first), or raise HtmlError."""
    parts: list[str] = []
    position = 0  # UTF-16 units emitted so far
    stack: list[_OpenTag] = []
    found: list[tuple[int, int, int, JSONDict]] = []
    order = itertools.count()
    index = 0
    length = len(source)

    def emit(text: str) -> None:
        nonlocal position
        parts.append(text)
        position += utf16_len(text)

    while index < length:
        char = source[index]
        if char == "&":
            text, index = _decode_entity(source, index)
            emit(text)
        elif char == ">":
            # Stricter: Telegram shows a bare ">" as is; we want every one escaped.
            raise HtmlError(
                f'Unescaped ">" at byte offset {_byte_offset(source, index)}: write &gt;'
            )
        elif char == "<" and source.startswith("</", index):
            where = _byte_offset(source, index)
            close = source.find(">", index)
            if close < 0:
                raise HtmlError(f"Unclosed end tag at byte offset {where}")
            name = source[index + 2 : close].strip().lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {where}")
            tag = stack.pop()
            if tag.name != name:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {where}, expected "</{tag.name}>", '
                    f'found "</{name}>"'
                )
            entity_length = position - tag.start
            if tag.name == "code" and stack and stack[-1].name == "pre":
                # <pre><code class="language-x"> is one "pre" entity with a language.
                language = tag.attrs.get("class")
                if language:
                    stack[-1].language = language.removeprefix("language-")
            elif entity_length > 0:  # Telegram drops empty entities
                found.append(
                    (tag.start, -entity_length, tag.order, _make_entity(tag, entity_length))
                )
            index = close + 1
        elif char == "<":
            where = _byte_offset(source, index)
            name, attrs, index = _read_start_tag(source, index)
            _check_start_tag(name, attrs, stack, where)
            stack.append(_OpenTag(name, position, where, attrs, next(order)))
        else:
            match = _PLAIN_RUN.match(source, index)
            assert match is not None
            emit(match.group(0))
            index = match.end()
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    found.sort(key=lambda item: item[:3])
    return "".join(parts), [entity for *_, entity in found]


_TRIM_CHARS: Final = " \t\r\n\v\f"


def trim_text(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Approximates Telegram's trimming of a sent text: trailing whitespace goes, leading blank
    lines go (indentation of the first non-blank line stays); entities are clipped to what is
    left and dropped when empty."""
    end = len(text.rstrip(_TRIM_CHARS))
    leading = len(text) - len(text.lstrip(_TRIM_CHARS))
    start = text.rfind("\n", 0, leading) + 1
    if end <= start:
        return "", []
    kept = text[start:end]
    shift, limit = utf16_len(text[:start]), utf16_len(kept)
    clipped: list[JSONDict] = []
    for entity in entities:
        first = max(int(entity["offset"]) - shift, 0)
        last = min(int(entity["offset"]) + int(entity["length"]) - shift, limit)
        if last > first:
            clipped.append({**entity, "offset": first, "length": last - first})
    return kept, clipped


def check_encoding(text: str, field: str) -> None:
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        raise bad_request(f"{field} must be encoded in UTF-8", f"{field} contains a lone surrogate")
    if "\x00" in text:
        raise bad_request(f"{field} must not contain NUL characters", f"{field} contains NUL")


def check_message_text(
    text: Any,
    parse_mode: Any = None,
    entities: Any = None,
    *,
    field: str = "text",
    max_length: int = MAX_TEXT_UTF16,
) -> tuple[str, list[JSONDict]]:
    """Validate a message text like sendMessage does; returns (visible text, entities) as
    Telegram would store them, or raises ApiError (a violation)."""
    if text is None or text == "":
        raise bad_request("message text is empty", f"{field} is missing or empty")
    if not isinstance(text, str):
        raise bad_request(f'field "{field}" must be of type String')
    check_encoding(text, field)
    mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
    if entities is not None:
        # Explicit entities win over parse_mode, as in Telegram.
        visible, parsed = text, _check_entities(entities, text, field)
    elif mode == "html":
        try:
            visible, parsed = parse_html(text)
        except HtmlError as exc:
            raise bad_request(f"can't parse entities: {exc}", f"{field}: {exc}") from exc
    elif mode == "":
        visible, parsed = text, []
    else:
        # Deviation: MarkdownV2/Markdown are real parse modes, but this bot uses HTML only and
        # the fake does not implement their rules; fail loudly rather than pass them unchecked.
        raise bad_request(
            f"unsupported parse_mode {parse_mode!r}",
            f"parse_mode {parse_mode!r} is not checked by the fake (use HTML)",
        )
    visible, parsed = trim_text(visible, parsed)
    if not visible or visible.isspace():
        raise bad_request("message text is empty", f"{field} is empty after entity parsing")
    units = utf16_len(visible)
    if units > max_length:
        raise bad_request(
            "message is too long", f"{field} is {units} UTF-16 units (max {max_length})"
        )
    return visible, parsed


def _check_entities(entities: Any, text: str, field: str) -> list[JSONDict]:
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise bad_request("can't parse entities JSON object", f"{field} entities is not a list")
    total = utf16_len(text)
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if not (
            isinstance(offset, int)
            and isinstance(length, int)
            and isinstance(entity.get("type"), str)
        ):
            raise bad_request("can't parse MessageEntity", f"{field} entity malformed: {entity}")
        if offset < 0 or length <= 0 or offset + length > total:
            raise bad_request(
                "entity is out of text bounds", f"{field} entity {entity} outside text"
            )
    return [dict(entity) for entity in entities]


# ---------------------------------------------------------------------------------------------
# Keyboards, inline results, commands
# ---------------------------------------------------------------------------------------------
BUTTON_KINDS: Final = (
    "url",
    "callback_data",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "callback_game",
    "pay",
    "copy_text",
)
MAX_INLINE_BUTTONS: Final = 100
MAX_CALLBACK_DATA_BYTES: Final = 64


def _check_button_url(url: Any, where: str) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    scheme = parts.scheme.lower() if parts else ""
    if (
        parts is None
        or scheme not in ("http", "https", "tg")
        or (scheme != "tg" and not parts.netloc)
    ):
        raise bad_request(
            f"inline keyboard button URL {url!r} is invalid: Wrong HTTP URL", f"{where}: bad url"
        )


def validate_reply_markup(markup: Any) -> None:
    """Raise ApiError (a violation) when ``markup`` breaks Telegram's keyboard rules."""
    if not isinstance(markup, dict):
        raise bad_request(
            "can't parse reply keyboard markup JSON object", "reply_markup is not an object"
        )
    if "inline_keyboard" not in markup:
        if not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request(
                "can't parse reply keyboard markup JSON object", f"unknown markup {markup}"
            )
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard: field "inline_keyboard" must be an Array of Arrays'
        )
    count = 0
    for row_index, row in enumerate(rows):
        if not row:
            raise bad_request(
                "inline keyboard row is empty", f"inline_keyboard[{row_index}] is empty"
            )
        for column, button in enumerate(row):
            count += 1
            _check_inline_button(button, f"inline_keyboard[{row_index}][{column}]")
    if count > MAX_INLINE_BUTTONS:
        raise bad_request(
            "reply markup is too long", f"{count} inline buttons (max {MAX_INLINE_BUTTONS})"
        )


def _check_inline_button(button: Any, where: str) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: must be an Object", where)
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("can't parse inline keyboard button: text is empty", f"{where}: no text")
    kinds = [kind for kind in BUTTON_KINDS if kind in button]
    if not kinds:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
            f"{where}: no action field",
        )
    if len(kinds) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used",
            f"{where}: has {', '.join(kinds)}",
        )
    kind = kinds[0]
    value = button[kind]
    if kind == "callback_data":
        size = len(value.encode("utf-8", "surrogatepass")) if isinstance(value, str) else -1
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request(
                "BUTTON_DATA_INVALID",
                f"{where}: callback_data is {size} bytes (1..{MAX_CALLBACK_DATA_BYTES})",
            )
    elif kind == "url":
        _check_button_url(value, where)
    elif kind in ("switch_inline_query", "switch_inline_query_current_chat"):
        if not isinstance(value, str):
            raise bad_request(f"can't parse inline keyboard button: {kind} must be a String", where)
    elif kind == "copy_text":
        copied = value.get("text") if isinstance(value, dict) else None
        if not isinstance(copied, str) or not 1 <= len(copied) <= 256:
            raise bad_request("can't parse inline keyboard button: bad copy_text", where)
    elif kind in ("login_url", "web_app"):
        if not isinstance(value, dict):
            raise bad_request(
                f"can't parse inline keyboard button: {kind} must be an Object", where
            )
        _check_button_url(value.get("url"), where)


INLINE_RESULT_TYPES: Final = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)
MAX_INLINE_RESULTS: Final = 50
_START_PARAMETER: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


def validate_inline_answer(params: JSONDict) -> None:
    """The rules of answerInlineQuery (everything but the query id)."""
    results = params.get("results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object", "results is not a list")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH", f"{len(results)} results (max {MAX_INLINE_RESULTS})")
    seen: set[str] = set()
    for number, result in enumerate(results):
        where = f"results[{number}]"
        if not isinstance(result, dict):
            raise bad_request("can't parse InlineQueryResult JSON object", where)
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise bad_request("RESULT_ID_INVALID", f"{where}: id {result_id!r} must be 1-64 bytes")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE", f"{where}: id {result_id!r} repeats")
        seen.add(result_id)
        kind = result.get("type")
        if kind not in INLINE_RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID", f"{where}: unknown type {kind!r}")
        if kind == "article":
            title = result.get("title")
            if not isinstance(title, str) or not title.strip():
                raise bad_request("can't parse InlineQueryResultArticle: title is empty", where)
            if "input_message_content" not in result:
                raise bad_request(
                    "can't parse InlineQueryResultArticle: input_message_content is missing",
                    where,
                )
        content = result.get("input_message_content")
        if content is not None:
            if not isinstance(content, dict):
                raise bad_request("can't parse InputMessageContent JSON object", where)
            if "message_text" in content:
                check_message_text(
                    content.get("message_text"),
                    content.get("parse_mode"),
                    content.get("entities"),
                    field=f"{where}.input_message_content.message_text",
                )
        if "reply_markup" in result:
            markup = result["reply_markup"]
            if not isinstance(markup, dict) or "inline_keyboard" not in markup:
                raise bad_request("inline query results accept only inline keyboards", where)
            validate_reply_markup(markup)
    next_offset = params.get("next_offset", "")
    if not isinstance(next_offset, str) or len(next_offset.encode("utf-8")) > 64:
        raise bad_request("NEXT_OFFSET_INVALID", f"next_offset {next_offset!r} over 64 bytes")
    cache_time = params.get("cache_time", 0)
    if not isinstance(cache_time, int) or isinstance(cache_time, bool) or cache_time < 0:
        raise bad_request("can't parse cache_time", f"cache_time {cache_time!r} is not an int >= 0")
    if "button" in params:
        _check_inline_query_button(params["button"])


def _check_inline_query_button(button: Any) -> None:
    if (
        not isinstance(button, dict)
        or not isinstance(button.get("text"), str)
        or not button["text"]
    ):
        raise bad_request(
            "can't parse InlineQueryResultsButton: text is empty", f"button {button!r}"
        )
    has_start = "start_parameter" in button
    if has_start == ("web_app" in button):
        raise bad_request(
            "can't parse InlineQueryResultsButton: exactly one of start_parameter and web_app",
            f"button {button!r}",
        )
    if has_start and not _START_PARAMETER.fullmatch(str(button["start_parameter"])):
        raise bad_request(
            "START_PARAM_INVALID",
            f"start_parameter {button['start_parameter']!r} (1-64 of A-Za-z0-9_-)",
        )


_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE: Final = re.compile(r"[a-z]{2}")
COMMAND_SCOPES: Final = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


def validate_language_code(params: JSONDict) -> str:
    code = params.get("language_code", "")
    if not isinstance(code, str) or (code and not _LANGUAGE_RE.fullmatch(code)):
        raise bad_request("LANG_CODE_INVALID", f"language_code {code!r} is not empty or 2 letters")
    return code


def scope_key(params: JSONDict) -> str:
    """Canonical JSON of the command scope (default scope when absent)."""
    scope = params.get("scope", {"type": "default"})
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("can't parse BotCommandScope", f"scope {scope!r}")
    for needed in COMMAND_SCOPES[scope["type"]]:
        if needed not in scope:
            raise bad_request(
                f"can't parse BotCommandScope: {needed} is missing", f"scope {scope!r}"
            )
    return json.dumps(scope, sort_keys=True)


def validate_commands(params: JSONDict) -> list[JSONDict]:
    commands = params.get("commands")
    if not isinstance(commands, list) or not 1 <= len(commands) <= 100:
        size = len(commands) if isinstance(commands, list) else commands
        raise bad_request(
            "BOT_COMMANDS_TOO_MUCH", f"commands must be a list of 1..100, got {size!r}"
        )
    names: set[str] = set()
    for number, command in enumerate(commands):
        where = f"commands[{number}]"
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object", where)
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID", f"{where}: command {name!r} (1-32 of a-z0-9_)")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request(
                "BOT_COMMAND_DESCRIPTION_INVALID", f"{where}: description must be 1-256 characters"
            )
        if name in names:
            raise bad_request("BOT_COMMAND_DUPLICATE", f"{where}: command {name!r} repeats")
        names.add(name)
    return [{"command": c["command"], "description": c["description"]} for c in commands]


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
