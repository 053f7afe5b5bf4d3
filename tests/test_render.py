"""Rendering: valid Telegram HTML within the limits for any text, and signed button data."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.models import DocumentRef, PassageKind, StoredPassage
from bot.render import (
    MESSAGE_LIMIT,
    Labels,
    render_context,
    render_passage,
    render_section,
    sendable,
    utf16_len,
)

from .support.telegram_rules import check_message_text

LABELS = Labels(source="原文", more_below="（接下条）")

# Text as hostile as a corpus or a reader can make it: markup characters, entities, RTL and
# zero-width marks, controls, astral emoji (two UTF-16 units each), CJK.
_pieces = st.one_of(
    st.sampled_from([*"<>&\"'/;#革命不是请客吃饭，。 \n", "&amp;", "<b>", "</a>", "&#1;"]),
    st.sampled_from(["\u202e", "\u200b", "\u200f", "\ufeff", "\x00", "\x1b", "🙂", "𠀀", "\ud800"]),
    st.characters(codec="utf-8"),
)
_short = st.lists(_pieces, max_size=200).map("".join)
hostile_text = st.one_of(
    _short,
    # Long texts: a hostile piece repeated, to reach and pass the 4,096 limit.
    st.builds(lambda piece, times: piece * times, _short, st.integers(1, 300)),
)


def passage(text: str, **overrides: object) -> StoredPassage:
    fields: dict[str, object] = {
        "passage_id": 1,
        "text": text,
        "kind": PassageKind.PARAGRAPH,
        "heading_path": ("一、<标题> & 其他",),
        "document": DocumentRef(title="文 & <章>", path="a.md", url="https://e.org/a?x=1&y=2"),
        "author": "作者 <a>",
        "source_url": 'https://e.org/p?a=1&b="2"',
        "source_name": "知乎 & co",
        "section_id": 1,
        "prev_id": None,
        "next_id": None,
        "key": "abcdefghijklm",
    }
    fields.update(overrides)
    return StoredPassage(**fields)  # type: ignore[arg-type]


def visible(html: str) -> str:
    text, _ = check_message_text(html, "HTML")  # raises on anything Telegram would reject
    assert utf16_len(text) <= MESSAGE_LIMIT
    return text


def squash(text: str) -> str:
    return re.sub(r"\s+", "", sendable(text))


@settings(max_examples=150, deadline=None)
@given(hostile_text, st.lists(st.tuples(st.integers(-5, 7000), st.integers(-5, 7000)), max_size=4))
def test_any_passage_renders_valid_html_and_shows_its_text(
    text: str, spans: list[tuple[int, int]]
) -> None:
    html = render_passage(passage(text), LABELS, spans)
    shown = visible(html)
    assert "作者 <a>" in shown and "知乎 & co" in shown
    if utf16_len(text) < 3000:  # fits: the visible quote is exactly the source text
        assert squash(text) in squash(shown)


@settings(max_examples=60, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=6))
# Found by hypothesis: the blank line after the header was not counted, one unit too many.
@example(["<" * 28, "<" * 103, "<<<<<<<<</a>𐀀𐀀" * 135, "<<<<<<<<<<<<&amp;", "<<<</a>" * 250])
def test_any_section_splits_into_valid_messages(texts: list[str]) -> None:
    parts = render_section([passage(t) for t in texts], LABELS)
    shown = [visible(p) for p in parts]
    assert "知乎 & co" in shown[-1]
    if len(parts) < 10:  # nothing was cut: every paragraph is there, in order
        assert squash("".join(texts)) in squash("".join(shown).replace("（接下条）", ""))


@settings(max_examples=60, deadline=None)
@given(hostile_text, hostile_text, hostile_text)
def test_any_context_renders_valid_html(before: str, main: str, after: str) -> None:
    visible(render_context(passage(main), passage(before), passage(after), LABELS))


def test_a_link_that_is_not_http_is_not_a_link() -> None:
    html = render_passage(
        passage("正文", source_url="javascript:alert(1)", document=DocumentRef("t", "a", None)),
        LABELS,
    )
    assert "javascript" not in html and "<a " not in html


def test_long_passage_keeps_the_highlight_in_view() -> None:
    text = "前文。" * 1500 + "要找的这一句" + "后文。" * 200
    start = text.index("要找的这一句")
    html = render_passage(passage(text), LABELS, [(start, start + 6)])
    assert "<b>要找的这一句</b>" in html and "<blockquote expandable>" in html
    visible(html)


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_any_query_shown_back_to_the_reader_is_valid_html(query: str) -> None:
    """A reader's query is echoed in "nothing found" and in the inline description; whatever
    they typed, the message stays valid and within the limits."""
    from bot.i18n import t
    from bot.render import INLINE_QUERY_LIMIT, escape, shorten, snippet
    from bot.search import clean_query

    cleaned = clean_query(query, limit=INLINE_QUERY_LIMIT)
    for language in ("zh", "en"):
        shown = visible(t(language, "nothing_found", query=escape(shorten(cleaned, 100))))
        assert squash(shorten(cleaned, 100)) in squash(shown)
    description = snippet(query, [(0, 3)])
    assert len(description) <= 100 and "\x00" not in description


def test_counts_take_the_form_their_number_needs() -> None:
    from bot.i18n import counted

    assert counted("en", "n_articles", 1) == "1 article"
    assert counted("en", "n_articles", 0) == "0 articles"
    assert counted("en", "n_passages", 101) == "101 passages"
    assert counted("en", "n_characters", 18450) == "18,450 characters"
    assert counted("zh", "n_articles", 1) == "1 篇文章"
    assert counted("zh", "n_characters", 18450) == "18,450 字"


# --- the copy button ---------------------------------------------------------------------------

_names = st.one_of(st.none(), st.just(""), _short.map(lambda s: s[:60]), _short)
_urls = st.one_of(
    st.none(),
    st.just("https://zhuanlan.zhihu.com/p/425112851"),
    # A Hexo post with a Chinese slug: three times as long percent-encoded.
    st.integers(1, 40).map(lambda n: "https://blog.example.org/2022/" + "%E6%89%98" * n),
    st.text(alphabet="abc/%?=&", max_size=300).map(lambda s: "https://e.org/" + s),
)


@settings(max_examples=300, deadline=None)
@given(
    hostile_text,
    _names,
    _names,
    _urls,
    st.lists(st.tuples(st.integers(-5, 3000), st.integers(-5, 3000)), max_size=3),
)
def test_the_copy_text_fits_the_button_and_keeps_the_attribution_whole(
    text: str,
    author: str | None,
    title: str | None,
    url: str | None,
    spans: list[tuple[int, int]],
) -> None:
    from bot.render import COPY_TEXT_LIMIT, _attribution, copy_text, safe_url

    document = DocumentRef(title=title or "", path="a.md", url=None)
    copied = copy_text(
        passage(text, author=author, source_url=url, source_name=None, document=document), spans
    )
    assert 1 <= utf16_len(copied) <= COPY_TEXT_LIMIT  # Telegram: 1-256 characters
    assert copied == sendable(copied)
    whole = _attribution(
        sendable(author or "").strip(), sendable(title or "a.md").strip(), safe_url(url)
    )
    quote = sendable(text).strip()
    if utf16_len(whole) <= COPY_TEXT_LIMIT - 61:
        # The attribution as it is, after the quote.
        assert copied.endswith(whole)
        shown = copied[: -len(whole)].removesuffix("\n")
        if utf16_len(quote) <= COPY_TEXT_LIMIT - 1 - utf16_len(whole):
            assert shown == quote  # the whole passage
        elif quote:
            # Cut, and says so; what is there is the passage's own text.
            assert (shown.endswith("…") or shown.startswith("…")) and len(shown) >= 30
            assert shown.strip("…") in quote


def test_a_long_passage_is_cut_around_its_match_and_a_long_link_is_shown_decoded() -> None:
    from bot.render import copy_text

    sentences = "托派很擅长篡改历史。" * 30
    text = sentences + "这是读者要找的那句话，在很后面。" + sentences
    start = text.index("读者要找")
    author, title = "暴躁皮皮", "关于托洛茨基主义的几篇评论"
    slug = "%E5%85%B3%E4%BA%8E%E6%89%98%E6%B4%BE" * 5  # 关于托派, 5 times: 180 characters
    url = f"https://blog.example.org/2022/03/06/{slug}/"
    document = DocumentRef(title=title, path="a.md", url=None)
    copied = copy_text(
        passage(text, author=author, source_url=url, document=document), [(start, start + 4)]
    )
    quote, attribution = copied.split("\n")
    assert quote.startswith("…这是读者要找的那句话") and quote.endswith("…")
    # Percent-encoded, the link would leave no room for the quote: it is shown as read.
    assert (
        attribution
        == f"— {author} · {title}, https://blog.example.org/2022/03/06/{'关于托派' * 5}/"
    )


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))))
def test_page_jumps_lead_to_real_distinct_pages_and_reach_the_ends(where: tuple[int, int]) -> None:
    from bot.render import page_jumps

    page, pages = where
    jumps = [j for row in page_jumps(page, pages) for j in row]
    targets = [j.page for j in jumps if not j.here]
    assert all(0 <= p < pages for p in targets) and page not in targets
    assert len(targets) == len(set(targets))  # no two buttons to one page
    if pages > 1:
        assert [j.label for j in jumps if j.here] == [f"{page + 1}/{pages}"]
        # From anywhere, the first and last page are one press away.
        assert page == 0 or 0 in targets
        assert page == pages - 1 or pages - 1 in targets
    assert len(jumps) <= 7
