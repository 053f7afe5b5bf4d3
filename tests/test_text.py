"""The one normalization: what it folds, what it drops, and that offsets map back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import (
    analyze,
    fold,
    fold_views,
    index_terms,
    index_terms_many,
    normalize,
    normalize_many,
    normalize_with_offsets,
    original_span,
)


def test_folds_width_case_script_and_drops_punctuation() -> None:
    assert normalize("理論再正確，沒有能力落實，都是空話") == "理论再正确没有能力落实都是空话"
    assert normalize("ＩＣＦＩ and Café １２３") == "icfiandcafe123"
    assert normalize("  托派\t很擅长\n") == "托派很擅长"


def test_footnote_markers_are_dropped_not_turned_into_digits() -> None:
    # NFKC alone would turn ⑴ into "(1)" and leave a stray "1" in the text.
    assert normalize("革命⑴是①暴动¹") == "革命是暴动"


def test_emoji_and_symbols_normalize_to_nothing() -> None:
    assert normalize("😀😀 ★ ——") == ""


def test_offsets_map_normalized_spans_back_to_the_original() -> None:
    text = "托派，很擅长⑴篡改 历史。"
    norm, offsets = normalize_with_offsets(text)
    assert norm == normalize(text) == "托派很擅长篡改历史"
    start = norm.index("篡改历史")
    a, b = original_span(offsets, start, start + 4)
    assert text[a:b] == "篡改 历史"


@given(st.text(max_size=200))
def test_offset_variant_always_agrees_with_bulk_normalize(text: str) -> None:
    norm, offsets = normalize_with_offsets(text)
    assert norm == normalize(text)
    assert len(offsets) == len(norm)
    assert offsets == sorted(offsets)
    assert all(0 <= i < len(text) for i in offsets)


def test_homophones_fold_to_the_same_code_points() -> None:
    assert fold("组职") == fold("组织")
    assert fold("托派") != fold("党派")
    assert len(fold("组织abc")) == len("组织abc")


def test_terms_are_bigrams_for_chinese_and_words_for_ascii() -> None:
    assert analyze("托派很擅长 ICFI").raw == ["托派", "派很", "很擅", "擅长", "长", "icfi"]
    assert analyze("革").raw == ["革"]
    terms = index_terms("组织")
    assert "组织" in terms.split() and fold("组织") in terms.split()


def test_ascii_words_keep_their_boundaries_although_spaces_are_dropped() -> None:
    terms = analyze("Python asyncio-tutorial，第四国际—托洛茨基主义派（Trotskyist Faction）")
    assert terms.norm.startswith("pythonasynciotutorial第四国际")
    assert {"python", "asyncio", "tutorial", "trotskyist", "faction"} <= set(terms.raw)


def test_variant_characters_that_opencc_keeps_fold_to_the_common_one() -> None:
    # 钱锺书 is how some texts print the name; readers type 钱钟书 (and 錢鍾書 in Traditional).
    assert normalize("钱锺书") == normalize("钱钟书") == normalize("錢鍾書")
    assert normalize("一笔钜款") == normalize("一笔巨款")
    assert normalize("钟表") == "钟表"  # the common character itself is unchanged
    # Taiwan's standard form (MtF.wiki's Traditional pages): 睪丸切除後 is 睾丸切除后.
    assert normalize("睪丸切除後，睪酮主要來自於腎上腺") == normalize(
        "睾丸切除后，睾酮主要来自于肾上腺"
    )
    assert normalize("屋簷下的粽子") == normalize("屋檐下的糭子")
    assert normalize("什么") != normalize("什幺")  # 么 stays: tw2s's 幺 is not what 什么 means


_MIXED = st.lists(
    st.text(
        st.sampled_from("托派很擅長篡改歷史，的了是在：“”「」ＡＢｃ１２3 ㎏ﬁ½①⑴¹😀𠮷\u3000\n\ttext")
        | st.characters(),
        max_size=80,
    ),
    max_size=12,
)


@settings(deadline=None)  # the first example builds the tables (a fraction of a second)
@given(_MIXED)
def test_many_texts_at_once_normalize_as_each_alone(texts: list[str]) -> None:
    # A search normalizes its candidates all at once; a passage must come out exactly as
    # the index saw it, whatever else is in the batch (ligatures, emoji, unseen characters).
    assert normalize_many(texts) == [normalize(text) for text in texts]


@settings(deadline=None)  # the first example builds the tables (a fraction of a second)
@given(_MIXED)
def test_views_of_many_texts_are_each_texts_views(texts: list[str]) -> None:
    norms = [normalize(text) for text in texts]
    dropped = frozenset("的了是在")
    drop = dict.fromkeys(map(ord, dropped))
    folded, content, folded_content = fold_views(norms, dropped)
    assert folded == [fold(n) for n in norms]
    assert content == [n.translate(drop) for n in norms]
    assert folded_content == [fold(n.translate(drop)) for n in norms]


def test_a_long_passage_normalizes_as_a_short_one_does() -> None:
    passage = "理論再正確，沒有能力落實，都是空話。㎏ ﬁ ½ ①" * 20
    assert normalize(passage) == "".join(normalize(part) for part in passage.split("。"))


def test_a_lone_surrogate_in_a_batch_leaves_the_rest_as_they_are() -> None:
    texts = ["托派，很擅长", "broken \ud800 half", "篡改 歷史"]
    assert normalize_many(texts) == [normalize(text) for text in texts]
    assert fold_views([normalize(t) for t in texts], frozenset("的"))[0] == [
        fold(normalize(t)) for t in texts
    ]


@settings(deadline=None)  # the first example builds the tables (a fraction of a second)
@given(
    st.lists(
        st.text(
            st.sampled_from("托派很擅長篡改歷史，的了 ab Python3 ㎏ﬁ①😀𠮷\n") | st.characters()
        ),
        max_size=10,
    )
)
def test_many_texts_get_the_terms_each_gets_alone(texts: list[str]) -> None:
    # The index keeps which passages hold a term: the same terms, whatever their order.
    for text, terms in zip(texts, index_terms_many(texts), strict=True):
        assert set(terms.split()) == set(index_terms(text).split())
