"""Signed button data: round trips, and bound to its chat and the bot's key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks
from bot.callbacks import CALLBACK_LIMIT, Payload, decode_payload, encode_payload
from bot.handlers.buttons import ACTIONS

SECRET = b"k" * 32


@given(
    st.sampled_from(["pg", "cx", "sc", "ex"]),
    st.lists(st.text(st.characters(exclude_characters="|"), min_size=1, max_size=8), max_size=2),
    st.integers(0, 10**13),
    st.integers(-(10**13), 10**13),
)
def test_payloads_round_trip_and_are_bound_to_their_chat(
    action: str, args: list[str], owner: int, chat_id: int
) -> None:
    payload = Payload(action, tuple(args), owner)
    try:
        data = encode_payload(payload, secret=SECRET, chat_id=chat_id)
    except ValueError:
        return  # over 64 bytes: refused when building the button, never sent
    assert len(data.encode()) <= CALLBACK_LIMIT
    on = [data]  # the message it is pressed on carries it
    assert decode_payload(data, secret=SECRET, chat_id=chat_id, buttons=on) == payload
    assert decode_payload(data, secret=SECRET, chat_id=chat_id + 1, buttons=on) is None
    assert decode_payload(data, secret=b"other", chat_id=chat_id, buttons=on) is None
    forged = data.replace(f"|{owner}|", f"|{owner + 1}|", 1)
    assert decode_payload(forged, secret=SECRET, chat_id=chat_id, buttons=[forged]) is None
    # Signed for this chat, but pressed on a message that does not carry it: replayed.
    assert decode_payload(data, secret=SECRET, chat_id=chat_id, buttons=[]) is None


EXAMPLES = [
    callbacks.Page(7, 3, "托派"),
    callbacks.Page(7, 12),
    callbacks.Counter(7),
    callbacks.ShowContext(7, "abcdefghijklm", 4),
    callbacks.ShowContext(7, "abcdefghijklm", with_random=True),
    callbacks.ShowPassage(7, "abcdefghijklm", with_random=True),
    callbacks.Section(7, "abcdefghijklm"),
    callbacks.Example(7, "理论再正确"),
    callbacks.Random(7),
    callbacks.Sources(0, 2),
    callbacks.TocDocuments(7, 1, "a1b2c3"),
    callbacks.TocDocuments(7, 1, "a1b2c3", "毛泽东 选集"),
    callbacks.TocDocument(7, 42, 0, "a1b2c3"),
    callbacks.TocDocument(7, 42, 0, "a1b2c3", "托派", 12),
    callbacks.TocDocument(7, 42, 0, "a1b2c3", back=12),
    callbacks.TocSection(7, 420, "a1b2c3"),
]


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda p: type(p).__name__)
def test_every_button_payload_round_trips_and_has_an_action(payload: callbacks.Callback) -> None:
    data = payload.encode(secret=SECRET, chat_id=-100)
    checked = decode_payload(data, secret=SECRET, chat_id=-100, buttons=[data])
    assert checked is not None and callbacks.parse(checked) == payload
    assert type(payload) in ACTIONS  # a button the bot makes is one it can act on


def test_the_wire_form_is_the_one_buttons_already_sent_carry() -> None:
    """Buttons sent before typed payloads existed must keep working."""
    old = encode_payload(Payload("pg", ("3", "托派"), 1001), secret=SECRET, chat_id=5)
    assert callbacks.Page(1001, 3, "托派").encode(secret=SECRET, chat_id=5) == old
    old_context = encode_payload(Payload("cx", ("abcdefghijklm", "r"), 9), secret=SECRET, chat_id=5)
    new_context = callbacks.ShowContext(9, "abcdefghijklm", with_random=True)
    assert new_context.encode(secret=SECRET, chat_id=5) == old_context
    # /toc buttons from before the filter: (page, tag) and (document, page, tag).
    old_toc = encode_payload(Payload("td", ("3", "a1b2c3"), 9), secret=SECRET, chat_id=5)
    assert callbacks.TocDocuments(9, 3, "a1b2c3").encode(secret=SECRET, chat_id=5) == old_toc
    old_doc = encode_payload(Payload("tc", ("42", "1", "a1b2c3"), 9), secret=SECRET, chat_id=5)
    assert callbacks.TocDocument(9, 42, 1, "a1b2c3").encode(secret=SECRET, chat_id=5) == old_doc
    assert set(callbacks.KINDS) == {"pg", "n", "cx", "ps", "sc", "ex", "rn", "sr", "td", "tc", "ts"}
