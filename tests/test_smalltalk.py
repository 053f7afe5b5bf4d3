"""Small talk is told from a query by what the whole message is made of: chat words (with
particles, addressees and emoji around them) or anything else. Never a real query."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.handlers.smalltalk import _FILLERS, _WORDS, Talk, first_greeting, small_talk
from bot.text import normalize

from .conftest import DATA, SHIPPED_CORPUS


@pytest.mark.parametrize(
    ("text", "talk"),
    [
        ("谢谢", Talk.THANKS),
        ("謝謝！", Talk.THANKS),  # Traditional, punctuation
        ("太感谢了🙏", Talk.THANKS),
        ("Thank you so much!", Talk.THANKS),
        ("好的谢谢👍", Talk.THANKS),  # thanks wins over the acknowledgement
        ("你好", Talk.GREETING),
        ("您好呀～", Talk.GREETING),
        ("Hi there", Talk.GREETING),
        ("ＨＥＬＬＯ, bot!", Talk.GREETING),  # full width, any case
        ("在吗？", Talk.GREETING),
        ("nihao", Talk.GREETING),  # pinyin for 你好: not a pinyin search
        ("再见", Talk.FAREWELL),
        ("晚安啦", Talk.FAREWELL),
        ("👍", Talk.ACK),
        ("❤️❤️", Talk.ACK),
        ("🙏", Talk.THANKS),
        ("好的", Talk.ACK),
        ("哈哈哈哈", Talk.ACK),
        ("OK", Talk.ACK),
    ],
)
def test_small_talk_is_recognised_in_its_usual_forms(text: str, talk: Talk) -> None:
    assert small_talk(text) is talk


@pytest.mark.parametrize(
    "text",
    [
        "谢谢党",  # a chat word and one more word: a search
        "你好坏",
        "hello world",
        "thanks to the revolution",
        "history",  # hi + story is not a reading: story is not a chat word
        "“谢谢”",  # quoted: these exact words, a search
        "「你好」",
        "？",  # punctuation only: a search, which says how to search
        "│",  # a box-drawing character pasted from a code block
        "牛",  # a word a blog may be about
        "啊",  # fillers alone say nothing
        "大家",
        "",
    ],
)
def test_anything_more_than_chat_words_is_a_search(text: str) -> None:
    assert small_talk(text) is None


def _queries() -> list[str]:
    files = [*DATA.glob("*-queries.yaml"), *(DATA / "meaning").glob("*.yaml")]
    items = [item for f in files for item in yaml.safe_load(f.read_text(encoding="utf-8"))]
    return [str(item["q"]) for item in items if item.get("kind") != "negative"]


def test_no_query_of_the_relevance_sets_and_no_clause_of_the_shipped_post_is_small_talk() -> None:
    queries = _queries()
    assert len(queries) > 200
    assert [q for q in queries if small_talk(q)] == []
    text = next(SHIPPED_CORPUS.glob("*.md")).read_text(encoding="utf-8")
    clauses = {c.strip() for c in re.split(r"[，。！？；：、“”（）《》\n]", text) if c.strip()}
    assert len(clauses) > 1000
    assert [c for c in clauses if small_talk(c)] == []


_chat_words = st.sampled_from([w for spelled in _WORDS.values() for w in spelled.split()])
_fillers = st.sampled_from(_FILLERS.split())
# Characters of real queries that are in no chat word.
_content = st.text(
    alphabet="革命托派历史理论社会主义国家斯大林篡改擅长党坏世界", min_size=1, max_size=8
).filter(lambda text: any(char not in _FILLERS for char in text))  # not 大家: an addressee
_decoration = st.sampled_from(["", "！", "～", "…", " ", "👍", "🙏", "。", "?", "!!"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_chat_words, _fillers), min_size=1, max_size=4), _content, st.data())
def test_a_word_of_content_anywhere_makes_it_a_search(
    words: list[str], content: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(words)))
    separator = data.draw(_decoration)
    message = separator.join([*words[:at], content, *words[at:]])
    assert small_talk(message) is None, message


@settings(max_examples=300, deadline=None)
@given(_chat_words, st.lists(_fillers, max_size=3), _decoration, st.booleans())
def test_a_chat_word_with_fillers_and_emoji_is_small_talk(
    word: str, fillers: list[str], decoration: str, filler_first: bool
) -> None:
    parts = [*fillers, word] if filler_first else [word, *fillers]
    message = decoration.join(parts) + decoration
    if len(normalize(message)) <= 24:  # longer is a sentence: searched
        assert small_talk(message) is not None, message


def test_the_first_greeting_is_remembered_within_a_bound() -> None:
    from collections import OrderedDict

    greeted: OrderedDict[int, None] = OrderedDict()
    assert first_greeting(greeted, 1) and not first_greeting(greeted, 1)
    for user in range(2, 10_003):
        first_greeting(greeted, user)
    assert len(greeted) == 10_000
    assert first_greeting(greeted, 2)  # forgotten: the oldest went first
