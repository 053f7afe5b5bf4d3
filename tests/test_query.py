"""The query syntax is read the way a reader means it, and never makes a query fail."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.query import ParsedQuery, parse_query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"理论再正确"', ParsedQuery("", ("理论再正确",))),
        ("「理论再正确」 托派", ParsedQuery("托派", ("理论再正确",))),
        ("“没有能力落实”", ParsedQuery("", ("没有能力落实",))),
        ("托派 -斯大林", ParsedQuery("托派", excluded=("斯大林",))),
        ("托派 －斯大林 -陈独秀", ParsedQuery("托派", excluded=("斯大林", "陈独秀"))),
        ("作者:鲁迅 看客", ParsedQuery("看客", author="鲁迅")),
        ("作者：鲁迅 看客", ParsedQuery("看客", author="鲁迅")),
        ("Author: 米宁 联合", ParsedQuery("联合", author="米宁")),
        ("标题:坟 题记", ParsedQuery("题记", title="坟")),
        ("title:vitepress 部署", ParsedQuery("部署", title="vitepress")),
        ("作者:鲁迅", ParsedQuery("", author="鲁迅")),
    ],
)
def test_syntax_is_read(query: str, expected: ParsedQuery) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        '"理论再正确',  # unbalanced
        "理论再正确」",  # a closing mark alone
        "来源:知乎 托派",  # a field nobody knows
        "作者: ",  # a field with nothing after it
        "-斯大林",  # only an exclusion: nothing to look for
        "1920-1927 托派",  # a dash inside a word is not an exclusion
        "托派-斯大林",
        "网上看到一篇《浅议“托派”问题》",  # quotes inside a sentence are the text's own
        "那句话咋说的来着「理论再正确」",  # a quote wrapped in chatter: a search as usual
        "「理论」再正确",
    ],
)
def test_anything_else_is_searched_as_typed(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.plain, parsed
    assert parsed.text == query


@given(st.text(max_size=60))
def test_never_raises_and_keeps_the_words(query: str) -> None:
    parsed = parse_query(query)
    if parsed.plain:
        assert parsed.text == query
    for word in (*parsed.phrases, *parsed.excluded, parsed.author or "", parsed.title or ""):
        assert word in query
