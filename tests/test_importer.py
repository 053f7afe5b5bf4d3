"""Tests for the Markdown importer (bot.corpus), on real files only.

tests/data/hexo-sample is a copy of a public Hexo blog (CC BY-SA 4.0, see its NOTICE.md);
tests/data/broken holds small hand-made broken files.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from bot.corpus import (
    CorpusPathError,
    ImportProblem,
    SiteConfig,
    iter_markdown_files,
    load_corpus,
    load_site_config,
    parse_markdown_file,
)
from bot.corpus.hexo_tags import code_spans
from bot.corpus.report import CorpusReport
from bot.models import ImportResult, ParsedDocument, PassageKind, Problem

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHIPPED = REPO / "corpus" / "2022-03-06-trotskyism-commentaries.md"
HEXO = DATA / "hexo-sample"
POSTS = HEXO / "source" / "_posts"
BROKEN = DATA / "broken"

MARKUP = re.compile(r"\{%|%\}|<!--|-->|\]\(|\*\*|<[a-zA-Z/][^>]*>")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def parse_text(tmp_path: Path, text: str, site: SiteConfig | None = None) -> ParsedDocument:
    path = write(tmp_path / "post.md", text)
    return parse_markdown_file(path, tmp_path, site or SiteConfig())


def parse_hugo_post(tmp_path: Path, base_url: str, name: str, text: str) -> ParsedDocument:
    """The one document of a Hugo site (`hugo.toml` with its `baseURL`) whose post is
    content/posts/`name`."""
    write(tmp_path / "hugo.toml", f'baseURL = "{base_url}"\n')
    write(tmp_path / "content/posts" / name, text)
    [doc] = load_corpus([tmp_path]).documents
    return doc


def texts(doc: ParsedDocument) -> list[str]:
    return [p.text for p in doc.passages]


def problems_by_path(result: ImportResult) -> dict[str, tuple[str, bool]]:
    return {Path(p.path).name: (p.reason, p.skipped) for p in result.problems}


# --- the shipped post --------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> ParsedDocument:
    result = load_corpus([SHIPPED.parent])
    assert result.problems == []
    assert result.files_seen == 1  # corpus/README.md is not a post
    (doc,) = result.documents
    return doc


def test_shipped_post_front_matter(shipped: ParsedDocument) -> None:
    doc = shipped.document
    assert doc.title == "关于托洛茨基主义的几篇评论"
    assert doc.authors == ("暴躁皮皮", "米宁", "印共(毛)")
    assert doc.date == "2022-03-06T10:30:05"
    assert doc.tags == ("托洛茨基",)
    assert doc.categories == ("思想与文化",)
    assert doc.path == "2022-03-06-trotskyism-commentaries.md"
    assert doc.url is None  # corpus.yaml leaves url commented out
    assert len(doc.sha256) == 64


ARTICLES = {
    "批判托派的胡说八道": ("暴躁皮皮", "https://zhuanlan.zhihu.com/p/425112851", "知乎"),
    "人民内部矛盾还是敌我矛盾：斯大林主义和托洛茨基主义的分歧": (
        "米宁",
        "https://mapleshade20.github.io/books/renwu/",
        "《局势与任务》",
    ),
    "对托派及其他机会主义者的斗争": (
        "印共（毛）",
        "https://mapleshade20.github.io/books/jiaocheng/",
        "《马列毛基本教程》",
    ),
}


def test_shipped_post_each_article_has_its_own_author_and_source(shipped: ParsedDocument) -> None:
    seen: dict[str, int] = {}
    for passage in shipped.passages:
        section = shipped.sections[passage.section]
        article = section.heading_path[0]
        author, url, name = ARTICLES[article]
        assert (section.author, section.source_url, section.source_name) == (author, url, name)
        seen[article] = seen.get(article, 0) + 1
    assert set(seen) == set(ARTICLES)
    assert all(count >= 10 for count in seen.values())


def test_shipped_post_subsections_inherit_and_have_heading_paths(shipped: ParsedDocument) -> None:
    deep = [s for s in shipped.sections if s.level == 3]
    assert deep, "the second article has ### subsections"
    for section in deep:
        assert section.author == "米宁"
        assert section.source_url == "https://mapleshade20.github.io/books/renwu/"
        assert len(section.heading_path) == 3
    root = shipped.sections[0]
    assert (root.index, root.level, root.heading, root.anchor, root.parent) == (
        0,
        0,
        "",
        None,
        None,
    )
    sub = next(s for s in shipped.sections if s.heading == "一、托派是怎么产生的？")
    assert sub.heading_path == ("批判托派的胡说八道", "一、托派是怎么产生的？")
    # hexo-renderer-marked keeps Chinese punctuation in an id (hexo-util's slugize).
    assert sub.anchor == "一、托派是怎么产生的？"
    assert shipped.sections[sub.parent or 0].heading == "批判托派的胡说八道"


def test_shipped_post_attribution_notes_are_not_passages(shipped: ParsedDocument) -> None:
    for passage in shipped.passages:
        assert not MARKUP.search(passage.text), passage.text
        assert "作者" not in passage.text[:4] and "转载自" not in passage.text
        assert passage.kind is not PassageKind.NOTE  # the notes held only attributions
        assert len(passage.text) <= 1500
    first = shipped.passages[0]
    assert first.text.startswith("网上看到一篇《浅议“托派”问题》")
    assert first.line == 18


def test_shipped_post_blockquote_paragraphs_are_quote_passages(shipped: ParsedDocument) -> None:
    quotes = [p for p in shipped.passages if p.kind is PassageKind.QUOTE]
    assert len(quotes) >= 10
    assert any(p.text.startswith("第二次世界大战后，第四国际内") for p in quotes)
    assert any(p.text.startswith("1965 年，巴勃罗领导的") for p in quotes)
    # every paragraph of a multi-paragraph quote is its own passage
    assert all("2003 年" not in p.text or p.text.startswith("2003 年") for p in quotes)


# --- the Hexo sample ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hexo() -> ImportResult:
    return load_corpus([HEXO / "source"])


def doc_at(result: ImportResult, suffix: str) -> ParsedDocument:
    return next(d for d in result.documents if d.document.path.endswith(suffix))


def test_hexo_sample_imports_every_post_without_markup(hexo: ImportResult) -> None:
    assert hexo.files_seen == 67
    assert len(hexo.documents) == 67
    assert [p for p in hexo.problems if p.skipped] == []
    paths = [d.document.path for d in hexo.documents]
    assert paths == sorted(paths)
    total = 0
    for doc in hexo.documents:
        for passage in doc.passages:
            total += 1
            assert not MARKUP.search(passage.text), (doc.document.path, passage.text)
            assert passage.text == passage.text.strip() and passage.text
            assert len(passage.text) <= 1500
            assert 0 <= passage.section < len(doc.sections)
        for section in doc.sections:
            assert not MARKUP.search(section.heading)
    assert total > 1500


def test_hexo_site_config_and_permalinks(hexo: ImportResult) -> None:
    site = load_site_config(HEXO / "source")
    assert site.url == "https://blog.jason0743.space/"
    assert site.title == "随心记"
    assert site.permalink == ":year/:month/:day/:title/"
    doc = doc_at(hexo, "_posts/diarys/bupt-16.md")
    assert doc.document.path == "_posts/diarys/bupt-16.md"
    assert doc.document.url == "https://blog.jason0743.space/2018/12/31/diarys/bupt-16/"
    assert doc.document.date == "2018-12-31T17:33:57"
    assert doc.document.updated == "2019-01-01T00:00:00"
    assert doc.document.categories == ("北邮小日记", "Life / life-in-bupt")
    # a passage under a heading links to the heading's anchor, percent-encoded
    section = next(s for s in doc.sections if s.anchor)
    assert section.source_url == (
        doc.document.url + "#" + __import__("urllib.parse").parse.quote(section.anchor, safe="-_.~")
    )
    assert section.source_name == "随心记"
    assert section.author == "Jason Ren"  # the site author, as Hexo shows it
    assert doc.sections[0].source_url == doc.document.url


def test_hexo_note_with_title_and_tabs(hexo: ImportResult) -> None:
    doc = doc_at(hexo, "_posts/hello-world.md")
    notes = [p.text for p in doc.passages if p.kind is PassageKind.NOTE]
    assert "Welcome to Hexo!" in notes  # **bold** and [link](...) reduced to their text
    assert "title" not in texts(doc)  # {% note warning title %}: the title is not a passage
    # tab contents; the one-word tabs are too short to quote alone, so they stay together
    assert {"first\nsecond", "This is Tab 3."} <= set(texts(doc))
    assert not any("tab" in t.lower() and "@" in t for t in texts(doc))  # tab captions dropped
    assert "echarts-drawing" in texts(doc)  # {% post_link slug %} keeps the slug
    # tag examples inside fenced code are code, not passages
    assert "Any content (support inline tags too)." not in texts(doc)


def test_hexo_tabs_label_and_post_link_in_real_posts(hexo: ImportResult) -> None:
    gcc = doc_at(hexo, "oskernel/using-rhel-and-gcc.md")
    assert "在任何参数都不加的情况下，输出当前目录的非隐藏文件列表。" in texts(gcc)
    assert any("The system is going down for power-off..." in t for t in texts(gcc))
    control = doc_at(hexo, "database/data-control.md")
    assert "所用数据库内容为计算机产品数据库，内容同 实验二，实验环境与前两次实验完全相同。" in (
        texts(control)
    )
    overflow = doc_at(hexo, "software/stackOverflow.md")
    assert any(t.startswith("两种溢出方法都是比较“危险”的") for t in texts(overflow))


def test_hexo_blockquote_with_author_and_link(hexo: ImportResult) -> None:
    doc = doc_at(hexo, "frontend/echarts-drawing.md")
    quote = next(p for p in doc.passages if p.text.startswith("ECharts，缩写来自"))
    assert quote.kind is PassageKind.QUOTE
    # Under the quote, as Hexo prints it: who said it, not the link's address.
    assert quote.text.endswith("—— echarts百科")
    assert not any("segmentfault" in t for t in texts(doc))
    control = doc_at(hexo, "database/data-control.md")
    quoted = [p for p in control.passages if p.kind is PassageKind.QUOTE]
    assert [p.text for p in quoted][:2] == [
        "可以用CREATE ROLE命令建立角色；",
        "可以用GRANT命令授予这些角色以权限；",
    ]


def test_hexo_indented_note_inside_list(hexo: ImportResult) -> None:
    doc = doc_at(hexo, "database/data-control.md")
    note = next(p for p in doc.passages if p.text.startswith("要先drop掉当前的primary key"))
    assert note.kind is PassageKind.NOTE
    assert note.line == 122


def test_hexo_codeblock_and_mermaid_contents_are_not_passages(hexo: ImportResult) -> None:
    cypher = doc_at(hexo, "cypher-learn-notes.md")
    assert not any("MATCH (n { name: 'Andy' })" in t or "SET n.surname" in t for t in texts(cypher))
    pages = doc_at(hexo, "oskernel/page-management.md")
    assert not any("初始化" in t and "-->" in t for t in texts(pages))
    assert not any("diseffect++" in t for t in texts(pages))


def test_hexo_footnotes_and_math(hexo: ImportResult) -> None:
    vpn = doc_at(hexo, "web/vpn.md")
    assert not any("[^1]" in t for t in texts(vpn))
    rop = doc_at(hexo, "vulnerability_analysis/rop.md")
    assert not any("\\left(" in t or "$$" in t for t in texts(rop))


# --- paragraphs and text ------------------------------------------------------------------


def test_hard_line_breaks_split_paragraphs(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        "第一段，两个空格结尾，这一行写得比一行诗更长一些。  \n"
        "第二段，反斜杠结尾，这一行也写得比一行诗更长一些。\\\n第三段。\n普通换行接在后面。\n\n"
        "　　全角缩进的第一段。\n　　全角缩进的第二段。\n　　全角缩进的第三段。\n\n"
        "Latin words on\ntwo lines join with a space.\n",
    )
    assert texts(doc) == [
        "第一段，两个空格结尾，这一行写得比一行诗更长一些。",
        "第二段，反斜杠结尾，这一行也写得比一行诗更长一些。",
        "第三段。普通换行接在后面。",
        "全角缩进的第一段。",
        "全角缩进的第二段。",
        "全角缩进的第三段。",
        "Latin words on two lines join with a space.",
    ]
    assert [p.line for p in doc.passages] == [1, 2, 3, 6, 7, 8, 10]


def test_a_line_break_between_chinese_and_a_latin_word_reads_as_a_space(tmp_path: Path) -> None:
    """As a browser shows it (CSS drops a line break only between two wide characters):
    dobila.info's posts read "安装包sudo apt-get" and "一样看不起我I wonder" (48 joins)."""
    doc = parse_text(
        tmp_path,
        "下载的安装包\nsudo apt-get install 一下就好，\n然后继续。\n\n"
        "她说你们都一样看不起我\nI wonder why。\n",
    )
    assert texts(doc) == [
        "下载的安装包 sudo apt-get install 一下就好，然后继续。",
        "她说你们都一样看不起我 I wonder why。",
    ]


def test_verse_in_a_language_of_words_stays_a_stanza(tmp_path: Path) -> None:
    """io-oi.me's 7,000 RPM (fresh32): an English poem with a hard break after each line
    was a passage a line (its lines are longer in characters than Chinese verse's), its
    translation below one passage a stanza. Long hard-broken lines stay paragraphs."""
    doc = parse_text(
        tmp_path,
        "> There's a point at 7,000 RPM  \n> where everything fades.  \n"
        "> It creeps up on you, close in your ear.  \n> Asks you a question.\n\n"
        "在 7,000 RPM 有一点，  \n一个其它一切都消逝的点。\n\n"
        "This first line is a whole paragraph of prose that goes on well past sixty characters.  \n"
        "And so is the second one, which also runs on for longer than any line of verse would.\n",
    )
    assert texts(doc) == [
        "There's a point at 7,000 RPM\nwhere everything fades.\n"
        "It creeps up on you, close in your ear.\nAsks you a question.",
        "在 7,000 RPM 有一点，\n一个其它一切都消逝的点。",
        "This first line is a whole paragraph of prose that goes on well past sixty characters.",
        "And so is the second one, which also runs on for longer than any line of verse would.",
    ]


def test_inline_markup_is_reduced_to_text(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        "**粗体** *斜体* [链接](https://example.org) `code <b>` <span>内联</span> 脚注[^1]"
        " ![图片](a.png) 公式 $x^2$ 完。\n\n<div>\nraw html block\n</div>\n\n"
        "<!-- 注释 -->\n\n```\n代码\n```\n\n$$\nE = mc^2\n$$\n\n    缩进代码\n\n"
        "[^1]: 脚注内容。\n",
    )
    # a raw HTML block keeps its words (posts moved from WordPress are HTML); code does not;
    # a formula inside a sentence is a word of it, display math is not text
    assert texts(doc) == [
        "粗体 斜体 链接 code ‹b› 内联 脚注 公式 $x^2$ 完。",
        "raw html block",
        "脚注内容。",
    ]
    assert doc.passages[2].kind is PassageKind.NOTE


def test_dollars_in_prose_are_not_a_formula(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        "价格从 $5 涨到 $10 了。\n\nPHP 里 `$this` 指对象，$this-&gt;name = $name; 这样写。\n\n"
        "当 $x = 1$ 时，以$f$的方式。\n",
    )
    # Dollars with a space inside them, or a digit after, are money and variables, not TeX
    # (bmpi.dev's PHP post showed "$this-&gt;name = $"); a formula is kept as written.
    assert texts(doc) == [
        "价格从 $5 涨到 $10 了。",
        "PHP 里 $this 指对象，$this->name = $name; 这样写。",
        "当 $x = 1$ 时，以$f$的方式。",
    ]


def test_lists_and_quotes_are_their_own_passages(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        "- 第一项写得足够长\n- 第二项写得足够长\n\n  第二项的第二个段落\n\n"
        "> 引用一写得足够长\n>\n> 引用二写得足够长\n",
    )
    assert [(p.kind, p.text) for p in doc.passages] == [
        (PassageKind.LIST_ITEM, "第一项写得足够长"),
        (PassageKind.LIST_ITEM, "第二项写得足够长"),
        (PassageKind.LIST_ITEM, "第二项的第二个段落"),
        (PassageKind.QUOTE, "引用一写得足够长"),
        (PassageKind.QUOTE, "引用二写得足够长"),
    ]
    # items too short to quote alone stay together, a line each
    short = parse_text(tmp_path, "正文先有一段话。\n\n- 苹果\n- 香蕉\n- 橘子\n\n> 引\n")
    assert [(p.kind, p.text) for p in short.passages] == [
        (PassageKind.PARAGRAPH, "正文先有一段话。"),
        (PassageKind.LIST_ITEM, "苹果\n香蕉\n橘子"),
        (PassageKind.QUOTE, "引"),
    ]


def test_long_paragraph_splits_at_sentence_ends(tmp_path: Path) -> None:
    sentence = "这是一个用来测试长段落切分的句子，它会重复很多次。"  # 25 characters
    paragraph = sentence * 400  # 10,000 characters
    doc = parse_text(tmp_path, paragraph + "\n")
    pieces = texts(doc)
    assert len(pieces) >= 7
    assert all(len(p) <= 1500 for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    assert "".join(pieces) == paragraph
    assert {p.line for p in doc.passages} == {1}


def test_long_paragraph_without_sentence_ends_is_cut_hard(tmp_path: Path) -> None:
    doc = parse_text(tmp_path, "字" * 4000 + "\n")
    assert [len(t) for t in texts(doc)] == [1500, 1500, 1000]


def test_hexo_drafts_and_underscore_folders_are_not_pages(tmp_path: Path) -> None:
    # Hexo renders nothing under source/ named with a leading "_" but _posts: a draft was
    # indexed and linked to http://site/_drafts/….html, a page that does not exist.
    write(tmp_path / "_config.yml", "url: https://blog.example.org\n")
    write(tmp_path / "source/_posts/a.md", "---\ntitle: A\ndate: 2024-01-02\n---\n已发布。\n")
    write(tmp_path / "source/_drafts/b.md", "---\ntitle: B\n---\n还没写完的草稿。\n")
    write(tmp_path / "source/_data/c.md", "数据文件。\n")
    write(tmp_path / "source/about/index.md", "---\ntitle: 关于\n---\n关于我。\n")
    paths = sorted(d.document.path for d in load_corpus([tmp_path]).documents)
    assert paths == ["source/_posts/a.md", "source/about/index.md"]


@pytest.mark.parametrize(
    ("config", "not_found", "kept"),
    [
        ("_config.yml", "404.md", "_posts/2020-01-01-a.md"),  # Jekyll
        ("_config.yml", "source/404.md", "source/_posts/a.md"),  # Hexo
        (".vitepress/config.mts", "docs/404.md", "docs/a.md"),  # VitePress (docs/)
    ],
)
def test_a_sites_page_not_found_page_is_not_an_article(
    tmp_path: Path, config: str, not_found: str, kept: str
) -> None:
    # ZhangYet's Jekyll blog (fresh41): '404.md' (permalink: /404.html) was a document whose
    # one passage was 'Seems disappeared :('.
    site = tmp_path / "site"
    if config == ".vitepress/config.mts":
        write(site / "docs" / config, "export default { title: '笔记' }\n")
    else:
        write(site / config, "url: https://blog.example.org\n")
        if not_found.startswith("source/"):
            (site / "source").mkdir(exist_ok=True)
        else:
            (site / "_posts").mkdir(exist_ok=True)
    write(site / not_found, "---\ntitle: Page Not Found\npermalink: /404.html\n---\n页面不见了\n")
    write(site / kept, "---\ntitle: A\ndate: 2020-01-01\n---\n一篇文章的正文。\n")
    result = load_corpus([site])
    assert [d.document.path for d in result.documents] == [kept]
    assert any("404" in n.detail for n in result.notes)
    # a note on the status code, deeper in the site, is an article
    note = str(Path(not_found).parent / "http" / "404.md")
    write(site / note, "---\ntitle: HTTP 404 是什么\n---\n找不到页面时服务器返回 404。\n")
    assert note in {d.document.path for d in load_corpus([site]).documents}
    # in a plain folder of notes, a note may be called 404
    notes = tmp_path / "notes"
    write(notes / "404.md", "HTTP 404 的意思是找不到页面。\n")
    assert [d.document.path for d in load_corpus([notes]).documents] == ["404.md"]


def test_hexo_tags_in_text(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        "按 {% kbd Ctrl %} 键，见 {% label primary @标签文字 %}，"
        "{% btn https://x.org, 按钮文字, fa fa-x %}，{% link 链接文字 https://x.org %}，"
        '{% post_link a/b "另一篇" %}。{{ page.title }}{% fa fa-heart %}\n\n'
        "{% blockquote 鲁迅, 《呐喊》 https://example.org 自序 %}\n我在年青时候也曾经做过许多梦。\n"
        "{% endblockquote %}\n\n{% cq %}居中的引用，它够长了。{% endcq %}\n\n"
        "{% folding 标题 %}\n未知标签里的文字。\n{% endfolding %}\n\n"
        "{% unknown_standalone arg %}\n\n{% raw %}原样的文字留在这里{% endraw %}\n\n"
        "{% gp 2-2 %}\n{% asset_img a.png 图片说明 %}\n{% endgp %}\n",
    )
    assert [(p.kind, p.text) for p in doc.passages] == [
        (PassageKind.PARAGRAPH, "按 Ctrl 键，见 标签文字，按钮文字，链接文字，另一篇。"),
        (PassageKind.QUOTE, "我在年青时候也曾经做过许多梦。—— 鲁迅, 《呐喊》"),
        (PassageKind.QUOTE, "居中的引用，它够长了。"),
        (PassageKind.PARAGRAPH, "未知标签里的文字。"),
        (PassageKind.PARAGRAPH, "原样的文字留在这里"),
    ]


@pytest.mark.parametrize(
    ("line", "spans"),
    [
        ("a `{% x %}` b `<div>`", ["`{% x %}`", "`<div>`"]),
        ("``a`b`` c", ["``a`b``"]),  # a run closes only at a run of the same length
        ("x ``y` z", []),  # no partner: literal backticks
        ("\\`a` b`", ["` b`"]),  # an escaped backtick cannot open a span ...
        ("`a\\` x", ["`a\\`"]),  # ... but inside a span a backslash is just text
    ],
)
def test_code_spans_follow_commonmark(line: str, spans: list[str]) -> None:
    assert [line[start:end] for start, end in code_spans(line)] == spans


def test_hexo_tags_in_inline_code_are_examples_not_tags(tmp_path: Path) -> None:
    result = ImportResult()
    path = write(
        tmp_path / "post.md",
        "# 标题\n\n行内代码 `{% note %}` 和 `<div>`。\n\n"
        "用 ``{% endnote %}`` 结束，{% label primary @真正的标签 %}。\n\n"
        "{% note info %}\n提示的内容写在这里。\n{% endnote %}\n",
    )
    doc = parse_markdown_file(path, tmp_path, SiteConfig(), result.problems)
    assert result.problems == []
    assert [(p.kind, p.text) for p in doc.passages] == [
        (PassageKind.PARAGRAPH, "行内代码 note 和 ‹div›。"),
        (PassageKind.PARAGRAPH, "用 endnote 结束，真正的标签。"),
        (PassageKind.NOTE, "提示的内容写在这里。"),
    ]
    # NOTICE.md lists tags in backticks: not an unclosed {% note %}
    notice = load_corpus([HEXO / "NOTICE.md"])
    assert notice.problems == []
    assert not any(MARKUP.search(t) for t in texts(notice.documents[0]))


def test_unclosed_html_comment_skips_only_its_line(tmp_path: Path) -> None:
    result = ImportResult()
    path = write(
        tmp_path / "post.md",
        "第一段在注释之前。\n\n<!-- 没有结束的注释\n\n第二段在注释之后。\n\n"
        "> 引用写在注释之前\n> <!-- 也没有结束\n> 引用写在注释之后\n",
    )
    doc = parse_markdown_file(path, tmp_path, SiteConfig(), result.problems)
    assert texts(doc) == [
        "第一段在注释之前。",
        "第二段在注释之后。",
        "引用写在注释之前",
        "引用写在注释之后",
    ]
    assert [(p.reason, p.skipped) for p in result.problems] == [
        ("HTML comment <!-- opened at line 3 is never closed; only that line was skipped", False),
        ("HTML comment <!-- opened at line 8 is never closed; only that line was skipped", False),
    ]
    # a comment that does close later still hides what it holds, and is not a problem
    closed = parse_text(
        tmp_path, "注释前的一段话。\n\n<!--\n隐藏的文字。\n-->\n\n注释后的一段话。\n"
    )
    assert texts(closed) == ["注释前的一段话。", "注释后的一段话。"]


def test_strikethrough_markers_are_dropped(tmp_path: Path) -> None:
    doc = parse_text(tmp_path, "这是~~删除线~~文字，~单个波浪号~不变。\n")
    assert texts(doc) == ["这是删除线文字，~单个波浪号~不变。"]


def test_tag_broken_by_a_line_break_does_not_leak(tmp_path: Path) -> None:
    result = ImportResult()
    path = write(
        tmp_path / "post.md",
        "{% note info %}\n提示写在这里了。\n{% endnote\n\n之后的一个段落。\n\n"
        "{% codeblock lang:shell %\nrm -rf build\n{% endcodeblock %}\n\n"
        "{% unknown arg\n最后的一个段落。\n",
    )
    doc = parse_markdown_file(path, tmp_path, SiteConfig(), result.problems)
    assert [(p.kind, p.text) for p in doc.passages] == [
        (PassageKind.NOTE, "提示写在这里了。"),
        (PassageKind.PARAGRAPH, "之后的一个段落。"),
        (PassageKind.PARAGRAPH, "最后的一个段落。"),
    ]
    # endnote and codeblock are read as the writer meant; only the unknown tag is lost
    assert [p.reason for p in result.problems] == [
        "{% unknown at line 11 has no closing %} on its line; "
        "it was ignored with the rest of the line",
    ]


@pytest.mark.parametrize(
    ("date", "url"),
    [
        # the midnight that ends a year's last day: the next day's 00:00, as Hexo's moment
        # reads it (Mayandev's year-end posts, fresh42, had no link)
        ("2020-12-31 24:00:00", "https://x.org/2021/01/01/post/"),
        ("2020-12-30 24:00", "https://x.org/2020/12/31/post/"),
    ],
)
def test_a_date_at_24_oclock_is_the_next_days_midnight(tmp_path: Path, date: str, url: str) -> None:
    problems: list[Problem] = []
    path = write(tmp_path / "post.md", f"---\ntitle: 年终\ndate: {date}\n---\n正文。\n")
    doc = parse_markdown_file(path, tmp_path, SiteConfig(url="https://x.org"), problems)
    assert doc.document.url == url
    assert problems == []


@pytest.mark.parametrize(
    "date", ["2022-13-45", "2022-02-30", "2022-02-30 10:00:00", "2022/13/01", "2022-01-01 24:30"]
)
def test_invalid_front_matter_date_keeps_the_post(tmp_path: Path, date: str) -> None:
    result = ImportResult()
    path = write(
        tmp_path / "post.md",
        f"---\ntitle: 坏日期\ndate: {date}\nupdated: 2022-03-01\ntags: [甲, 乙]\n---\n正文。\n",
    )
    doc = parse_markdown_file(path, tmp_path, SiteConfig(url="https://x.org"), result.problems)
    assert (doc.document.title, doc.document.tags) == ("坏日期", ("甲", "乙"))
    assert (doc.document.date, doc.document.updated) == (None, "2022-03-01")
    assert doc.document.url is None  # the permalink needs :year
    assert texts(doc) == ["正文。"]
    assert [(p.reason, p.skipped) for p in result.problems] == [
        (f"front matter date: {date} is not a valid date; it was ignored", False)
    ]
    free_text = parse_text(tmp_path, "---\ndate: 2019年春\n---\n正文。\n")
    assert free_text.document.date == "2019年春"  # not shaped like a date: kept as text


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_bytes("\ufeff---\r\ntitle: 标题\r\n---\r\n\r\n第一行\r\n第二行\r\n".encode())
    doc = parse_markdown_file(path, tmp_path, SiteConfig())
    assert doc.document.title == "标题"
    assert texts(doc) == ["第一行第二行"]
    assert doc.passages[0].line == 5


# --- front matter ------------------------------------------------------------------------


def test_toml_front_matter(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        '+++\ntitle = "TOML 标题"\ndate = 2020-05-06T07:08:09\ntags = ["a", "b"]\n'
        'author = ["甲", "乙"]\n+++\n\n正文。\n',
    )
    assert doc.document.title == "TOML 标题"
    assert doc.document.date == "2020-05-06T07:08:09"
    assert doc.document.tags == ("a", "b")
    assert doc.document.authors == ("甲", "乙")
    assert texts(doc) == ["正文。"]


def test_front_matter_without_opening_line(tmp_path: Path) -> None:
    doc = parse_text(tmp_path, "title: 无开头\ndate: 2020-01-02\n---\n\n正文。\n")
    assert doc.document.title == "无开头"
    assert texts(doc) == ["正文。"]
    # a setext heading is not front matter
    doc = parse_text(tmp_path, "标题\n---\n\n正文。\n")
    assert doc.sections[1].heading == "标题"


@pytest.mark.parametrize(
    "head",
    [
        # blank lines before and between the keys, as old Hexo posts have them
        "\n\ntitle: 老博客\n\ndate: 2014-07-21 21:10:48\ntags: [手机]\n---\n",
        # a comment after a value, a blank line before the close, and a longer close
        "title: 老博客 #文章页面上的显示名称\ndate: 2014-06-14 16:25:16\n\n----------\n",
    ],
)
def test_old_hexo_front_matter_without_opening_line(tmp_path: Path, head: str) -> None:
    doc = parse_text(tmp_path, head + "\n正文。\n")
    assert doc.document.title == "老博客"
    assert doc.document.date is not None and doc.document.date.startswith("2014-")
    assert "正文。" in texts(doc)
    assert not any("title" in text for text in texts(doc))
    # prose before a thematic break is still prose
    prose = parse_text(tmp_path, "正文的第一段。\n\n第二段：也是正文。\n\n----------\n\n第三段。\n")
    assert any(text.startswith("正文的第一段。") for text in texts(prose))
    assert prose.document.title == "post"  # no front matter: the file's name
    # ... and a heading before the dashes is a heading, not a comment in front matter
    heading = parse_text(tmp_path, "tags: 读书\n\n# 《活着》读后感\n\n---\n\n福贵的一生。\n")
    assert heading.document.title == "《活着》读后感"


def test_old_hexo_headings_without_a_space_are_headings_but_not_in_a_folder_of_notes(
    tmp_path: Path,
) -> None:
    text = (
        "title: 老博客\n---\n\n#音乐\n\n听了一整天的歌，还是 Beyond 最好。\n\n#后记\n\n"
        # what reads as text, not a heading: a Weibo topic, a number, a sentence
        "#每日一句# 人生不过是一场漫长的告别，我们要学会珍惜眼前人。\n\n"
        "#1 第一件事是把书房收拾干净\n\n#这句话说得真好。\n"
    )
    hexo = SiteConfig(generator="hexo", settings=(("layout", "site"),))
    doc = parse_text(tmp_path, text, hexo)
    assert [s.heading for s in doc.sections if s.heading] == ["音乐", "后记"]
    kept = "\n".join(texts(doc))
    assert "人生不过是一场漫长的告别" in kept and "第一件事是把书房收拾干净" in kept
    assert "这句话说得真好" in kept
    # A plain folder of notes (no site config): `#标签` starting a line is a tag, as typed.
    notes = parse_text(tmp_path, text)
    assert not any(s.heading for s in notes.sections)
    assert any("#音乐" in t for t in texts(notes))


def test_nested_categories_and_tags(tmp_path: Path) -> None:
    doc = parse_text(tmp_path, "---\ncategories: [[a, b], c]\ntags: 单个\n---\n正文。\n")
    assert doc.document.categories == ("a / b", "c")
    assert doc.document.tags == ("单个",)
    flat = parse_text(tmp_path, "---\ncategories:\n  - 父\n  - 子\n---\n正文。\n")
    assert flat.document.categories == ("父 / 子",)  # Hexo: a flat list is one hierarchy


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三", ("张三",)),
        ("张三 | 李四 | 王五", ("张三", "李四", "王五")),
        ("[张三, 李四]", ("张三", "李四")),
        ("{name: 张三, link: 'https://x.org'}", ("张三",)),
    ],
)
def test_author_forms(tmp_path: Path, value: str, expected: tuple[str, ...]) -> None:
    doc = parse_text(tmp_path, f"---\nauthor: {value}\n---\n正文。\n")
    assert doc.document.authors == expected
    assert doc.sections[0].author == "、".join(expected)


def test_title_falls_back_to_first_h1_then_file_name(tmp_path: Path) -> None:
    assert parse_text(tmp_path, "## 二级\n\n# 一级标题\n\n正文。\n").document.title == "一级标题"
    assert parse_text(tmp_path, "正文。\n").document.title == "post"


def _titles_of_untitled_pages(root: Path, *paths: str) -> dict[str, str]:
    """Each page at `paths` holds one sentence, no front matter, no heading: the titles
    the importer gives them, by path."""
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("只有一句话。\n", encoding="utf-8")
    return {d.document.path: d.document.title for d in load_corpus([root]).documents}


def test_a_folders_own_page_without_a_title_is_named_by_its_folder(tmp_path: Path) -> None:
    # A novella kept as book/happycity/index.md, no front matter, opening with text: its
    # title was "index". A folder that holds the site's pages (source/, docs/) names nothing.
    titles = _titles_of_untitled_pages(
        tmp_path, "book/围城里的快乐/index.md", "docs/index.md", "index.md"
    )
    assert titles == {
        "book/围城里的快乐/index.md": "围城里的快乐",
        "docs/index.md": "index",
        "index.md": "index",
    }


def test_a_sites_top_page_without_a_title_takes_the_sites(tmp_path: Path) -> None:
    # Hugo's content/_index.md is the home page (the site's title), content/docs/_index.md
    # a section named docs; a folder name that cannot be read leaves the file's name.
    (tmp_path / "hugo.toml").write_text(
        'baseURL = "https://blog.example.org/"\ntitle = "可乐橙的博客"\n', encoding="utf-8"
    )
    titles = _titles_of_untitled_pages(
        tmp_path, "content/_index.md", "content/docs/_index.md", "content/posts/trip/index.md"
    )
    assert titles == {
        "content/_index.md": "可乐橙的博客",
        "content/docs/_index.md": "docs",
        "content/posts/trip/index.md": "trip",
    }


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("典型发言&amp;几个人的战斗", "典型发言&几个人的战斗"),
        ("中国的污染&#8212;&#8212;卢广", "中国的污染——卢广"),
        ("躲开！&#8220;国家队&#8221;来了", "躲开！“国家队”来了"),
        ("WAVIN&#039; YOUR FLAG", "WAVIN' YOUR FLAG"),
        ("R&D 与 AT&T", "R&D 与 AT&T"),  # no escape in it: as written
    ],
)
def test_a_title_with_html_escapes_reads_as_the_page_shows_it(
    tmp_path: Path, written: str, shown: str
) -> None:
    # Posts brought over from WordPress keep its escapes in their titles; the page shows
    # the characters, and a reader searching the title types those.
    doc = parse_text(tmp_path, f"---\ntitle: '{written}'\n---\n\n正文。\n")
    assert doc.document.title == shown


def test_words_tags_pasted_from_word_are_not_text(tmp_path: Path) -> None:
    # Old WordPress posts pasted from Word carry <o:p>, <st1:chsdate>: CommonMark reads no
    # tag name with a colon, so they stayed as text ("‹o:p› ‹/o:p›", 137 passages of a
    # Jekyll blog). A browser shows what they enclose and hides them.
    doc = parse_text(
        tmp_path,
        "一个月的挂职锻炼终于结束了，回到了上海。<o:p></o:p>\n\n<o:p> </o:p>\n\n"
        '我于<st1:chsdate Year="2008" Month="7">2008年7月15日</st1:chsdate>来到定西。\n\n'
        "代码里的 `<w:p>` 是 Word 文档的一个段落，照写。\n",
    )
    assert texts(doc) == [
        "一个月的挂职锻炼终于结束了，回到了上海。",
        "我于2008年7月15日来到定西。",
        "代码里的 ‹w:p› 是 Word 文档的一个段落，照写。",
    ]


def test_a_heading_of_markup_only_opens_no_nameless_section(tmp_path: Path) -> None:
    # `# <span lang=EN-US></p>` (a post pasted from Word): the passages after it were shown
    # under an empty heading; they belong to the heading before it.
    doc = parse_text(
        tmp_path,
        "## 嵌入式\n\n第一段正文。\n\n# <span lang=EN-US></p>\n\n第二段正文。\n",
    )
    assert {doc.sections[p.section].heading for p in doc.passages} == {"嵌入式"}
    assert "第二段正文。" in "".join(texts(doc))


def test_bold_that_commonmark_leaves_and_raw_tags_in_code_are_not_text(tmp_path: Path) -> None:
    # marked (Hexo) renders '**…。**以下' bold; CommonMark's flanking rules leave the stars,
    # which were kept as '*…。*'. Inline code showing `{% raw %}{{ x }}{% endraw %}` shows
    # {{ x }} on the page, not 'raw{{ x }}endraw'.
    doc = parse_text(
        tmp_path,
        "**MAC 地址第二位数字必须是偶数。**以下是设置方法，照做即可。\n\n"
        "模板里写 `{% raw %}{{ greeting }}{% endraw %}` 就能显示问候语。\n",
    )
    assert texts(doc) == [
        "MAC 地址第二位数字必须是偶数。以下是设置方法，照做即可。",
        "模板里写 {{ greeting }} 就能显示问候语。",
    ]


def test_front_matter_source_field(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path, "---\ntitle: t\nsource: https://www.example.org/a\n---\n\n## 小节\n\n正文。\n"
    )
    assert doc.document.source_url == "https://www.example.org/a"
    section = doc.sections[doc.passages[0].section]
    assert (section.source_url, section.source_name) == ("https://www.example.org/a", "example.org")


def test_alias_bomb_is_harmless(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(12)
    )
    doc = parse_text(tmp_path, f"---\n{bomb}tags: *m\ncategories: *m\ntitle: 炸弹\n---\n正文。\n")
    assert doc.document.title == "炸弹"
    assert len(doc.document.tags) <= 100


def test_python_object_tag_is_refused_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path / "evil.md",
        f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n---\n正文。\n',
    )
    with pytest.raises(ImportProblem, match="invalid YAML front matter"):
        parse_markdown_file(path, tmp_path, SiteConfig())
    assert not marker.exists()


# --- attribution --------------------------------------------------------------------------


def test_attribution_forms_and_inheritance(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        "---\nauthor: 甲 | 乙\n---\n\n来源：https://www.root.example/x\n\n开头段落。\n\n"
        "# 第一篇\n\n作者：张三\n原文链接：[人民网](https://people.example/1)\n\n第一篇的正文写在这里。\n\n"
        "## 小节\n\n> Author: Jane Doe\n> 小节引用的正文在这里。\n\n"
        "# 第二篇\n\n{% note info %}\n译者：某人\n出处：《某书》\n这句话留下来。\n{% endnote %}\n\n"
        "第二篇的正文在这里。\n\n来源：中间的这一行不是署名，是正文。\n",
    )
    by_text = {p.text: doc.sections[p.section] for p in doc.passages}
    root = by_text["开头段落。"]
    assert (root.author, root.source_url, root.source_name) == (
        "甲、乙",
        "https://www.root.example/x",
        "root.example",
    )
    first = by_text["第一篇的正文写在这里。"]
    assert (first.author, first.source_url, first.source_name) == (
        "张三",
        "https://people.example/1",
        "人民网",
    )
    sub = by_text["小节引用的正文在这里。"]
    assert (sub.author, sub.source_url) == ("Jane Doe", "https://people.example/1")
    second = by_text["第二篇的正文在这里。"]
    # own source name, no own URL: the inherited root source URL is not mixed in
    assert (second.author, second.source_name) == ("甲、乙", "《某书》")
    assert "这句话留下来。" in by_text
    assert "来源：中间的这一行不是署名，是正文。" in by_text
    assert not any(t.startswith(("作者", "原文链接", "译者", "出处", "Author")) for t in by_text)


def test_trailing_credit_line_attributes_the_article_it_closes(tmp_path: Path) -> None:
    doc = parse_text(
        tmp_path,
        "# 转载的文章\n\n第一段的正文写在这里。\n\n## 小节\n\n小节的正文写在这里。\n\n"
        "本文转载自：[某公众号](https://mp.example/s/abc)\n作者：李四\n",
    )
    by_text = {p.text: doc.sections[p.section] for p in doc.passages}
    assert set(by_text) == {
        "第一段的正文写在这里。",
        "小节的正文写在这里。",
    }  # the credit is not a passage
    for text in by_text:
        section = by_text[text]
        assert (section.author, section.source_url, section.source_name) == (
            "李四",
            "https://mp.example/s/abc",
            "某公众号",
        ), text


def test_a_lead_in_takes_the_short_list_it_introduces_whole(tmp_path: Path) -> None:
    """'写测试只要抓住两个原则：' with only the first of them is half of what was said."""
    doc = parse_text(
        tmp_path,
        "# 测试\n\n其实总归来说：写测试只要抓住两个原则：\n\n* One assertion per test\n"
        "* DAMP not DRY\n\n就可以解决八成的问题。\n\n要点有三：\n\n"
        + "".join(f"* {'很长的一条说明，' * 12}第{n}条。\n" for n in (1, 2)),
    )
    texts = [p.text for p in doc.passages]
    # ... and the short paragraph that ends its sentence
    assert texts[0] == (
        "其实总归来说：写测试只要抓住两个原则：\nOne assertion per test\nDAMP not DRY\n"
        "就可以解决八成的问题。"
    )
    # items of a paragraph each: the lead-in joins the first, as before
    assert texts[1].startswith("要点有三：\n很长的一条说明") and texts[1].endswith("第1条。")
    assert texts[2].endswith("第2条。")
    # code between the list and the paragraph: the sentence ended before the code
    doc = parse_text(
        tmp_path,
        "# 安装\n\n安装只要两步：\n\n* 下载安装包\n* 双击运行\n\n```sh\n./install.sh\n```\n\n"
        "就这样，装好以后重启一次电脑。\n",
    )
    assert [p.text for p in doc.passages] == [
        "安装只要两步：\n下载安装包\n双击运行",
        "就这样，装好以后重启一次电脑。",
    ]


def test_a_short_piece_that_opens_what_follows_joins_it_not_the_one_before(
    tmp_path: Path,
) -> None:
    """A name over the lines about its owner, a poem's "那些天" whose sentence goes on below,
    an enumerator's label: each was glued to the end of the passage before it."""
    doc = parse_text(
        tmp_path,
        "# 新年快乐\n\n在一个群里认识的，后来群解散了。\n\nKevin\n\n"
        "印象不深刻，经常一失踪就是几个月。\n\n恍惚之间，又来到了年前。\n\n那些天\n\n"
        "你用令人莞尔的话语，把我逗笑。\n\n有三个领域值得了解。\n\n第一，医学。\n\n"
        "生病的时候，知道该去哪个科室。\n\n写完了，就这样吧。\n\n谢谢。\n\n（未完）\n\n"
        "下一篇再说别的事情。\n\n南国微雪\n",
    )
    assert [p.text for p in doc.passages] == [
        "在一个群里认识的，后来群解散了。",
        "Kevin\n印象不深刻，经常一失踪就是几个月。",
        "恍惚之间，又来到了年前。",
        "那些天\n你用令人莞尔的话语，把我逗笑。",
        "有三个领域值得了解。",
        "第一，医学。\n生病的时候，知道该去哪个科室。",
        # a short piece that ends (a sentence, an aside) still ends the one before
        "写完了，就这样吧。\n谢谢。\n（未完）",
        # and with nothing after it in the section, the one before is all there is
        "下一篇再说别的事情。\n南国微雪",
    ]


def test_a_media_elements_fallback_text_is_not_prose(tmp_path: Path) -> None:
    """1000h.org (fresh28): 'Your browser does not support the video tag.' was a passage of
    its own in six pages, and the end of the lead-in it followed in one."""
    doc = parse_text(
        tmp_path,
        "# 发声器官\n\n以下的 X 光视频展示了一个歌手在演唱歌曲时发声器官的活动情况：\n\n"
        '<video controls width="720"> <source src="/v.mp4" type="video/mp4"></source>'
        "Your browser does not support the video tag. </video>\n\n"
        '<audio controls><source src="/a.mp3">Your browser does not support the audio element.'
        "</source></audio>\n\n"
        "<div>\n<p>听完再看下面的说明。</p>\n<video><p>不支持视频播放。</p></video>\n</div>\n\n"
        '说话其实是低配版唱歌，要求低一些。<iframe src="/x">请打开网页观看</iframe>真的。\n',
    )
    texts = [p.text for p in doc.passages]
    assert not any("support" in t or "不支持" in t or "请打开" in t for t in texts), texts
    assert texts[0] == "以下的 X 光视频展示了一个歌手在演唱歌曲时发声器官的活动情况："
    assert "听完再看下面的说明。" in texts
    assert "说话其实是低配版唱歌，要求低一些。真的。" in texts


def test_a_bold_line_of_its_own_titles_the_paragraph_below_it(tmp_path: Path) -> None:
    """jysperm's interview tips (fresh26): '**围绕话题由浅入深**' was a passage of eight
    characters, its advice the next one. A bold word inside a sentence, a long bold
    sentence, or one that ends a paragraph are not titles."""
    doc = parse_text(
        tmp_path,
        "# 面试\n\n**围绕话题由浅入深**\n\n应该针对同一话题准备多个难度逐步增加的问题。\n\n"
        "这是**重点**，要记住的是前面那句话。\n\n"
        "**这一整句话都加粗了，因为作者觉得它特别重要。**\n\n后面还有一段正常的文字。\n\n"
        "**最后**\n",
    )
    assert [p.text for p in doc.passages] == [
        "围绕话题由浅入深\n应该针对同一话题准备多个难度逐步增加的问题。",
        "这是重点，要记住的是前面那句话。",
        "这一整句话都加粗了，因为作者觉得它特别重要。",
        "后面还有一段正常的文字。\n最后",
    ]


def test_nothing_joins_across_a_thematic_break(tmp_path: Path) -> None:
    """dbarobin.com (fresh31): each post opens `文/Robin`, a `***` rule, then a bold
    "本站推广" over an ad; the byline was joined to the ad on 120 posts, and a lead-in
    ending the post's text ("…的名言，地址：", its link an image) too. What a rule sets
    apart stays apart; a short piece still joins its neighbour on its own side."""
    doc = parse_text(
        tmp_path,
        "`文/Robin`\n\n***\n\n**本站推广**\n\n币安是全球领先的数字货币交易平台。\n\n"
        "----\n\n日常生活中，我们总是想象还有足够的时间完成某件事。\n\n好的。\n\n"
        "可以看下拖延症相关的名言，地址：\n\n***\n\n–EOF–\n\n感谢阅读，下次再见。\n",
    )
    assert texts(doc) == [
        "文/Robin",
        "本站推广\n币安是全球领先的数字货币交易平台。",
        "日常生活中，我们总是想象还有足够的时间完成某件事。\n好的。",
        "可以看下拖延症相关的名言，地址：",
        "–EOF–\n感谢阅读，下次再见。",
    ]


def test_a_hand_made_list_of_the_sites_pages_is_not_prose(tmp_path: Path) -> None:
    """jysperm's list.md (fresh26): every post's title as a link, 162 passages that a
    reader typing a title found before the post itself."""
    doc = parse_text(
        tmp_path,
        "# 所有日志\n\n- [推荐书单](/booklist)\n- [足迹](../footprints.md)\n"
        "- [二十岁的我在想些什么](2016/11/my-20/)\n\n"
        "这个博客创建于我第一天上学的时候。\n\n"
        "- [《黑客与画家》，保罗·格雷厄姆著](https://book.douban.com/subject/6021440/)\n"
        "- 推荐 [这篇文章](/posts/x) 给大家\n- [回到本页上方的目录看看](#top)\n\n"
        "[上级目录](../)\n\n"
        # a month's books, each a short link to another site (xianyuxmu's monthly reading)
        "## 本月读书\n\n- [解密万达执行力](https://book.douban.com/subject/25881932/)\n\n"
        # an author's accounts: they name sites, not works
        "## 找到我\n\n- [GitHub](https://github.com/me)\n- [微博](https://weibo.com/me)\n",
    )
    assert [p.text for p in doc.passages] == [
        "这个博客创建于我第一天上学的时候。",
        # another site's page, a sentence around a link: kept
        "《黑客与画家》，保罗·格雷厄姆著",
        "推荐 这篇文章 给大家",
        "本月读书\n解密万达执行力",  # a section of a few words keeps its heading
    ]


def test_a_list_of_the_pages_own_headings_is_not_prose(tmp_path: Path) -> None:
    """bmpi.dev (fresh36) opens 24 pages with a list of links to their own headings: 190
    passages outside any section, each a heading again, found before its section."""
    doc = parse_text(
        tmp_path,
        "- [不靠运气赚钱](#不靠运气赚钱)\n- [商业杠杆](#商业杠杆)\n"
        "  - [产品和媒体是新的杠杆](#产品和媒体是新的杠杆)\n\n"
        "我出生于一个贫穷的农村家庭，很长时间我的家庭都面临着财务困难。\n\n"
        "## 不靠运气赚钱\n\n想要不靠运气赚钱，就要找到自己独特的知识。\n\n"
        "## 商业杠杆\n\n- 见 [不靠运气赚钱](#不靠运气赚钱) 一节\n",
    )
    assert [(doc.sections[p.section].heading_path, p.text) for p in doc.passages] == [
        ((), "我出生于一个贫穷的农村家庭，很长时间我的家庭都面临着财务困难。"),
        (("不靠运气赚钱",), "想要不靠运气赚钱，就要找到自己独特的知识。"),
        (("商业杠杆",), "见 不靠运气赚钱 一节"),  # a sentence around the jump stays
    ]


def test_an_archive_of_the_sites_own_pages_and_bare_list_numbers_are_not_prose(
    tmp_path: Path,
) -> None:
    """wmyskxz.cn (fresh37): its weekly's index lists 138 issues as "- 04/28 [title](its
    address)", passages that were each a title again; and its quotes are numbered by a "1、"
    on a line of its own (129 passages of one number). A link to another site stays, and a
    credit after a dash stays with the saying it signs."""
    doc = parse_text(
        tmp_path,
        "- 04/28 [代码之外周刊（第 139 期）：努力背后的真相](https://www.wmyskxz.cn/weekly/139)\n"
        "- 2024/12/09 [第 138 期：婚姻幸福指南](https://wmyskxz.cn/weekly/138)\n"
        "- 05/01 [那些吃灰产品的正确用法](http://www.geekpark.net/news/297961)\n\n"
        "# 言论\n\n1、\n\n> 把它们通通变成数字时钟吧！\n\n2）\n\n"
        "你若要喜欢你自己的价值，就得给世界创造价值。\n\n——歌德\n\n（三）\n\n谁要游戏人生，他就一事无成；谁不能主宰自己，永远是个奴隶。\n",
        SiteConfig(url="https://www.wmyskxz.cn", generator="hexo"),
    )
    assert [p.text for p in doc.passages] == [
        "05/01 那些吃灰产品的正确用法",
        "把它们通通变成数字时钟吧！",
        "你若要喜欢你自己的价值，就得给世界创造价值。\n——歌德",
        "谁要游戏人生，他就一事无成；谁不能主宰自己，永远是个奴隶。",
    ]


def test_a_short_line_before_code_joins_what_is_said_after_the_code(tmp_path: Path) -> None:
    """limboy.me: '再来看下面一段代码' stood alone, a passage that says nothing, and what the
    author said of the code after it began the next one. With no text after the code it
    stays (it may be a statement without its full stop)."""
    doc = parse_text(
        tmp_path,
        "# PHP\n\n再来看下面一段代码\n\n```php\nclass B extends A {}\n```\n\n"
        "猜猜结果会怎样？有点出乎意料，代码报错了。\n\n## 结论\n\n"
        "最后的版本是 2.0 版\n\n```sh\nmake\n```\n",
    )
    assert [p.text for p in doc.passages] == [
        "再来看下面一段代码\n猜猜结果会怎样？有点出乎意料，代码报错了。",
        "最后的版本是 2.0 版",
    ]


def test_a_heading_inside_a_quote_heads_the_quote_not_the_text_after_it(
    tmp_path: Path,
) -> None:
    """yihui.org (fresh29): a quoted poem's '> ## YOUTH' and '> ### --- Samuel Ullman' took
    the author's own paragraphs after the quote under them until the next real heading."""
    doc = parse_text(
        tmp_path,
        "# 青春\n\n我一直很喜欢这首诗。\n\n> ## YOUTH\n>\n> ### --- Samuel Ullman\n>\n"
        "> Youth is not a time of life; it is a state of mind.\n\n"
        "读这首诗的时候我还在上大学。\n\n## 后来\n\n后来我也不再年轻了。\n",
    )
    paths = [(p.text, doc.sections[p.section].heading_path) for p in doc.passages]
    assert paths == [
        ("我一直很喜欢这首诗。", ("青春",)),
        (
            "Youth is not a time of life; it is a state of mind.",
            ("青春", "YOUTH", "--- Samuel Ullman"),
        ),
        ("读这首诗的时候我还在上大学。", ("青春",)),
        ("后来我也不再年轻了。", ("青春", "后来")),
    ]


def test_a_labelled_question_and_its_answer_are_one_passage(tmp_path: Path) -> None:
    """An FAQ or interview: 'A: 接近 2000 本。' alone says nothing a reader could place."""
    doc = parse_text(
        tmp_path,
        "# 出书的一些数据\n\nQ: 这一本书两年来卖了多少本？\n\nA: 接近 2000 本。\n\n"
        "问：赚了多少钱？\n\n答：其实没有仔细算过，有时候特价打对折。\n\n"
        "Q: 下一本写什么？\n\n还没有想好，也许写部署。\n\n"
        "Q: 怎么安装？\n\n- A: 用 pip 安装，最省事。\n- B: 用 conda 安装，适合科学计算。\n\n"
        "Q: what is the plan for the meeting?\n\nA. Smith will send the notes later today.\n",
    )
    assert [p.text for p in doc.passages] == [
        "Q: 这一本书两年来卖了多少本？\nA: 接近 2000 本。",
        "问：赚了多少钱？\n答：其实没有仔细算过，有时候特价打对折。",
        "Q: 下一本写什么？",  # no labelled answer: the question stays its own
        "还没有想好，也许写部署。",
        "Q: 怎么安装？",  # choices in a list are not its answer
        "A: 用 pip 安装，最省事。",
        "B: 用 conda 安装，适合科学计算。",
        "Q: what is the plan for the meeting?",
        "A. Smith will send the notes later today.",  # a name's initial, not a label
    ]


def test_a_credit_copied_from_zhihu_is_the_credit_not_passages(tmp_path: Path) -> None:
    """Zhihu adds 作者/链接/来源 and a copyright notice to copied text; pasted at the top of
    a post (or at its end) they credit it, and none is a passage a reader would get."""
    credit = (
        "作者：千张\n\n链接：https://www.zhihu.com/question/19767285/answer/149894118\n\n"
        "来源：知乎\n\n著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。\n\n"
    )
    for text in (
        f"# GRE修仙指南\n\n{credit}备考最重要的是计划，然后坚定地执行。\n",
        f"# GRE修仙指南\n\n备考最重要的是计划，然后坚定地执行。\n\n{credit}",
    ):
        doc = parse_text(tmp_path, text)
        assert [p.text for p in doc.passages] == ["备考最重要的是计划，然后坚定地执行。"]
        section = doc.sections[doc.passages[0].section]
        assert (section.author, section.source_url) == (
            "千张",
            "https://www.zhihu.com/question/19767285/answer/149894118",
        )
    # Alone, a 链接 line is the writer's (a share link, a project), and so is a sentence on
    # copyright: neither is a credit.
    doc = parse_text(
        tmp_path,
        "# 工具\n\n链接：https://github.com/me/renamer\n\n周末写了一个改名的小工具。\n\n"
        "资料都放在网盘里了。\n\n链接：https://pan.baidu.com/s/1AbCdEf 提取码：x7k2\n\n"
        "著作权归作者所有，这意味着任何转载都需要事先取得授权。\n",
    )
    texts = [p.text for p in doc.passages]
    assert any("pan.baidu.com/s/1AbCdEf 提取码：x7k2" in t for t in texts), texts
    assert any("github.com/me/renamer" in t for t in texts), texts
    assert any(t.startswith("著作权归作者所有，这意味着") for t in texts), texts
    assert doc.sections[doc.passages[0].section].source_url is None


def test_post_url_and_anchors_from_hexo_config(tmp_path: Path) -> None:
    blog = tmp_path / "blog"
    write(
        blog / "_config.yml",
        "title: 博客\nurl: https://me.example.org/blog/\n"
        "permalink: :year/:i_month/:title.html\nauthor: 站长\n",
    )
    write(
        blog / "source" / "_posts" / "dir" / "文章.md",
        "---\ntitle: 文章\ndate: 2021-03-04 05:06:07\n---\n\n## 第一节：开始！\n\n一。\n\n"
        "## 第一节：开始！\n\n二。\n\n## Hello, World (v2.0)\n\n三。\n",
    )
    result = load_corpus([blog / "source"])
    (doc,) = result.documents
    base = "https://me.example.org/blog/2021/3/dir/%E6%96%87%E7%AB%A0.html"
    assert doc.document.url == base
    assert [s.anchor for s in doc.sections] == [
        None,
        "第一节：开始！",  # hexo-util's slugize keeps Chinese punctuation
        "第一节：开始！-1",
        "Hello-World-v2-0",
    ]
    urls = [doc.sections[p.section].source_url for p in doc.passages]
    assert urls == [
        base + "#%E7%AC%AC%E4%B8%80%E8%8A%82%EF%BC%9A%E5%BC%80%E5%A7%8B%EF%BC%81",
        base + "#%E7%AC%AC%E4%B8%80%E8%8A%82%EF%BC%9A%E5%BC%80%E5%A7%8B%EF%BC%81-1",
        base + "#Hello-World-v2-0",
    ]
    assert {doc.sections[p.section].author for p in doc.passages} == {"站长"}
    assert {doc.sections[p.section].source_name for p in doc.passages} == {"博客"}


def test_front_matter_permalink_overrides_and_corpus_yaml_wins(tmp_path: Path) -> None:
    write(tmp_path / "_config.yml", "url: https://hexo.example/\n")
    write(tmp_path / "corpus.yaml", "url: https://corpus.example\ntitle: 语料\n")
    write(tmp_path / "a.md", "---\ntitle: A\npermalink: about/me/\n---\n正文。\n")
    write(tmp_path / "b.md", "---\ntitle: B\nabbrlink: 1a2b\n---\n正文。\n")
    assert load_site_config(tmp_path).url == "https://corpus.example"
    result = load_corpus([tmp_path])
    urls = [d.document.url for d in result.documents]
    assert urls == ["https://corpus.example/about/me/", None]  # b.md: no date for :year


def test_a_hexo_permalink_names_a_front_matter_field(tmp_path: Path) -> None:
    # jysperm.me: `permalink: :year/:month/:alias/`, every post with its own `alias:`. The
    # field was left in the URL as ":alias", so a month's posts shared one link.
    write(tmp_path / "_config.yml", "url: https://blog.example\npermalink: :year/:month/:alias/\n")
    posts = tmp_path / "source/_posts"
    write(posts / "a.md", "---\ntitle: 二十岁\nalias: my-20\ndate: 2016-11-02\n---\n正文。\n")
    write(posts / "b.md", "---\ntitle: 旧文\nalias: 523\ndate: 2016-11-20\n---\n正文。\n")
    write(posts / "c.md", "---\ntitle: 没有别名\ndate: 2016-11-21\n---\n正文。\n")
    # Hexo's own placeholders come first: a `title:` field does not replace the file's slug.
    write(tmp_path / "t/_config.yml", "url: https://t.example\npermalink: :title/:lang.html\n")
    write(tmp_path / "t/source/_posts/x.md", "---\ntitle: 标题\nlang: zh\n---\n正文。\n")
    result = load_corpus([tmp_path])
    urls = {d.document.path: d.document.url for d in result.documents}
    assert urls["source/_posts/a.md"] == "https://blog.example/2016/11/my-20/"
    assert urls["source/_posts/b.md"] == "https://blog.example/2016/11/523/"
    assert urls["source/_posts/c.md"] is None  # no alias: no link rather than a shared one
    report = "\n".join(CorpusReport.build(result).lines())
    assert "no alias for the permalink :year/:month/:alias/" in report
    other = load_corpus([tmp_path / "t"])
    assert [d.document.url for d in other.documents] == ["https://t.example/x/zh.html"]


def test_a_placeholder_url_gives_no_link_but_the_owners_intranet_url_is_kept(
    tmp_path: Path,
) -> None:
    write(tmp_path / "_config.yml", "url: http://localhost:4000\n")
    write(tmp_path / "source/_posts/a.md", "---\ntitle: A\ndate: 2024-01-02\n---\n正文。\n")
    assert load_site_config(tmp_path).url is None  # a placeholder from the Hexo config
    report = "\n".join(CorpusReport.build(load_corpus([tmp_path])).lines())
    assert "url http://localhost:4000 is a placeholder" in report  # named, not silently lost
    write(tmp_path / "corpus.yaml", "url: http://wiki:8080/blog\n")
    assert load_site_config(tmp_path).url == "http://wiki:8080/blog"  # the owner's choice
    report = "\n".join(CorpusReport.build(load_corpus([tmp_path])).lines())
    assert "generator: Hexo, http://wiki:8080/blog\n" in report + "\n"  # nothing to explain
    # What Hexo writes in a new site's config, never changed: links there open nothing.
    for default in ("http://example.com", "http://yoursite.com", "https://www.example.org/"):
        fresh = tmp_path / default.split("/")[2]
        write(fresh / "_config.yml", f"url: {default}\n")
        (fresh / "source").mkdir()
        assert load_site_config(fresh).url is None, default
    # Deployed to GitHub Pages, such a site is where it deploys: its CNAME, or the user
    # site its deploy repository is.
    pages = tmp_path / "pages"
    write(
        pages / "_config.yml",
        "url: http://yoursite.com\ndeploy:\n  type: git\n"
        "  repo: git@github.com:Someone/someone.github.io.git\n",
    )
    write(pages / "source/_posts/a.md", "---\ntitle: A\ndate: 2024-01-02\n---\n正文。\n")
    assert load_site_config(pages).url == "https://someone.github.io"
    report = "\n".join(CorpusReport.build(load_corpus([pages])).lines())
    assert "https://someone.github.io (its config's url http://yoursite.com is a" in report
    write(pages / "source/CNAME", "blog.someone.dev\n")
    assert load_site_config(pages).url == "https://blog.someone.dev"
    project = tmp_path / "project"
    write(project / "_config.yml", "deploy:\n  repo: https://github.com/someone/notes.git\n")
    (project / "source").mkdir()
    assert load_site_config(project).url is None  # a project site, and `root` says nothing
    # GitHub Pages serves a project repository at owner.github.io/repo, where Hexo's docs
    # have the site set `root: /repo/`: both together say it is served there.
    write(
        project / "_config.yml",
        "root: /notes/\ndeploy:\n  repo: https://github.com/someone/notes.git\n",
    )
    assert load_site_config(project).url == "https://someone.github.io/notes"
    write(
        project / "_config.yml",
        "root: /blog/\ndeploy:\n  repo: https://github.com/someone/notes.git\n",
    )
    assert load_site_config(project).url is None  # deployed there, served elsewhere
    ipv6 = tmp_path / "v6"
    write(ipv6 / "_config.yml", "url: http://[2606:4700::1111]/\n")
    (ipv6 / "source").mkdir()
    assert load_site_config(ipv6).url == "http://[2606:4700::1111]/"


# --- broken files ------------------------------------------------------------------------


def test_broken_files_are_named_and_good_files_still_import() -> None:
    result = load_corpus([BROKEN])
    problems = problems_by_path(result)
    expected = {
        "invalid-yaml.md": ("invalid YAML front matter at line 3", True),
        "unclosed-front-matter.md": ("never closed", True),
        "python-object.md": ("python/object", True),
        "bad-date.md": ("front matter date: 2021-02-30 is not a valid date", False),
        "not-utf8.md": ("not valid UTF-8", True),
        "binary.md": ("binary file", True),
        "list-front-matter.md": ("front matter is a list", False),
        "unclosed-fence.md": ("code fence opened at line 5 is never closed", False),
        "unclosed-note.md": ("{% note %} opened at line 5 is never closed", False),
        "unclosed-codeblock.md": ("{% codeblock %} opened at line 5 is never closed", False),
        "deep-nesting.md": ("nested too deeply", False),
        "unclosed-comment.md": ("HTML comment <!-- opened at line 7 is never closed", False),
    }
    assert set(problems) == set(expected)
    for name, (reason, skipped) in expected.items():
        assert reason in problems[name][0], (name, problems[name])
        assert problems[name][1] is skipped, name
    imported = {d.document.path: texts(d) for d in result.documents}
    assert imported["good.md"] == ["这是一篇正常的文章，应该被导入。"]
    assert imported["unclosed-fence.md"] == ["代码块之前的段落被导入。"]
    assert imported["unclosed-codeblock.md"] == ["codeblock 之前的段落。"]
    assert imported["unclosed-note.md"] == [
        "提示之前的段落。",
        "提示里面的那个段落。",
        "文件结束了也没有 endnote。",
    ]
    assert imported["list-front-matter.md"] == ["前言是列表，但正文照常导入。"]
    assert imported["deep-nesting.md"][0] == "嵌套之前的段落。"
    assert imported["bad-date.md"] == ["正文。"]
    bad_date = doc_at(result, "bad-date.md").document
    assert (bad_date.title, bad_date.date, bad_date.tags) == ("不存在的日期", None, ("日期",))
    assert imported["unclosed-comment.md"] == ["注释之前的段落。", "注释之后的段落也要导入。"]
    assert imported["broken-end-tag.md"] == ["提示里面的那个段落。", "提示之后的段落。"]
    assert result.files_seen == 14
    assert {p.path for p in result.problems} <= {str(BROKEN / name) for name in expected}


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB that were never written
    write(tmp_path / "ok.md", "正文。\n")
    result = load_corpus([tmp_path])
    assert [d.document.path for d in result.documents] == ["ok.md"]
    reason, skipped = problems_by_path(result)["big.md"]
    assert "over the 5,000,000-byte limit" in reason and skipped


def test_broken_symlink_fifo_and_unreadable(tmp_path: Path) -> None:
    write(tmp_path / "ok.md", "正文。\n")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    os.mkfifo(tmp_path / "pipe.md")  # reading it would block forever
    result = load_corpus([tmp_path])
    problems = problems_by_path(result)
    assert problems["dangling.md"] == ("broken symlink: its target does not exist", True)
    assert problems["pipe.md"] == ("not a regular file", True)
    assert [d.document.path for d in result.documents] == ["ok.md"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.md", "正文。\n")
    locked.chmod(0)
    result = load_corpus([tmp_path])
    assert problems_by_path(result)["locked.md"] == ("cannot read file: permission denied", True)


def test_pathological_input_is_fast(tmp_path: Path) -> None:
    import time

    write(tmp_path / "line.md", "长" * 3_000_000 + "\n")
    write(tmp_path / "tags.md", "{% note " * 100_000 + "\n" + "{%" * 100_000 + "\n")
    write(tmp_path / "quotes.md", "> " * 10_000 + "深\n")
    write(tmp_path / "code-tags.md", "`{% note %}` " * 200_000 + "\n")  # one line, 2.6 MB
    write(tmp_path / "many-lines.md", "a\n" * 1_000_000)  # 2 MB, but a million lines
    write(tmp_path / "heading.md", "\n<h3>a</h3>" + " " * 60_000 + "x\n" * 2)  # took 12 s
    started = time.monotonic()
    result = load_corpus([tmp_path], max_file_bytes=20_000_000)  # the line is 9 MB of UTF-8
    assert time.monotonic() - started < 30
    assert len(result.documents) == 5
    reason, skipped = problems_by_path(result)["many-lines.md"]
    assert "over the 200,000-line limit" in reason and skipped
    line = doc_at(result, "line.md")
    assert sum(len(t) for t in texts(line)) == 3_000_000
    assert all(len(t) <= 1500 for t in texts(line))


def test_broken_corpus_yaml_is_named_by_its_path(tmp_path: Path) -> None:
    config = write(tmp_path / "cfg" / "corpus.yaml", "url: [\n")
    write(tmp_path / "cfg" / "a.md", "正文。\n")
    result = load_corpus([tmp_path / "cfg"])
    assert [(p.path, p.reason, p.skipped) for p in result.problems] == [
        (str(config), "invalid YAML at line 2; using defaults", False)
    ]
    assert [texts(d) for d in result.documents] == [["正文。"]]


def test_non_markdown_file_given_directly_is_refused(tmp_path: Path) -> None:
    config = write(tmp_path / "corpus.yaml", "# 站点设置\ntitle: 语料\n")
    post = write(tmp_path / "a.md", "正文。\n")
    result = load_corpus([config, post])
    assert [(p.path, p.reason, p.skipped) for p in result.problems] == [
        (str(config), "not a Markdown file (.md, .markdown or .mdx); not imported", True)
    ]
    assert [d.document.path for d in result.documents] == ["a.md"]
    assert result.files_seen == 1
    assert list(iter_markdown_files([config])) == []


# --- finding files ------------------------------------------------------------------------


def test_iter_markdown_files_sorted_recursive_and_skips(tmp_path: Path) -> None:
    for name in [
        "b.md",
        "a/z.markdown",
        "a/y.md",
        "c.txt",
        ".hidden/x.md",
        "node_modules/m.md",
        "README.md",
    ]:
        write(tmp_path / name, "正文。\n")
    found = [f.relative_to(tmp_path).as_posix() for f, root in iter_markdown_files([tmp_path])]
    assert found == ["a/y.md", "a/z.markdown", "b.md"]
    single = list(iter_markdown_files([tmp_path / "b.md"]))
    assert single == [(tmp_path / "b.md", tmp_path)]


def test_missing_corpus_path_raises(tmp_path: Path) -> None:
    with pytest.raises(CorpusPathError, match="does not exist"):
        load_corpus([tmp_path / "nope"])


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    write(tmp_path / "posts" / "a.md", "正文。\n")
    (tmp_path / "posts" / "loop").symlink_to(tmp_path / "posts")
    (tmp_path / "posts" / "up").symlink_to(tmp_path)
    other = write(tmp_path / "elsewhere" / "b.md", "另一篇。\n").parent
    (tmp_path / "posts" / "linked").symlink_to(other)
    refused: list[tuple[Path, str]] = []
    found = [
        f.relative_to(tmp_path / "posts").as_posix()
        for f, _ in iter_markdown_files([tmp_path / "posts"], lambda p, r: refused.append((p, r)))
    ]
    assert found == ["a.md"]  # `linked` and `up` lead out of the corpus: named, not followed
    assert sorted(p.name for p, _ in refused) == ["linked", "up"]
    assert all("outside the corpus" in reason for _, reason in refused)
    allowed = [
        f.relative_to(tmp_path / "posts").as_posix()
        for f, _ in iter_markdown_files([tmp_path / "posts"], allow_outside_links=True)
    ]
    assert allowed == ["a.md", "linked/b.md"]


# --- MDX -----------------------------------------------------------------------------------


def test_an_mdx_post_is_read_for_its_prose_and_not_its_code(tmp_path: Path) -> None:
    # Next.js, Docusaurus and Astro blogs write posts in MDX: Markdown with ES module
    # statements, JSX comments and components. The prose is what a reader quotes.
    write(
        tmp_path / "site" / "posts" / "wuhan.mdx",
        "---\ntitle: 武汉游记\n---\n"
        "import Callout from '@/components/Callout'\n"
        "import { Tabs, Tab } from 'nextra/components'\n"
        "export const meta = {\n  cover: '/img/wuhan.jpg',\n  tags: ['travel'],\n}\n\n"
        "{/* 这段注释不是正文 */}\n\n"
        "长江大桥上风很大，我们走了整整一个小时。\n\n"
        '<Callout type="warning">\n\n黄鹤楼的门票要提前预约。\n\n</Callout>\n\n'
        "{/*\n  多行的注释\n*/}\n\n"
        "```js\nimport notProse from 'x'\n```\n\n"
        "热干面配蛋酒，是武汉人的早餐。\n",
    )
    result = load_corpus([tmp_path / "site"])
    assert result.problems == []
    (doc,) = result.documents
    assert doc.document.title == "武汉游记"
    assert texts(doc) == [
        "长江大桥上风很大，我们走了整整一个小时。",
        "黄鹤楼的门票要提前预约。",
        "热干面配蛋酒，是武汉人的早餐。",
    ]
    # Line numbers still point at the file's lines.
    assert [p.line for p in doc.passages] == [13, 17, 29]


def test_mdx_files_are_found_with_markdown_and_a_readme_is_not_a_post(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "---\ntitle: A\n---\n\n一段正文，写得足够长。\n")
    write(tmp_path / "b.mdx", "---\ntitle: B\n---\n\n另一段正文，也写得足够长。\n")
    write(tmp_path / "README.mdx", "# readme\n\n这不是文章。\n")
    names = sorted(path.name for path, _ in iter_markdown_files([tmp_path]))
    assert names == ["a.md", "b.mdx"]


# --- an old Octopress blog on Jekyll --------------------------------------------------------


def test_an_octopress_blog_reads_as_its_readers_see_it(tmp_path: Path) -> None:
    """Read on lenciel.com's source (345 posts): image markup with spaces in its address
    was a passage (169 of them nothing else), side notes were lost (116), a quote's author
    too, HTML headings ran into the next passage, and the archive page was imported."""
    write(tmp_path / "_config.yml", "url: https://blog.someone.dev\n")
    write(
        tmp_path / "_posts/2018-02-21-story.md",
        "---\ntitle: 故事\n---\n"
        "![Vhost threshold](/downloads/images/2006_02/a.jpg --alt Don't touch me)\n\n"
        "那天她站在桥头，看了 [RSA](https://en.wikipedia.org/wiki/RSA_(algorithm\\)) 的介绍。\n\n"
        "他后来才明白。{% sidenote 'sn-id-1' '这句话是[外婆](/about/)常说的。' %}\n\n"
        "<center><h3>2</h3></center>\n\n第二节的开头，她走了。\n\n"
        "<h3>35故事集</h3>\n* [35-00 前言](/2017/10/35-00/)\n* [35-01 桥](/2017/10/35-01/)\n\n"
        "{% blockquote George Orwell, Nineteen Eighty-Four (1984) %}\n"
        "War is peace.\n{% endblockquote %}\n\n"
        "写代码时 `![x](a b.png)` 是图片的写法。\n",
    )
    write(
        tmp_path / "archive.md",
        "---\nlayout: page\ntitle: Archives\n---\n<h2>置顶</h2>\n"
        "{% for post in site.posts %}\n  <h2>{{ post.title }}</h2>\n{% endfor %}\n",
    )
    result = load_corpus([tmp_path])
    [doc] = result.documents
    passages = [(doc.sections[p.section].heading_path, p.text) for p in doc.passages]
    assert passages[:3] == [
        ((), "那天她站在桥头，看了 RSA 的介绍。"),
        ((), "他后来才明白。 这句话是外婆常说的。"),  # the side note, where it is printed
        (("2",), "第二节的开头，她走了。"),  # the story's second part, a heading of its own
    ], passages
    quote = next(text for _, text in passages if text.startswith("War is peace."))
    assert quote.endswith("—— George Orwell, Nineteen Eighty-Four (1984)")
    # The list after an HTML heading is Markdown (kramdown ends the element at its close
    # tag): its links read as their words, not as `[35-00 前言] (/2017/10/35-00/)`.
    assert not any("/2017/10/" in text or "--alt" in text for _, text in passages)
    assert ("35故事集",) in {path for path, _ in passages}
    assert passages[-1][1] == "写代码时 ![x] (a b.png) 是图片的写法。"  # code: an example
    # The title of a table of contents is no section: the post's own headings are not
    # nested under "目录" (52 of the blog's posts open so).
    write(
        tmp_path / "_posts/2023-01-02-review.md",
        "---\ntitle: 评测\n---\n<h3>目录</h3>\n\n- TOC\n{:toc}\n\n"
        "#### 核心亮点\n\n显示能力遥遥领先。\n",
    )
    review = next(d for d in load_corpus([tmp_path]).documents if d.document.title == "评测")
    assert [(review.sections[p.section].heading_path, p.text) for p in review.passages] == [
        (("核心亮点",), "显示能力遥遥领先。")
    ]
    report = "\n".join(CorpusReport.build(result).lines())
    assert "pages not imported: listings of the site's posts (note): 1" in report


def test_what_a_tutorial_shows_is_no_listing_and_an_html_heading_keeps_its_id(
    tmp_path: Path,
) -> None:
    """From a review of the Octopress fixes: a post showing a loop over site.posts in code,
    or a page looping over its own data, was withheld as a listing; an HTML heading got an
    anchor its page does not have; a real section above {:toc} lost its heading."""
    write(tmp_path / "_config.yml", "url: https://blog.someone.dev\n")
    write(
        tmp_path / "_posts/2020-01-01-tutorial.md",
        "---\ntitle: 教程\n---\n首页要列出所有文章，模板这样写就可以了，很简单的。\n\n"
        "{% raw %}\n```liquid\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n```\n"
        "{% endraw %}\n\n行内也可以：`{% for post in site.posts %}`，写好以后运行就行。\n",
    )
    write(
        tmp_path / "links.md",
        "---\ntitle: 友链\n---\n欢迎交换友链，先在你的网站加上本站链接，然后留言。\n\n"
        "{% for friend in site.data.friends %}\n- {{ friend.name }}\n{% endfor %}\n",
    )
    write(
        tmp_path / "_posts/2021-01-01-toc.md",
        "---\ntitle: 目录\n---\n## 前言\n\n* TOC\n{:toc}\n\n"
        "前言部分的正文，说明这篇文章为什么写。\n\n"
        '<h2 id="intro">简介</h2>\n\n简介下面的正文，写得足够长一些。\n\n'
        "<h2>用法</h2>\n\n用法下面的正文，写得足够长一些。\n\n"
        "## 用法\n\n第二个同名标题下的正文。\n",
    )
    result = load_corpus([tmp_path])
    assert not [note for note in result.notes if note.kind == "listing"]
    assert len(result.documents) == 3
    toc = doc_at(result, "2021-01-01-toc.md")
    sections = {s.heading: s.anchor for s in toc.sections if s.heading}
    # 前言 keeps its heading; the HTML heading its id, or none; the Markdown 用法 its own.
    assert sections == {"前言": "前言", "简介": "intro", "用法": "用法"}, sections
    assert [s.anchor for s in toc.sections if s.heading == "用法"] == [None, "用法"]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("一、旅游计划", "一、旅游计划"),
        ("《GOOGLE排名秘笈》", "《GOOGLE排名秘笈》"),
        ("我保证这会变好（你懂了？！）", "我保证这会变好（你懂了？！）"),
        ("“学长团”的故事", "“学长团”的故事"),
        ("and user > 0", "and-user-gt-0"),
        ("Tom & Jerry's 家", "Tom-amp-Jerry-39-s-家"),
    ],
)
def test_hexo_heading_ids_are_hexo_renderer_markeds(
    tmp_path: Path, heading: str, anchor: str
) -> None:
    # Checked against three Hexo blogs rendered with their own hexo-renderer-marked: ids keep
    # Chinese punctuation, and slugize the text as marked escaped it. Links to 1,303
    # passages' sections pointed at ids the pages do not have.
    write(tmp_path / "_config.yml", "url: https://blog.someone.dev\npermalink: :title/\n")
    write(
        tmp_path / "source/_posts/trip.md",
        f"---\ntitle: 游记\ndate: 2020-01-01\n---\n## {heading}\n\n正文在这里。\n",
    )
    [doc] = load_corpus([tmp_path]).documents
    assert doc.document.url == "https://blog.someone.dev/trip/"
    assert doc.sections[doc.passages[0].section].anchor == anchor


@pytest.mark.parametrize(
    ("generator", "heading", "anchor"),
    [
        # Checked against real builds (Jekyll 4.3.1 with kramdown's GFM parser, Hugo 0.168):
        # each space of a run is a `-` of its own (463 passages' links of one blog pointed
        # at an id the page lacks), kramdown's typographic dashes and ellipses go.
        ("jekyll", "第二版前言  June 19, 2019", "第二版前言--june-19-2019"),
        ("jekyll", "1、中国最美的地方--乌镇", "1中国最美的地方乌镇"),
        ("jekyll", "--- EOF ---", "-eof-"),
        ("jekyll", "等等... 再说", "等等-再说"),
        ("jekyll", "使用 `--force` 参数", "使用---force-参数"),  # a code span's, as typed
        ("hugo", "第二版前言  June 19, 2019", "第二版前言--june-19-2019"),
        ("hugo", "1、中国最美的地方--乌镇", "1中国最美的地方--乌镇"),
        ("hugo", "How SSL works \u3000", "how-ssl-works"),
        ("hugo", "snake_case 与 C++", "snake_case-与-c"),
    ],
)
def test_heading_ids_as_kramdown_and_goldmark_make_them(
    tmp_path: Path, generator: str, heading: str, anchor: str
) -> None:
    if generator == "jekyll":
        write(tmp_path / "_config.yml", "url: https://blog.someone.dev\n")
        post = tmp_path / "_posts/2020-01-01-trip.md"
    else:
        write(tmp_path / "hugo.toml", 'baseURL = "https://blog.someone.dev/"\n')
        post = tmp_path / "content/posts/trip.md"
    write(post, f"---\ntitle: 游记\ndate: 2020-01-01\n---\n## {heading}\n\n正文在这里。\n")
    [doc] = load_corpus([tmp_path]).documents
    assert doc.document.url is not None
    assert doc.sections[doc.passages[0].section].anchor == anchor


@pytest.mark.parametrize("renderer", [None, "hexo-renderer-marked", "hexo-renderer-markdown-it"])
def test_hexo_reads_a_heading_without_a_space_as_its_renderer_does(
    tmp_path: Path, renderer: str | None
) -> None:
    # '##图腾·伊始' is shown as typed by the marked and markdown-it a site's package.json
    # names; without one, old marked's reading (a heading) stands.
    write(tmp_path / "_config.yml", "url: https://blog.someone.dev\npermalink: :title/\n")
    if renderer:
        write(tmp_path / "package.json", f'{{"dependencies": {{"{renderer}": "^7.0.0"}}}}')
    write(
        tmp_path / "source/_posts/trip.md",
        "---\ntitle: 游记\ndate: 2020-01-01\n---\n##图腾·伊始\n\n正文在这里，写得很长。\n",
    )
    [doc] = load_corpus([tmp_path]).documents
    headings = [section.heading for section in doc.sections]
    assert ("图腾·伊始" in headings) is (renderer is None)


_ONE_PARAGRAPH_A_LINE = (
    "地图上伊宁的位置写的是伊犁哈萨克自治州，不认真的话很难理解哪个名字代表的区域更大。\n"
    "伊宁在我国很靠西的位置，这里经度和斯里兰卡差不多，但是咱用的还是北京时间。\n"
    "回车后会要求输入钱包密码，如果看到的是你设置的公钥，\n"
    "那么就激活成功了。\n"
    "他说：“明天再出发。”\n"
    "第二天我们很早就上路了。\n"
)


@pytest.mark.parametrize(
    ("renderer", "config", "lines_shown"),
    [
        (None, "", True),  # Hexo's default renderer, marked: `breaks: true`
        ("hexo-renderer-marked", "", True),
        ("hexo-renderer-marked", "marked:\n  breaks: false\n", False),
        ("hexo-renderer-markdown-it", "markdown:\n  render:\n    html: true\n", True),
        ("hexo-renderer-markdown-it", "markdown:\n  render:\n    breaks: false\n", False),
        # a preset's name alone: no render options, and markdown-it's presets break no lines
        ("hexo-renderer-markdown-it", "markdown: commonmark\n", False),
        ("hexo-renderer-pandoc", "", False),
    ],
)
def test_hexo_keeps_the_line_breaks_its_renderer_shows(
    tmp_path: Path, renderer: str | None, config: str, lines_shown: bool
) -> None:
    # gaoryrt's travel posts are written one paragraph a line with no blank line between;
    # hexo-renderer-marked shows each line break (<br>), so the page reads as paragraphs.
    # Joined, a post was one 1,493-character passage and '…太纠结了另外我有个计划' ran two
    # lines into one sentence. A line that goes on with the sentence stays with it.
    write(tmp_path / "_config.yml", "url: https://blog.someone.dev\npermalink: :title/\n" + config)
    if renderer:
        write(tmp_path / "package.json", f'{{"dependencies": {{"{renderer}": "^7.0.0"}}}}')
    write(
        tmp_path / "source/_posts/trip.md",
        "---\ntitle: 游记\ndate: 2020-01-01\n---\n" + _ONE_PARAGRAPH_A_LINE,
    )
    [doc] = load_corpus([tmp_path]).documents
    texts = [passage.text for passage in doc.passages]
    if lines_shown:
        assert texts == [
            "地图上伊宁的位置写的是伊犁哈萨克自治州，不认真的话很难理解哪个名字代表的区域更大。",
            "伊宁在我国很靠西的位置，这里经度和斯里兰卡差不多，但是咱用的还是北京时间。",
            "回车后会要求输入钱包密码，如果看到的是你设置的公钥，\n那么就激活成功了。",
            "他说：“明天再出发。”",  # a sentence ends inside its closing quote
            "第二天我们很早就上路了。",
        ]
    else:
        assert texts == ["".join(_ONE_PARAGRAPH_A_LINE.split("\n"))]


def test_hexo_dates_a_post_without_a_date_by_its_file_name(tmp_path: Path) -> None:
    # ety001's blog (Hexo, brought over from Octopress): 154 posts have no `date:`; Hexo's
    # post processor dates them by the file name (new_post_name), and they had no link.
    write(
        tmp_path / "_config.yml",
        "url: https://blog.akawa.ink\npermalink: :year/:month/:day/:title.html\n"
        "new_post_name: :year-:month-:day-:title.md\n",
    )
    write(
        tmp_path / "source/_posts/2015-07-19-mouse-wheel-control-page-change.md",
        "---\ntitle: 鼠标滚轮控制页面切换\n---\n最近项目需要做一个欢迎页。\n",
    )
    write(  # a date of its own wins over the name's
        tmp_path / "source/_posts/2015-07-20-later.md",
        "---\ntitle: 后来\ndate: 2016-01-02\n---\n后来的事。\n",
    )
    write(  # a name that gives no date: still no link, and the report says why
        tmp_path / "source/_posts/undated.md", "---\ntitle: 无日期\n---\n没有日期。\n"
    )
    result = load_corpus([tmp_path])
    urls = {d.document.path.rsplit("/", 1)[-1]: d.document.url for d in result.documents}
    assert urls == {
        "2015-07-19-mouse-wheel-control-page-change.md": (
            "https://blog.akawa.ink/2015/07/19/mouse-wheel-control-page-change.html"
        ),
        "2015-07-20-later.md": "https://blog.akawa.ink/2016/01/02/later.html",
        "undated.md": None,
    }


def test_hexo_reads_a_posts_slug_out_of_its_file_name_by_new_post_name(tmp_path: Path) -> None:
    """唐巧's blog (Hexo, 378 posts) names its files `:year-:month-:day-:title.md`: every
    link had the date twice (/2011/08/10/2011-08-10-do-not-use-…/). And `draft: true`,
    which Hexo does not read, dropped a post that is on the site."""
    write(
        tmp_path / "_config.yml",
        "url: https://blog.someone.dev\npermalink: :year/:month/:day/:title/\n"
        "new_post_name: :year-:month-:day-:title.md\n",
    )
    write(
        tmp_path / "source/_posts/2011-08-10-do-not-use-accessor.markdown",
        "---\ntitle: 不要在 init 里用 accessor\ndate: 2011-08-10\n---\n正文在这里。\n",
    )
    write(
        tmp_path / "source/_posts/2022-12-17-the-beta-of-time.md",
        "---\ntitle: 时代的 beta\ndate: 2022-12-17\ndraft: true\n---\n时代的贝塔。\n",
    )
    write(
        tmp_path / "source/_posts/2022-01-18-story.md",
        "---\ntitle: 成长\ndate: 2022-01-18\npublished: false\n---\n还没发。\n",
    )
    write(
        tmp_path / "source/_posts/notes/reading.md",  # does not fit the pattern: as it is
        "---\ntitle: 读书\ndate: 2023-03-01\n---\n读书笔记。\n",
    )
    result = load_corpus([tmp_path])
    urls = {d.document.path.rsplit("/", 1)[-1]: d.document.url for d in result.documents}
    assert urls == {
        "2011-08-10-do-not-use-accessor.markdown": (
            "https://blog.someone.dev/2011/08/10/do-not-use-accessor/"
        ),
        "2022-12-17-the-beta-of-time.md": "https://blog.someone.dev/2022/12/17/the-beta-of-time/",
        "reading.md": "https://blog.someone.dev/2023/03/01/notes/reading/",
    }
    assert [(n.kind, n.path.rsplit("/", 1)[-1]) for n in result.notes] == [
        ("draft", "2022-01-18-story.md")
    ]


def test_a_caption_is_text_where_the_picture_or_song_is(tmp_path: Path) -> None:
    doc = parse_hugo_post(
        tmp_path,
        "https://blog.someone.dev/",
        "weekly.md",
        "---\ntitle: 周报\n---\n"
        '{{< audio src="/a.mp3" caption="《后来的我们 - 五月天》" >}}\n\n这周很忙，没写什么。\n',
    )
    # A theme's audio shortcode, unknown to `check`, prints its caption above the player.
    assert texts(doc) == ["《后来的我们 - 五月天》", "这周很忙，没写什么。"]


def test_a_hugo_quotes_styles_are_not_its_credit(tmp_path: Path) -> None:
    """io-oi.me's MemE theme (fresh32): `{{< quote poetry en >}}` takes CSS classes; read as
    Hexo's `{% blockquote author, source %}`, they put "—— poetry en" under 42 passages.
    Named arguments and a quoted name are still the credit line under the quote."""
    doc = parse_hugo_post(
        tmp_path,
        "https://io-oi.me/",
        "lines.md",
        "---\ntitle: 摘录\n---\n"
        "{{< quote poetry en >}}\n\nI think the most important thing is to do what you love.\n\n"
        "{{< /quote >}}\n\n笔记：对比是我们的阿喀琉斯之踵。\n\n"
        '{{< quote author="Craig Federighi" source="View from the Top" >}}\n\n'
        "Luck, I mean. I had good fortune.\n\n{{< /quote >}}\n\n"
        '{{% blockquote "Steve Jobs" %}}\nStay hungry, stay foolish.\n{{% /blockquote %}}\n',
    )
    assert texts(doc) == [
        "I think the most important thing is to do what you love.",
        "笔记：对比是我们的阿喀琉斯之踵。",
        "Luck, I mean. I had good fortune.",
        "—— Craig Federighi, View from the Top",
        "Stay hungry, stay foolish. —— Steve Jobs",
    ]


def test_a_themes_shortcodes_keep_their_words_and_never_swallow_the_page(tmp_path: Path) -> None:
    """MtF.wiki (fresh34): `{{< wiki 幸存者偏差 >}}` and `{{< currency 30000 THB >}}` inside
    sentences left gaps ("由于「」效应的存在"); a standalone `{{< gallery … />}}`, read as
    Hexo's paired gallery tag, dropped the rest of 9 files. In Hugo a shortcode takes content
    only where the file closes it."""
    write(
        tmp_path / "content/docs/hrt.md",
        "---\ntitle: HRT\n---\n"
        "由于「{{< wiki 幸存者偏差 >}}」效应的存在，评价并不可靠。\n\n"
        "手术费用：{{< currency 30000 THB >}}，跟喉结一起做更便宜。\n\n"
        '{{< gallery pattern="intro-*" />}}\n\n{{< hiddenphoto "../gonadectomy-1.jpg" >}}\n\n'
        '{{< tag/pos "无需身份证即可就诊" >}}\n\n'
        "{{< notice warning >}}\n检查前需空腹。\n{{< /notice >}}\n\n"
        # MemE's: `right` says where the date goes; it is not one of its words
        '{{< align right "二〇二二年三月十日" >}}\n\n最后一段也要在。\n',
    )
    [doc] = load_corpus([tmp_path]).documents
    found = texts(doc)
    assert "二〇二二年三月十日" in found
    found.remove("二〇二二年三月十日")
    assert found[:2] == [
        "由于「幸存者偏差」效应的存在，评价并不可靠。",
        "手术费用： 30000 THB ，跟喉结一起做更便宜。",
    ]
    whole = "\n".join(found)
    assert "无需身份证即可就诊" in whole and "检查前需空腹。" in whole
    assert found[-1] == "最后一段也要在。"
    assert ".jpg" not in whole and "intro" not in whole


_HOOK_PRINTS_ALT = (
    '{{- if .Text }}\n<div class="image-desc">\n'
    '  <img src="{{ .Destination | safeURL }}" alt="{{ .Text }}" '
    '{{ with .Title }}title="{{ . }}"{{ end }}/>\n  <i>{{ .Text }}</i>\n</div>\n'
    '{{- else -}}\n<img src="{{ .Destination | safeURL }}" alt="{{ .Text }}"/>\n{{- end -}}\n'
)
_HOOK_PRINTS_TITLE = (
    '<figure><img src="{{ .Destination }}" alt="{{ .Text }}">'
    "{{ with .Title }}<figcaption>{{ . }}</figcaption>{{ end }}</figure>\n"
)
_HOOK_PRINTS_NOTHING = '<img src="{{ .Destination }}" alt="{{ .Text }}" loading="lazy">\n'


@pytest.mark.parametrize(
    ("hook", "where", "shown"),
    [
        (_HOOK_PRINTS_ALT, "themes/hugo-book/layouts/_default/_markup", ["Artist Point"]),
        (_HOOK_PRINTS_TITLE, "layouts/_markup", ["远处是雪山"]),
        (_HOOK_PRINTS_NOTHING, "layouts/_default/_markup", []),
        (None, "", []),
    ],
)
def test_hugo_shows_an_images_words_where_its_render_hook_prints_them(
    tmp_path: Path, hook: str | None, where: str, shown: list[str]
) -> None:
    # mtfront's hugo-book prints each picture's alt text under it: 646 captions of one blog
    # ("天朗气清，西雅图的夏天终究还是来了") were missing; inside alt="…" they show nothing.
    write(tmp_path / "hugo.toml", 'baseURL = "https://blog.someone.dev/"\ntheme = "hugo-book"\n')
    if hook is not None:
        write(tmp_path / where / "render-image.html", hook)
    write(
        tmp_path / "content/posts/trip.md",
        "---\ntitle: 游记\n---\n第一天去了 Mt Baker，湖和步道都蛮好看的。\n"
        '![Artist Point](https://img.example/a.jpg "远处是雪山")\n之后开车回家。\n',
    )
    [doc] = load_corpus([tmp_path]).documents
    lines = [line for passage in doc.passages for line in passage.text.split("\n")]
    if shown:  # a line of its own between the sentences around the picture
        assert lines == ["第一天去了 Mt Baker，湖和步道都蛮好看的。", *shown, "之后开车回家。"]
    else:  # the picture shows no words: one paragraph, as before
        assert lines == ["第一天去了 Mt Baker，湖和步道都蛮好看的。之后开车回家。"]


def test_a_hugo_headless_bundle_gets_no_link(tmp_path: Path) -> None:
    # mtfront's content/menu/index.md (`headless: true`): Hugo publishes no page for it, and
    # its passages linked to /public/menu/, which is not on the site.
    write(tmp_path / "hugo.toml", 'baseURL = "https://blog.someone.dev/public/"\n')
    write(tmp_path / "content/menu/index.md", "---\nheadless: true\n---\n菜单里的一段话。\n")
    write(tmp_path / "content/posts/trip.md", "---\ntitle: 游记\n---\n正文在这里。\n")
    result = load_corpus([tmp_path])
    urls = {d.document.path: d.document.url for d in result.documents}
    assert urls == {
        "content/menu/index.md": None,
        "content/posts/trip.md": "https://blog.someone.dev/public/posts/trip/",
    }
    assert any(n.kind == "no link" and "headless" in n.detail for n in result.notes)


def test_a_column_break_and_a_lost_pictures_address_are_not_text(tmp_path: Path) -> None:
    """mtfront (fresh33, hugo-book): `<--->` between `{{< columns >}}` columns left "‹-" in
    66 passages and joined the lines on either side; `!https://s.w.org/…svg` (WordPress
    emoji, their markup lost in an export) were passages of their own."""
    doc = parse_hugo_post(
        tmp_path,
        "https://blog.douchi.space/",
        "trip.md",
        "---\ntitle: 山与湖之间\n---\n{{< columns >}}\n九份的伪装成民宿的酒店很好看。\n<--->\n"
        "台南酒店一进门就被 cozy 到了。\n{{< /columns >}}\n\n"
        "没想到这么快就回家了。\n\n!https://s.w.org/images/core/emoji/14.0.0/svg/2b06.svg\n\n"
        "面试时候对方很客气。\n",
    )
    assert texts(doc) == [
        "九份的伪装成民宿的酒店很好看。",
        "台南酒店一进门就被 cozy 到了。",
        "没想到这么快就回家了。",
        "面试时候对方很客气。",
    ]
