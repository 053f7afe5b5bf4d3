"""Property tests: for any Markdown a generator can build, the importer never raises, no
passage carries markup, and every passage fits a Telegram reply."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.corpus import ImportProblem, SiteConfig, parse_markdown_file
from bot.models import Problem

BANNED = ("{%", "%}", "<!--", "-->", "](", "**")
HTML_TAG = re.compile(r"<[A-Za-z/][^<>]*>")

WORDS = st.sampled_from(
    ["托派", "革命", "理论", "ICFI", "Hexo", "第四国际", "。", "，", "“引号”", "1927", "a_b", "x<y"]
)
INLINE = st.one_of(
    WORDS,
    WORDS.map(lambda w: f"**{w}**"),
    WORDS.map(lambda w: f"*{w}*"),
    WORDS.map(lambda w: f"~~{w}~~"),
    WORDS.map(lambda w: f"`{w}`"),
    WORDS.map(lambda w: f"[{w}](https://example.org/{len(w)})"),
    WORDS.map(lambda w: f"![{w}](img.png)"),
    WORDS.map(lambda w: f"<span>{w}</span>"),
    WORDS.map(lambda w: f"{{% label primary@{w} %}}"),
    WORDS.map(lambda w: f"{{% post_link some-post {w} %}}"),
    st.just("<!-- 注释 -->"),
    st.just("[^1]"),
    st.just("$x^2$"),
)
LINE = st.lists(INLINE, min_size=1, max_size=8).map("".join)
BLOCK = st.one_of(
    LINE,
    LINE.map(lambda t: f"# {t}"),
    LINE.map(lambda t: f"### {t}"),
    LINE.map(lambda t: f"> {t}"),
    LINE.map(lambda t: f"- {t}\n  - {t}"),
    LINE.map(lambda t: f"1. {t}"),
    LINE.map(lambda t: f"{t}  \n{t}\\\n{t}"),
    LINE.map(lambda t: f"　　{t}\n　　{t}"),
    LINE.map(lambda t: f"```python\n{t}\n```"),
    LINE.map(lambda t: f"```\n{t}"),  # unclosed fence
    LINE.map(lambda t: f"{{% note info 标题 %}}\n{t}\n{{% endnote %}}"),
    LINE.map(lambda t: f"{{% note warning %}}\n{t}"),  # unclosed tag
    LINE.map(
        lambda t: f"{{% blockquote 作者, 出处 https://example.org %}}\n{t}\n{{% endblockquote %}}"
    ),
    LINE.map(
        lambda t: f"{{% tabs 标签 %}}\n<!-- tab 一 -->\n{t}\n<!-- endtab -->\n{{% endtabs %}}"
    ),
    LINE.map(lambda t: f"{{% codeblock %}}\n{t}\n{{% endcodeblock %}}"),
    LINE.map(lambda t: f"{{% unknowntag x %}}{t}{{% endunknowntag %}}"),
    LINE.map(lambda t: f'<div class="x">\n{t}\n</div>'),
    LINE.map(lambda t: f"| {t} | {t} |\n|---|---|\n| {t} | {t} |"),
    LINE.map(lambda t: f"$$\n{t}\n$$"),
    LINE.map(lambda t: f"作者：{t}\n转载自：[知乎](https://zhuanlan.zhihu.com/p/1)"),
    st.just("长句子。" * 600),  # over the passage limit: must be split
)
FRONT_MATTER = st.one_of(
    st.just(""),
    st.just("---\ntitle: 标题\nauthor: 甲 | 乙\ntags: [a, b]\ncategories: [[x, y], z]\n---\n"),
    st.just('+++\ntitle = "标题"\ndate = 2022-03-06\n+++\n'),
    st.just("---\ntitle: [unclosed\n---\n"),
    st.just("---\n- a list\n---\n"),
    st.just("---\ndate: 2022-02-30\n---\n"),
)
DOCUMENT = st.tuples(FRONT_MATTER, st.lists(BLOCK, max_size=12)).map(
    lambda fm_blocks: fm_blocks[0] + "\n\n".join(fm_blocks[1])
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=DOCUMENT, crlf=st.booleans(), bom=st.booleans())
def test_any_markdown_imports_cleanly(tmp_path: Path, text: str, crlf: bool, bom: bool) -> None:
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / "post.md"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    problems: list[Problem] = []
    try:
        parsed = parse_markdown_file(path, tmp_path, SiteConfig(), problems)
    except ImportProblem as exc:  # a whole-file problem is reported, never raised further
        assert exc.reason
        return
    for passage in parsed.passages:
        text_ = passage.text
        assert text_.strip(), passage
        assert not any(b in text_ for b in BANNED), text_
        assert not HTML_TAG.search(text_), text_
        assert len(text_) <= 1500, len(text_)
        assert len(text_.encode("utf-16-le")) // 2 <= 3000
    for section in parsed.sections:
        assert not any(b in section.heading for b in BANNED), section.heading
