"""What a reader sees in bold is what they typed: the offset map (`normalize_with_offsets`,
`original_span`) takes a span of normalized text back to the original exactly, over text
full of quotes and punctuation, and a search's highlights begin and end on the words."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.search import SearchResult, search
from bot.store import Store
from bot.text import normalize, normalize_char, normalize_with_offsets, original_span

# Quotes and punctuation of every kind around words, as Chinese texts print them, with
# full-width letters, Traditional characters, footnote markers and spaces between.
_PUNCTUATION = list("“”‘’「」『』《》〈〉（）()[]【】\"'，。、；：！？…—–-·,.;:!? \n\u3000⑴①¹")
_WORDS = [*"一国建成社会主义理论认否说是托派很擅长篡改历史革命ＡＢｃ12學說話", "ICFI", "é"]
_text = st.lists(st.sampled_from(_PUNCTUATION + _WORDS), max_size=120).map("".join)


def _counts(char: str) -> bool:
    """Whether a character is part of the words (not punctuation, space or a marker)."""
    return normalize_char(char) != ""


@settings(max_examples=500, deadline=None)
@given(_text, st.data())
def test_a_normalized_span_maps_back_to_exactly_its_characters(
    text: str, data: st.DataObject
) -> None:
    norm, offsets = normalize_with_offsets(text)
    if not norm:
        return
    start = data.draw(st.integers(0, len(norm) - 1))
    end = data.draw(st.integers(start + 1, len(norm)))
    a, b = original_span(offsets, start, end)
    assert 0 <= a < b <= len(text)
    # Exactly these characters: no more (a quote or the character next door), no fewer.
    assert normalize(text[a:b]) == norm[start:end]
    # Bold begins and ends on a word, never on the punctuation around it.
    assert _counts(text[a]) and _counts(text[b - 1])


@given(_text)
def test_every_normalized_character_comes_from_a_character_that_counts(text: str) -> None:
    norm, offsets = normalize_with_offsets(text)
    assert norm == normalize(text) and len(offsets) == len(norm)
    for position, index in enumerate(offsets):
        assert norm[position] in normalize_char(text[index])


def test_a_character_that_normalizes_to_several_maps_back_whole() -> None:
    text = "“㎏”与ﬁ"  # ㎏ -> kg, ﬁ -> fi
    norm, offsets = normalize_with_offsets(text)
    assert norm == "kg与fi"
    assert text[slice(*original_span(offsets, 1, 2))] == "㎏"  # half of it: the whole sign
    assert text[slice(*original_span(offsets, 0, 3))] == "㎏”与"


# --- through the search, on the shipped post (quotes, book titles, parentheses) -------------

Searcher = Callable[[str], SearchResult]


@pytest.fixture(scope="module")
def searcher(shipped_db: Path) -> Iterator[Searcher]:
    """Searches the shipped post, one store and one event loop for the whole module."""
    loop = asyncio.new_event_loop()
    store = loop.run_until_complete(Store.open(shipped_db))
    yield lambda query: loop.run_until_complete(search(store, query, limit=10))
    loop.run_until_complete(store.close())
    loop.close()


@pytest.fixture(scope="module")
def quoting(shipped_db: Path) -> list[str]:
    """The passages of the shipped post that hold quotation marks."""

    async def read() -> list[str]:
        store = await Store.open(shipped_db)
        try:
            return [p.text for p in await store.iter_passages()]
        finally:
            await store.close()

    return [t for t in asyncio.run(read()) if "“" in t and len(normalize(t)) > 40]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_a_quoted_cut_of_a_passage_is_bolded_exactly(
    searcher: Searcher, quoting: list[str], data: st.DataObject
) -> None:
    """A reader pastes a piece of a passage, cut anywhere (inside quotes, across them): every
    bold span in the passage holding it is that piece's words, exactly."""
    source = data.draw(st.sampled_from(quoting))
    norm, offsets = normalize_with_offsets(source)
    # Ten characters or more: what names one passage rather than a heading's words.
    start = data.draw(st.integers(0, len(norm) - 10))
    end = data.draw(st.integers(start + 10, min(len(norm), start + 30)))
    # Not inside an English word: "nternation" is not something a reader types.
    inside = [(start - 1, start), (end - 1, end)]
    assume(not any(i >= 0 and j < len(norm) and (norm[i] + norm[j]).isascii() for i, j in inside))
    a, b = original_span(offsets, start, end)
    query = source[a:b]
    result = searcher(query)
    holding = [m for m in result.matches if normalize(query) in normalize(m.passage.text)]
    # (A passage found through its heading is shown without bold, even when its text holds
    # the words too: a choice of bot/search/, not the offset map's.)
    assert holding and any(m.highlights for m in holding), query
    for match in holding:
        text = match.passage.text
        for x, y in match.highlights:
            assert normalize(text[x:y]) == normalize(query), (query, text[x:y])
            assert _counts(text[x]) and _counts(text[y - 1])


def test_a_near_miss_is_bolded_from_its_first_matching_character(searcher: Searcher) -> None:
    """/search as a reply to 一国建成社会主义理论: the text says 一国建成社会主义论."""
    result = searcher("一国建成社会主义理论")
    said = "一国建成社会主义论"
    bold = [
        m.passage.text[x:y]
        for m in result.matches
        for x, y in m.highlights
        if said in m.passage.text
    ]
    assert len(bold) >= 3 and set(bold) == {said}, bold
