"""Signed button data: round trips, and bound to its chat and the bot's key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import CALLBACK_LIMIT, Payload, decode_payload, encode_payload

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
    assert decode_payload(data, secret=SECRET, chat_id=chat_id) == payload
    assert decode_payload(data, secret=SECRET, chat_id=chat_id + 1) is None
    assert decode_payload(data, secret=b"other", chat_id=chat_id) is None
    forged = data.replace(f"|{owner}|", f"|{owner + 1}|", 1)
    assert decode_payload(forged, secret=SECRET, chat_id=chat_id) is None
