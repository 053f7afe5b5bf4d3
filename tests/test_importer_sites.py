"""Sites made with Jekyll, Hugo, Zola, VitePress and MkDocs, imported as their generator publishes
them: which files are pages, each page's public URL, clean text, passages worth quoting.

tests/data/sites/<generator>/ are small sites written for these tests, laid out and
configured the way real ones are (see each folder's config file).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.corpus import CorpusImport, load_corpus, load_site_config
from bot.corpus.report import CorpusReport
from bot.models import ParsedDocument, PassageKind

SITES = Path(__file__).resolve().parent / "data" / "sites"
# Markup of every dialect that must never reach a passage, heading or title.
MARKUP = re.compile(
    r"\{%|%\}|\{\{|\}\}|\{:|\{#|^:::|\n:::|\[\[|\]\]|\]\(|\*\*|<!--|-->|\[!\w+\]|!!!"
    r"|<[a-zA-Z/][^>]*>"
)


def by_path(result: CorpusImport) -> dict[str, ParsedDocument]:
    return {d.document.path: d for d in result.documents}


def texts(doc: ParsedDocument) -> list[str]:
    return [p.text for p in doc.passages]


def assert_clean(result: CorpusImport) -> None:
    for doc in result.documents:
        assert not MARKUP.search(doc.document.title), doc.document.title
        for section in doc.sections:
            assert not MARKUP.search(section.heading), section.heading
        for passage in doc.passages:
            assert not MARKUP.search(passage.text), (doc.document.path, passage.text)


# --- Jekyll ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jekyll() -> CorpusImport:
    return load_corpus([SITES / "jekyll"])


def test_jekyll_is_detected_and_its_config_read(jekyll: CorpusImport) -> None:
    site = load_site_config(SITES / "jekyll" / "_posts")  # pointing at a subfolder works
    assert (site.generator, site.url, site.author, site.timezone) == (
        "jekyll",
        "https://blog.example.org",
        "马测试",
        "Asia/Shanghai",
    )


def test_jekyll_reads_posts_collections_and_pages_not_drafts_or_output(
    jekyll: CorpusImport,
) -> None:
    assert sorted(by_path(jekyll)) == [
        "_notes/hidden.md",
        "_posts/2011-05-25-time-zone.md",
        "_posts/2011-10-11-fibonacci.md",
        "_posts/2020-02-02-quote-and-poem.md",
        "_posts/undated-notes.md",
        "_wiki/tools/git.md",
        "pages/about.md",
        "pages/links.md",
    ]  # not _drafts/, _site/, _layouts/ or the Gemfile


def test_jekyll_urls_follow_its_permalink_rules(jekyll: CorpusImport) -> None:
    urls = {path: doc.document.url for path, doc in by_path(jekyll).items()}
    assert urls == {
        # the date from the file name; :title is the name without the date
        "_posts/2011-10-11-fibonacci.md": "https://blog.example.org/2011/10/11/fibonacci/",
        # 23:30 at -0500 is the next day in the site's time zone (Asia/Shanghai)
        "_posts/2011-05-25-time-zone.md": "https://blog.example.org/2011/05/26/time-zone/",
        "_posts/2020-02-02-quote-and-poem.md": (
            "https://blog.example.org/2020/02/02/quote-and-poem/"
        ),
        "_posts/undated-notes.md": None,  # Jekyll publishes no post without a dated name
        "_wiki/tools/git.md": "https://blog.example.org/wiki/tools/git/",  # /wiki/:path/
        "_notes/hidden.md": None,  # a collection without output: true
        "pages/about.md": "https://blog.example.org/about/",  # its own permalink
        "pages/links.md": "https://blog.example.org/pages/links/",  # its path, pretty style
    }
    notes = {(n.path.rsplit("/", 1)[-1], n.kind) for n in jekyll.notes}
    assert {("undated-notes.md", "no link"), ("hidden.md", "no link")} <= notes


def test_jekyll_markup_and_passage_shapes(jekyll: CorpusImport) -> None:
    assert_clean(jekyll)
    fib = by_path(jekyll)["_posts/2011-10-11-fibonacci.md"]
    all_text = "\n".join(texts(fib))
    assert "TOC" not in all_text  # `* TOC` + `{:toc}` is a table of contents, not text
    assert "fib(n - 1)" not in all_text  # {% highlight %} holds code
    # the lead-in whose code was not imported joins the text after the code
    assert "解决方法：\n这样就可以了，递归的写法最直观。" in texts(fib)
    # the table is one passage, a row a line
    assert "功能 | 按键\n复制 | Ctrl+C\n粘贴 | Ctrl+V\n撤销 | Ctrl+Z" in texts(fib)
    # an explicit {#id} is the anchor
    section = next(s for s in fib.sections if s.heading == "问题描述")
    assert section.anchor == "problem"
    assert section.source_url == "https://blog.example.org/2011/10/11/fibonacci/#problem"


def test_jekyll_quote_attribution_credits_the_quote_only(jekyll: CorpusImport) -> None:
    doc = by_path(jekyll)["_posts/2020-02-02-quote-and-poem.md"]
    credit = {p.text: doc.sections[p.section].author for p in doc.passages}
    assert credit["世上本没有路，走的人多了，也便成了路。"] == "鲁迅"
    assert credit["这是博主自己写的第一段话，读者应该看到博主的名字。"] == "博主本人"
    assert credit["这是博主在引用之后写的第二段话，署名仍然是博主。"] == "博主本人"
    # the poem's short hard-broken lines stay one stanza, credited to the blogger
    assert credit["我想知道，\n风从哪里来，\n雨往哪里去，\n你在哪里等。"] == "博主本人"
    # a trailing reference link is not a passage and re-links nothing
    assert not any("参考文章" in t for t in credit)
    post_url = doc.document.url
    assert {doc.sections[p.section].source_url for p in doc.passages} == {post_url}


def _project_site(tmp_path: Path, remote: str | None) -> Path:
    """The jekyll-project fixture as a clone would be: with .git/config naming its remote."""
    site = tmp_path / "blog"
    shutil.copytree(SITES / "jekyll-project", site)
    if remote is not None:
        (site / ".git").mkdir()
        (site / ".git" / "config").write_text(
            '[core]\n\tbare = false\n[remote "origin"]\n'
            f"\turl = {remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
        )
    return site


@pytest.mark.parametrize(
    "remote",
    ["https://github.com/SomeOne/blog.git", "git@github.com:someone/blog.git"],
)
def test_jekyll_project_site_is_served_under_its_repository(tmp_path: Path, remote: str) -> None:
    result = load_corpus([_project_site(tmp_path, remote)])
    doc = by_path(result)["_posts/travel/2025-02-09-a-trip.md"]
    # GitHub Pages serves a project site without `url` at https://owner.github.io/repo/
    assert doc.document.url == "https://someone.github.io/blog/2025/02/09/a-trip"


def test_jekyll_project_site_with_baseurl_or_without_a_remote(tmp_path: Path) -> None:
    site = _project_site(tmp_path, "https://github.com/someone/blog")
    config = site / "_config.yml"
    config.write_text(config.read_text() + 'baseurl: "/notes"\n')
    doc = by_path(load_corpus([site]))["_posts/travel/2025-02-09-a-trip.md"]
    assert doc.document.url == "https://someone.github.io/notes/2025/02/09/a-trip"
    bare = _project_site(tmp_path / "bare", None)  # no clone, no url: no link, and why
    result = load_corpus([bare])
    assert by_path(result)["_posts/travel/2025-02-09-a-trip.md"].document.url is None
    assert any(n.kind == "no link" for n in result.notes)


@pytest.mark.parametrize("placeholder", ["http://cnfeat", "http://localhost:4000/"])
def test_jekyll_url_nobody_can_open_gives_way_to_its_cname(
    tmp_path: Path, placeholder: str
) -> None:
    # A blog served at its CNAME that kept a placeholder `url` in its config: the links go
    # where GitHub Pages serves it, not to a host no reader's phone can reach.
    site = _project_site(tmp_path, None)
    config = site / "_config.yml"
    config.write_text(config.read_text() + f'url: "{placeholder}"\n')
    (site / "CNAME").write_text("cnfeat.com\n")
    linked = load_corpus([site])
    doc = by_path(linked)["_posts/travel/2025-02-09-a-trip.md"]
    assert doc.document.url == "https://cnfeat.com/2025/02/09/a-trip"
    # `index` says where pages link, and names the placeholder passed over.
    report = "\n".join(CorpusReport.build(linked).lines())
    assert f"https://cnfeat.com (its config's url {placeholder} is a placeholder" in report
    # A url without its scheme is named, as before, not taken for a placeholder.
    config.write_text(config.read_text().replace(placeholder, "cnfeat.com"))
    named = load_corpus([site])
    assert any("must start with http" in problem.reason for problem in named.problems)
    config.write_text(config.read_text().replace('"cnfeat.com"', f'"{placeholder}"'))
    (site / "CNAME").unlink()  # and with nowhere else to go, no link rather than a dead one
    result = load_corpus([site])
    assert by_path(result)["_posts/travel/2025-02-09-a-trip.md"].document.url is None
    assert any(n.kind == "no link" for n in result.notes)
    report = "\n".join(CorpusReport.build(result).lines())
    assert f"no site URL: pages get no link (its config's url {placeholder} is a" in report
    assert "set url in corpus.yaml" in report


def test_jekyll_reads_a_heading_without_a_space_after_its_hashes_as_kramdown_does(
    tmp_path: Path,
) -> None:
    # Only where the site asks kramdown to read its own syntax: its GFM parser, Jekyll's
    # default, needs the space (below).
    site = _project_site(tmp_path, "https://github.com/someone/blog")
    config = site / "_config.yml"
    default_config = config.read_text()
    config.write_text(default_config + "kramdown:\n  input: kramdown\n")
    (site / "_posts" / "2014-10-17-notes.md").write_text(
        "---\ntitle: 读书笔记\n---\n"
        "###十九、不用就忘倾向\n\n人们只要勤奋就能降低不用就忘倾向的影响。\n\n"
        "第二段的第一行\n#不是标题，是这一段的第二行\n\n"
        '<div class="note">\n<div>\n\n#标签在HTML里\n\n</div>\n\n#还在HTML里\n\n</div>\n\n'
        "#二十、HTML之后\n\n最后一段。\n\n"
        '```html\n<div class="card">\n```\n\n#二十一、代码之后\n\n'
        "<p>一段没有闭合的 HTML\n\n#二十二、未闭合之后\n\n"
        '<div markdown="1">\n\n#二十三、Markdown 的 div 里\n\n</div>\n',
        encoding="utf-8",
    )
    doc = by_path(load_corpus([site]))["_posts/2014-10-17-notes.md"]
    headings = [section.heading for section in doc.sections]
    assert "十九、不用就忘倾向" in headings
    assert not any("不是标题" in heading for heading in headings)  # not after a blank line
    # kramdown reads a block-level HTML element's lines as raw HTML: no heading in there.
    assert not any("HTML里" in heading for heading in headings)
    assert "二十、HTML之后" in headings
    # Markup shown in a code block opens nothing; an element never closed, or one whose
    # inside kramdown is asked to read as Markdown, holds back no heading.
    assert {"二十一、代码之后", "二十二、未闭合之后", "二十三、Markdown 的 div 里"} <= set(headings)
    assert "人们只要勤奋就能降低不用就忘倾向的影响。" in texts(doc)
    assert not any("###" in text for text in texts(doc))
    # Jekyll's default (GFM input; checked with a real Jekyll 4.3 build of two blogs, whose
    # '#include <stdio.h>' and '#衣' are lines of text), and a config asking for GFM: the
    # line is text, as the page shows it.
    for extra in ("", "kramdown:\n  input: GFM\n"):
        config.write_text(default_config + extra)
        gfm = by_path(load_corpus([site]))["_posts/2014-10-17-notes.md"]
        assert "十九、不用就忘倾向" not in [section.heading for section in gfm.sections]
        assert "###十九、不用就忘倾向" in texts(gfm)


def test_jekyll_plugin_tags_math_and_span_attributes(tmp_path: Path) -> None:
    result = load_corpus([_project_site(tmp_path, "https://github.com/someone/blog.git")])
    assert_clean(result)
    doc = by_path(result)["_posts/travel/2025-02-09-a-trip.md"]
    found = texts(doc)
    # a site's own plugin tag ({% gallery path=... %}, never closed) stands alone: the
    # rest of the post is still text (it was once read as Hexo's paired gallery tag)
    assert "硕士毕业在即，爸妈时隔六年再次来日，我也因此久违地再次来到京都。" in found
    assert "京都的雪很少见，这次正好赶上。" in found
    # a kramdown span IAL after a link is not text
    assert any(t.endswith("“若爱过必留痕迹”，便慢慢走回了车站。") for t in found), found
    # a formula inside a sentence stays as written; a paragraph or block of math only goes
    assert any("以$\\lceil\\text{pair}\\rceil a b$的方式构建一个组" in t for t in found), found
    assert not any("triangleq" in t or "mc^2" in t for t in found), found
    assert {doc.sections[p.section].author for p in doc.passages} == {"小保"}


# --- Hugo -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hugo() -> CorpusImport:
    return load_corpus([SITES / "hugo"])


def test_hugo_reads_content_only(hugo: CorpusImport) -> None:
    assert sorted(by_path(hugo)) == [
        "content/_index.md",
        "content/about.md",
        "content/notes/deep/Page.md",
        "content/posts/2020-01-01-hello.md",
        "content/posts/No Slug Here.md",
        "content/posts/_index.md",
        "content/posts/bundle/index.md",
        "content/posts/moved-from-cnblogs.md",
    ]  # not themes/*/exampleSite, not layouts/, not the draft (quoting it would publish it),
    # not bundle/notes.md nor bundle/draft/ (a leaf bundle's other files are its resources)
    drafts = [note for note in hugo.notes if note.kind == "draft"]
    assert [note.path.rsplit("/", 1)[-1] for note in drafts] == ["draft.md"]


def test_hugo_urls_follow_its_rules(hugo: CorpusImport) -> None:
    urls = {path: doc.document.url for path, doc in by_path(hugo).items()}
    base = "https://hugo.example.org/blog"  # baseURL's path is kept
    assert urls == {
        "content/_index.md": f"{base}/",  # the home page
        "content/posts/_index.md": f"{base}/posts/",  # a section's page
        "content/posts/2020-01-01-hello.md": f"{base}/2020/01/hello-world/",  # :slug
        # no slug: :slug falls back to the title, made a path (lower case, spaces -> -)
        "content/posts/No Slug Here.md": f"{base}/2021/03/title-becomes-the-slug/",
        "content/posts/bundle/index.md": f"{base}/2022/05/%E9%A1%B5%E9%9D%A2%E5%8C%85/",
        "content/posts/moved-from-cnblogs.md": f"{base}/2009/06/moved/",
        "content/notes/deep/Page.md": f"{base}/notes/deep/page/",  # no permalink: its path
        "content/about.md": f"{base}/about-me/",  # url: in front matter
    }


def test_hugo_shortcodes_authors_and_anchors(hugo: CorpusImport) -> None:
    assert_clean(hugo)
    doc = by_path(hugo)["content/posts/2020-01-01-hello.md"]
    assert "提示框里的文字也是正文的一部分，应该保留下来。" in texts(doc)  # {{% notice %}}
    assert not any("Println" in t for t in texts(doc))  # {{< highlight >}} is code
    assert {doc.sections[p.section].author for p in doc.passages} == {"胡歌"}  # params.author
    second = next(s for s in doc.sections if s.heading == "第二节")
    assert second.anchor == "second"
    about = by_path(hugo)["content/about.md"]
    assert about.sections[0].author == "另一位作者"  # front matter wins
    unknown = [n for n in hugo.notes if n.kind == "unknown shortcode"]
    assert [n.detail for n in unknown] == ["{{< mywidget >}} at line 19"]


def test_hugo_post_pasted_as_html_keeps_its_prose_not_its_code(hugo: CorpusImport) -> None:
    doc = by_path(hugo)["content/posts/moved-from-cnblogs.md"]
    found = texts(doc)
    joined = "\n".join(found)
    for prose in (
        "这篇文章从博客园搬来，正文是编辑器粘贴的 HTML。",
        # lines between <br /> in the block that holds the coloured code box
        "连接一个地址时，假如主机不存在，会返回错误信息，比如：404(File Not Found)。",
        "注意到，Get 和 Post 方式都需要把要传输的数据编码，这一段也是 HTML 块里的正文。",
        # prose the writer coloured is prose
        "不信青春唤不回，不容青史尽成灰。",
        "为学当如金字塔，要能深来要能广。",
        # Hugo renders no Liquid: a {% highlight %} mentioned in the text swallows nothing
        "这一段在上面的列表之后，Hugo 不认识 Liquid 标签，它们不会吞掉后面的正文。",
    ):
        assert prose in joined, (prose, found)
    # code: a box with a code class, and a box coloured token by token
    assert not any("urllib2" in t or "fd.read" in t or "array" in t for t in found), found


def test_hugo_from_a_content_subfolder(hugo: CorpusImport) -> None:
    inner = load_corpus([SITES / "hugo" / "content" / "posts"])
    urls = {d.document.path: d.document.url for d in inner.documents}
    assert urls["2020-01-01-hello.md"] == "https://hugo.example.org/blog/2020/01/hello-world/"
    assert urls["_index.md"] == "https://hugo.example.org/blog/posts/"


# --- VitePress ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vitepress() -> CorpusImport:
    return load_corpus([SITES / "vitepress"])  # the project; its site is in docs/


def test_vitepress_pages_and_urls(vitepress: CorpusImport) -> None:
    urls = {path: doc.document.url for path, doc in by_path(vitepress).items()}
    assert urls == {  # not TODO.md or guide/step-1/description.md (srcExclude), public/
        "docs/index.md": "https://vite.example.com/docs/",  # `hostname: siteUrl`, a const
        "docs/guide/index.md": "https://vite.example.com/docs/guide/",
        "docs/guide/getting-started.md": (
            "https://vite.example.com/docs/guide/getting-started.html"
        ),
        "docs/zh/intro.md": "https://vite.example.com/docs/cn/intro.html",  # rewrites
    }  # the sidebar's `base: '/guide/'` is not the site's base
    site = load_site_config(SITES / "vitepress" / "docs")
    assert (site.generator, site.title, site.language) == ("vitepress", "维特测试文档", "zh-CN")


def test_vitepress_containers_anchors_and_components(vitepress: CorpusImport) -> None:
    assert_clean(vitepress)
    doc = by_path(vitepress)["docs/guide/getting-started.md"]
    assert [(s.heading, s.anchor) for s in doc.sections[1:]] == [
        ("快速开始", "getting-started"),
        ("安装", "install"),
        ("使用", "使用"),
    ]
    # A container's title is shown above its text (the real build of three VitePress and
    # VuePress sites: 220 titles were missing).
    assert texts(doc) == [
        "提示\n需要先安装 Node.js 18 或更高的版本，才能运行下面的命令。",  # ::: tip 提示
        "点击查看说明\n折叠块里的说明文字同样是正文，可以被搜索到。",  # ::: details 点击查看说明
        "页面标题是 这样的表达式不会出现在段落里。",  # {{ $frontmatter.title }} dropped
    ]
    intro = by_path(vitepress)["docs/zh/intro.md"]
    assert intro.sections[1].anchor == "intro"  # `%{#intro}%`: the site's own delimiters
    # a link alone is navigation; a lead-in whose URL was not text joins what follows
    assert texts(intro) == [
        "这一页在 zh 目录里，发布时被改写到 cn 目录下。",
        "源地址：\n改写规则写在配置文件的 rewrites 里。",
    ]
    tip = doc.passages[0]
    assert doc.sections[tip.section].source_url == (
        "https://vite.example.com/docs/guide/getting-started.html#install"
    )


# --- MkDocs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("structure", ["suffix", "folder"])
def test_mkdocs_translations_are_served_under_their_language(
    tmp_path: Path, structure: str
) -> None:
    # mkdocs-static-i18n: CS162.en.md (or en/CS162.md) is the English page at /en/CS162/,
    # not a page named "CS162.en"; the default language stays at the root.
    config = (
        "site_url: https://csdiy.example.org/\nplugins:\n  - search\n  - i18n:\n"
        f"      docs_structure: {structure}\n      languages:\n"
        "        - locale: zh\n          default: true\n        - locale: en\n"
    )
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    english = "docs/操作系统/CS162.en.md" if structure == "suffix" else "docs/en/操作系统/CS162.md"
    chinese = "docs/操作系统/CS162.md" if structure == "suffix" else "docs/zh/操作系统/CS162.md"
    for rel, text in ((chinese, "# CS162\n\n操作系统课。\n"), (english, "# CS162\n\nOS.\n")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    home = "docs/index.en.md" if structure == "suffix" else "docs/en/index.md"
    (tmp_path / home).write_text("# Foreword\n\nHello.\n", encoding="utf-8")
    urls = {d.document.path: d.document.url for d in load_corpus([tmp_path]).documents}
    os_path = "%E6%93%8D%E4%BD%9C%E7%B3%BB%E7%BB%9F"
    assert urls[chinese] == f"https://csdiy.example.org/{os_path}/CS162/"
    assert urls[english] == f"https://csdiy.example.org/en/{os_path}/CS162/"
    assert urls[home] == "https://csdiy.example.org/en/"


def test_mkdocs_pages_urls_and_admonitions() -> None:
    result = load_corpus([SITES / "mkdocs"])
    assert_clean(result)
    docs = by_path(result)
    assert {p: d.document.url for p, d in docs.items()} == {
        "docs/index.md": "https://docs.example.net/manual/",
        "docs/guide/setup.md": "https://docs.example.net/manual/guide/setup/",
    }
    setup = docs["docs/guide/setup.md"]
    assert texts(setup)[0] == "安装之前请先阅读这一段提示文字。"  # the admonition's body
    assert setup.sections[0].author == "文档作者"


def test_mkdocs_readme_is_a_folders_page_where_it_has_no_index(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_url: https://docs.example.net/\n")
    (tmp_path / "README.md").write_text("# 仓库说明\n\n如何在本地构建这份文档。\n")
    (tmp_path / "docs" / "faq").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# 首页\n\n这是手册的首页。\n")
    (tmp_path / "docs" / "README.md").write_text("# 说明\n\n首页旁边的说明，不会被构建。\n")
    (tmp_path / "docs" / "faq" / "README.md").write_text("# 常见问题\n\n这里回答最常见的问题。\n")
    urls = {d.document.path: d.document.url for d in load_corpus([tmp_path]).documents}
    assert urls == {
        "docs/index.md": "https://docs.example.net/",
        "docs/faq/README.md": "https://docs.example.net/faq/",
    }


# --- Zola -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zola() -> CorpusImport:
    return load_corpus([SITES / "zola"])


def test_zola_is_told_from_hugo_by_its_config(tmp_path: Path) -> None:
    # Both keep a config.toml beside content/; a Zola site was read as Hugo, found no
    # baseURL, and all 316 pages of a real blog got no link.
    site = load_site_config(SITES / "zola" / "content" / "blog")
    assert (site.generator, site.url, site.author, site.language) == (
        "zola",
        "https://zola.someone.dev/",
        "左拉",
        "zh",
    )
    (tmp_path / "content").mkdir()
    (tmp_path / "config.toml").write_text('baseURL = "https://hugo.someone.dev/"\n')
    assert load_site_config(tmp_path).generator == "hugo"
    # Before Zola 0.15 the languages were a list: `page.en.md` is still under /en/.
    old = tmp_path / "old"
    (old / "content" / "blog").mkdir(parents=True)
    (old / "config.toml").write_text(
        'base_url = "https://old.someone.dev"\ndefault_language = "zh"\n'
        'languages = [{ code = "en" }]\n'
    )
    (old / "content" / "blog" / "hello.en.md").write_text("+++\ntitle = 'Hi'\n+++\nHello there.\n")
    [doc] = load_corpus([old]).documents
    assert doc.document.url == "https://old.someone.dev/en/blog/hello/"


def test_zola_urls_follow_its_rules(zola: CorpusImport) -> None:
    urls = {path: doc.document.url for path, doc in by_path(zola).items()}
    base = "https://zola.someone.dev"
    assert urls == {
        "content/_index.md": f"{base}/",  # the home section
        "content/blog/_index.md": f"{base}/blog/",  # a section's page
        "content/blog/_index.en.md": f"{base}/en/blog/",  # its translation
        "content/blog/snippet.md": None,  # render = false: no page of its own
        "content/blog/2018-10-10-hello-world.md": f"{base}/blog/hello-world/",  # date dropped
        "content/blog/colocated/index.md": f"{base}/blog/colocated/",  # its folder's name
        "content/blog/colocated/index.en.md": f"{base}/en/blog/colocated/",  # a translation
        "content/blog/slugged.md": f"{base}/blog/my-own-slug/",  # slug:, slugified
        "content/pages/about.md": f"{base}/about/",  # path: the whole path
        # Zola folds Chinese to pinyin by deunicode's table: no link rather than a guess.
        "content/blog/中文文件名.md": None,
    }
    hello = by_path(zola)["content/blog/2018-10-10-hello-world.md"]
    assert [s.anchor for s in hello.sections] == [None, "why-zola", None]
    assert_clean(zola)
    notes = {(n.kind, n.path.rsplit("/", 1)[-1]) for n in zola.notes}
    assert notes == {
        ("draft", "wip.md"),
        ("no link", "中文文件名.md"),
        ("no link", "snippet.md"),
    }
    # ignored_content: not imported at all, as Zola leaves it out of the site
    assert not any("ideas" in path for path in by_path(zola))
    report = "\n".join(CorpusReport.build(zola).lines())
    assert "generator: Zola, https://zola.someone.dev/" in report
    assert "set slug or path in its front matter" in report


# --- what check reports ---------------------------------------------------------------------


def test_report_groups_problems_and_notes_by_kind(hugo: CorpusImport) -> None:
    jekyll = load_corpus([SITES / "jekyll"])
    report = CorpusReport.build(jekyll)
    kinds = {k.title: k for k in report.kinds}
    no_link = kinds["pages without a link"]
    assert no_link.count == 2
    assert sorted(e.rsplit("/", 1)[-1] for e in no_link.examples) == [
        "hidden.md: collection notes has no output: true",
        "undated-notes.md: not published: a post's file name needs a date (YYYY-MM-DD-)",
    ]
    hugo_kinds = {k.title: k for k in CorpusReport.build(hugo).kinds}
    assert hugo_kinds["unknown shortcodes"].count == 1
    assert "pages without a link" not in hugo_kinds  # the draft is not imported at all
    assert hugo_kinds["pages not imported: drafts"].count == 1
    assert "generator: Hugo" in "\n".join(CorpusReport.build(hugo).lines())


def test_short_passages_and_leaks_stay_rare_on_every_fixture_site() -> None:
    for name in ("jekyll", "hugo", "zola", "vitepress", "mkdocs"):
        result = load_corpus([SITES / name])
        passages = [p for d in result.documents for p in d.passages]
        short = [p.text for p in passages if len(p.text) < 8]
        assert short == [], (name, short)
        assert all(p.kind in PassageKind for p in passages)


def test_check_prints_the_report_and_fails_only_on_problems(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    assert main(["check", str(SITES / "jekyll")]) == 0  # notes are not problems
    out = capsys.readouterr().out
    assert "generator: Jekyll, https://blog.example.org" in out
    assert "pages without a link (note): 2" in out
    assert "undated-notes.md: not published: a post's file name needs a date" in out
    assert out.rstrip().endswith("8 files, 8 documents, 15 passages, 0 problems")


def test_vitepress_address_from_og_url_and_tiny_sections_keep_their_heading(
    tmp_path: Path,
) -> None:
    site = tmp_path / "docs"
    (site / ".vitepress" / "config").mkdir(parents=True)
    (site / ".vitepress" / "config" / "en.ts").write_text(
        "export const META_URL = 'https://api.example.dev'\n"
        "export const en = { head: [['meta', { property: 'og:url', content: META_URL }]] }\n",
        encoding="utf-8",
    )
    (site / "api").mkdir()
    (site / "api" / "use-store.md").write_text(
        "# useStore\n\n创建一个仓库并返回它，第一次调用时才真正创建。\n\n## 返回值\n\n`void`\n",
        encoding="utf-8",
    )
    result = load_corpus([site])
    (doc,) = result.documents
    assert doc.document.url == "https://api.example.dev/api/use-store.html"
    assert texts(doc) == ["创建一个仓库并返回它，第一次调用时才真正创建。", "返回值\nvoid"]


def test_jekyll_post_with_an_unreadable_date_is_filed_under_its_file_name(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("url: https://j.example\n", encoding="utf-8")
    (tmp_path / "_posts" / "2020-03-29-joke.md").write_text(
        "---\ntitle: 笑话\ndate: 2020-3-19 29:39:08 +0800\n---\n\n一个没有读懂日期的笑话段子。\n",
        encoding="utf-8",
    )
    result = load_corpus([tmp_path])
    (doc,) = result.documents
    assert doc.document.url == "https://j.example/2020/03/29/joke.html"
    assert [p.reason for p in result.problems] == [
        "front matter date: 2020-3-19 29:39:08 +0800 is not a valid date; it was ignored"
    ]


def test_jekyll_defaults_give_a_permalink_to_every_document_in_their_scope(
    tmp_path: Path,
) -> None:
    # Chirpy's `_tabs` take `/:title/` from `defaults`; we gave /tabs/about/ (the audit's
    # one wrong page URL of five blogs). Expected URLs as Jekyll 4.3.1 built this site.
    (tmp_path / "_config.yml").write_text(
        "url: https://blog.someone.dev\npermalink: pretty\n"
        "collections:\n  tabs:\n    output: true\n"
        "defaults:\n"
        '  - scope: {path: "", type: posts}\n    values: {permalink: "/posts/:title/"}\n'
        '  - scope: {path: "", type: tabs}\n    values: {permalink: "/:title/"}\n'
        '  - scope: {path: "notes"}\n    values: {permalink: "/n/:basename:output_ext"}\n',
        encoding="utf-8",
    )
    for rel, body in [
        ("_tabs/about.md", "关于我。"),
        ("_posts/2020-01-02-trip.md", "游记。"),
        ("notes/one.md", "笔记。"),
        ("page.md", "页面。"),
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"---\ntitle: 标题\n---\n{body}\n", encoding="utf-8")
    urls = {path: doc.document.url for path, doc in by_path(load_corpus([tmp_path])).items()}
    assert urls == {
        "_posts/2020-01-02-trip.md": "https://blog.someone.dev/posts/trip/",
        "_tabs/about.md": "https://blog.someone.dev/about/",
        "notes/one.md": "https://blog.someone.dev/n/one.html",
        "page.md": "https://blog.someone.dev/page/",
    }


def test_jekyll_reads_an_html_element_to_its_close_tag_across_blank_lines(
    tmp_path: Path,
) -> None:
    # A post pasted from an old web editor: nested <div>s, indented, with blank lines.
    # kramdown reads the element to its close tag and the page shows every sentence;
    # CommonMark ends the HTML block at the first blank line and reads the indented rest as
    # code: the post kept its first sentence only.
    site = _project_site(tmp_path, "https://github.com/someone/blog")
    nested = (
        "<div>\n  <div>\n    <div>\n      <div>\n"
        "        在学校混了这么长时间，已经习惯了别人叫自己老师。\n"
        "      </div>\n      \n      <div>\n         \n      </div>\n      \n"
        "      <div>\n        总体来说，学校的管理体制就是一个大国企。\n      </div>\n"
        "    </div>\n  </div>\n</div>\n\n"
        "    这一行在元素之外，缩进四格，是代码。\n\n最后一段是正文。\n"
    )
    (site / "_posts" / "2007-10-16-fine.md").write_text(
        "---\ntitle: 第一张罚单\n---\n" + nested, encoding="utf-8"
    )
    config = site / "_config.yml"
    default_config = config.read_text()
    # kramdown's HTML reading is the same with its own input and with GFM (the default).
    for extra in ("", "kramdown:\n  input: GFM\n", "kramdown:\n  input: kramdown\n"):
        config.write_text(default_config + extra)
        doc = by_path(load_corpus([site]))["_posts/2007-10-16-fine.md"]
        assert texts(doc) == [
            "在学校混了这么长时间，已经习惯了别人叫自己老师。",
            "总体来说，学校的管理体制就是一个大国企。",
            "最后一段是正文。",
        ]

    def post_texts(name: str, title: str, body: str) -> list[str]:
        (site / "_posts" / name).write_text(f"---\ntitle: {title}\n---\n{body}", encoding="utf-8")
        return texts(by_path(load_corpus([site]))[f"_posts/{name}"])

    # The same inside a blockquote: a letter quoted whole in a table kept its first line.
    quoted = post_texts(
        "2007-01-01-mvp.md",
        "MVP",
        "邮件如下：\n\n"
        "> <table>\n>   <tr>\n>     <td>\n>       以下为引用：\n>       \n>       <blockquote>\n"
        ">         <p>\n>           尊敬的先生：\n>         </p>\n>         \n"
        ">         <p>\n>           祝贺您！我们非常高兴向您授予这个奖项。\n>         </p>\n"
        ">       </blockquote>\n>     </td>\n>   </tr>\n> </table>\n",
    )
    letter = "\n".join(quoted)
    assert "尊敬的先生：" in letter and "祝贺您！我们非常高兴向您授予这个奖项。" in letter
    # A script is raw to its close tag as well: a day counter pasted into a post, its
    # JavaScript split by blank lines, is not prose.
    mili = post_texts(
        "2015-03-11-mili.md",
        "我的女儿米粒",
        "# 米粒出生多少天了？\n\n"
        '<div id="count"><span id="t_d">00天</span></div>\n'
        '<script type="text/javascript">\nfunction getRTime(){\nvar t = new Date();\n\n'
        "var d=Math.floor(t/1000/60/60/24);\n \n"
        'document.getElementById("t_d").innerHTML = d + "天";\n}\n'
        "setInterval(getRTime,1000);\n</script>\n\n米粒今天满月了。\n",
    )
    counter = "\n".join(mili)
    assert "米粒今天满月了。" in counter
    assert "Math.floor" not in counter and "getElementById" not in counter
    # It ends at its first close tag: a script writing another script's tag (`<\/script>`)
    # leaves the paragraphs after it apart, and an indented line after them is code.
    written = post_texts(
        "2015-03-12-count.md",
        "访客统计",
        '<script type="text/javascript">\n'
        "document.write('<script src=\"https://s.example/count.js\"><\\/script>');\n"
        "</script>\n\n第一段：今天天气很好。\n\n第二段：晚上吃得很饱。\n\n    $ ls -la\n\n"
        "第三段：读书使人明智。\n",
    )
    assert written == ["第一段：今天天气很好。", "第二段：晚上吃得很饱。", "第三段：读书使人明智。"]


def test_raw_html_blocks_keep_their_prose_not_their_code(tmp_path: Path) -> None:
    (tmp_path / "post.md").write_text(
        "---\ntitle: 搬家来的文章\n---\n\n"
        '<div class="post"><p>从旧博客搬来的第一段文字，&nbsp;写在 HTML 里。</p>\n'
        "<p>第二段也是 HTML，<b>加粗</b>的字照样保留。</p>\n"
        "<p>公式 \\(e = \\frac{\\sqrt{a^{2}}}{a}\\) 不是文字。</p>\n"
        "<pre>int main() { return 0; }</pre></div>\n\n"
        '<div><span style="color: #0000ff;">int</span> <span style="color: #000000;">a</span>'
        ' <span style="color: #000000;">=</span> <span style="color: #800080;">1</span>'
        '<span style="color: #000000;">;</span></div>\n\n'
        "<!-- more -->\n\n"
        "<table><tr><th>名称</th><th>说明</th></tr><tr><td>甲</td><td>第一项</td></tr></table>\n",
        encoding="utf-8",
    )
    result = load_corpus([tmp_path])
    (doc,) = result.documents
    assert texts(doc) == [
        "从旧博客搬来的第一段文字， 写在 HTML 里。",
        "第二段也是 HTML，加粗的字照样保留。",
        "公式 不是文字。",
        "名称 | 说明\n甲 | 第一项",
    ]


def _vitepress_project_in_src(project: Path) -> None:
    """The layout of a handbook built with `vitepress build src`, srcDir '../content'."""
    (project / "src" / ".vitepress").mkdir(parents=True)
    (project / "package.json").write_text(
        '{"scripts": {"build": "./fix.sh && vitepress build src", "lint": "eslint ."}}',
        encoding="utf-8",
    )
    (project / "src" / ".vitepress" / "config.ts").write_text(
        'export default defineConfig({\n  srcDir: "../content",\n  cleanUrls: true,\n'
        '  sitemap: { hostname: "https://handbook.example.edu" },\n})\n',
        encoding="utf-8",
    )
    (project / "README.md").write_text(
        "# 仓库说明\n\n如何在本地运行这个网站的说明。\n", encoding="utf-8"
    )
    (project / "content" / "post").mkdir(parents=True)
    (project / "content" / "post" / "mah16.md").write_text(
        "---\ndate: 2020-03-26\n---\n\n### “另类”的求职之路\n\n"
        "我参加公司的面试也不多，不过参加过的公司面试都有拿到录用通知。\n",
        encoding="utf-8",
    )
    (project / "content" / "post" / "how-to-apply.md").write_text(
        "## 准备工作\n\n先准备好成绩单和推荐信。\n", encoding="utf-8"
    )
    (project / "content" / "post" / "13-chemical.md").write_text(
        "## 13. 一切都是化学反应\n\n大脑里的一切，说到底都是化学反应。\n", encoding="utf-8"
    )
    (project / "content" / "type").mkdir()
    (project / "content" / "type" / "[key].md").write_text(
        "# {{ $params.name }}\n\n按类型列出的分享：{{ $params.count }} 篇。\n", encoding="utf-8"
    )


def test_vitepress_site_built_from_a_subfolder_with_its_pages_beside_it(tmp_path: Path) -> None:
    _vitepress_project_in_src(tmp_path)
    for pointed_at in (tmp_path, tmp_path / "content", tmp_path / "content" / "post"):
        result = load_corpus([pointed_at])
        # not the repository's README, not the route template
        docs = {d.document.url: d.document.title for d in result.documents}
        assert docs == {
            # no title in the front matter and a file name that is an id: the opening heading
            "https://handbook.example.edu/post/mah16": "“另类”的求职之路",
            # a name of words says more than a section's heading
            "https://handbook.example.edu/post/how-to-apply": "how-to-apply",
            # but not than a Chinese heading long enough to name the page (1000h.org)
            "https://handbook.example.edu/post/13-chemical": "13. 一切都是化学反应",
        }, pointed_at
    site = load_site_config(tmp_path)
    assert (site.generator, site.root, site.setting("src_dir")) == (
        "vitepress",
        str(tmp_path.resolve()),
        "content",
    )


def test_vitepress_route_template_is_reported_not_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    _vitepress_project_in_src(tmp_path)
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "generator: VitePress, https://handbook.example.edu" in out
    assert "pages not imported: templates of generated pages (note): 1" in out
    assert "[key].md: a dynamic route's template" in out


_PLAIN_GEMFILE = 'source "https://rubygems.org"\ngem "jekyll"\ngem "jekyll-feed"\n'
_WORKFLOW = "jobs:\n  build:\n    steps:\n      - run: bundle exec jekyll build\n"


@pytest.mark.parametrize(
    ("gemfile", "workflow", "renders"),
    [
        (_PLAIN_GEMFILE, _WORKFLOW, False),  # built with its own Gemfile: no plugin
        (_PLAIN_GEMFILE, None, True),  # GitHub Pages' own build runs the plugin
        ('source "https://rubygems.org"\ngem "github-pages"\n', _WORKFLOW, True),
        (None, None, True),
    ],
)
def test_jekyll_markdown_without_front_matter_is_a_page_only_where_a_plugin_makes_it_one(
    tmp_path: Path, gemfile: str | None, workflow: str | None, renders: bool
) -> None:
    (tmp_path / "_config.yml").write_text(
        "url: https://j.example\ncollections:\n  notes_en:\n    output: true\n"
        "    permalink: /en/:year-:month-:day/:title.html\n",
        encoding="utf-8",
    )
    if gemfile is not None:
        (tmp_path / "Gemfile").write_text(gemfile, encoding="utf-8")
    if workflow is not None:
        (tmp_path / ".github" / "workflows").mkdir(parents=True)
        (tmp_path / ".github" / "workflows" / "jekyll.yml").write_text(workflow)
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2023-10-26-dahang.md").write_text(
        "---\ntitle: 大航海\n---\n\n一篇有front matter的文章，照常发布。\n", encoding="utf-8"
    )
    # a post is a post with or without front matter (Jekyll's PostReader)
    (tmp_path / "_posts" / "2020-01-02-hello.md").write_text("# 你好\n\n没有front matter的文章。\n")
    (tmp_path / "_notes_en").mkdir()
    (tmp_path / "_notes_en" / "2023-10-26-dahang.md").write_text(
        "---\ntitle: Great voyage\ndate: 2023-10-6\n---\n\nThe same post, in English.\n",
        encoding="utf-8",
    )
    (tmp_path / "AGENTS.md").write_text(
        "# 给程序看的说明\n\n这份文件不是网页。\n", encoding="utf-8"
    )
    (tmp_path / "CONTRIBUTING.md").write_text("# 如何贡献\n\n提交之前先讨论。\n", encoding="utf-8")
    result = load_corpus([tmp_path])
    urls = {d.document.path: d.document.url for d in result.documents}
    # a collection's dated file name gives its slug (and the date, unless the page has one)
    assert urls["_notes_en/2023-10-26-dahang.md"] == "https://j.example/en/2023-10-06/dahang.html"
    assert urls["_posts/2023-10-26-dahang.md"] == "https://j.example/2023/10/26/dahang.html"
    assert urls["_posts/2020-01-02-hello.md"] == "https://j.example/2020/01/02/hello.html"
    if renders:  # rendered as a page; CONTRIBUTING is one the plugin leaves alone
        assert urls["AGENTS.md"] == "https://j.example/AGENTS.html"
        assert "CONTRIBUTING.md" not in urls
    else:  # copied as it is: nothing to quote, no page to link to
        assert "AGENTS.md" not in urls and "CONTRIBUTING.md" not in urls
    assert not result.problems


def test_octopress_site_in_its_source_folder(tmp_path: Path) -> None:
    """Octopress keeps the Jekyll site in source/ (`source: source`) beside its own
    Rakefile, README and CHANGELOG: pages' URLs are from there, the rest is not the site."""
    (tmp_path / "_config.yml").write_text(
        "url: http://blog.example.net\npermalink: /posts/:year/:month/:day/:title/\n"
        "source: source\ndestination: public\nplugins: plugins\n",
        encoding="utf-8",
    )
    (tmp_path / "Gemfile").write_text('source "https://rubygems.org"\ngem "jekyll"\n')
    (tmp_path / "CHANGELOG.markdown").write_text("## 2.0\n\n修正了许多主题里的问题。\n")
    (tmp_path / "source" / "_posts").mkdir(parents=True)
    (tmp_path / "source" / "about").mkdir()
    (tmp_path / "source" / "about" / "index.markdown").write_text(
        "---\ntitle: 关于\n---\n\n写程序也写字的人，住在台北。\n", encoding="utf-8"
    )
    (tmp_path / "source" / "_posts" / "2011-10-07-migrate.markdown").write_text(
        "---\ntitle: 搬家\n---\n\n博客终于搬到了新的地方。\n", encoding="utf-8"
    )
    for pointed_at in (tmp_path, tmp_path / "source" / "_posts"):
        urls = {d.document.path: d.document.url for d in load_corpus([pointed_at]).documents}
        assert "http://blog.example.net/posts/2011/10/07/migrate/" in urls.values()
    urls = {d.document.path: d.document.url for d in load_corpus([tmp_path]).documents}
    assert urls == {
        "source/_posts/2011-10-07-migrate.markdown": (
            "http://blog.example.net/posts/2011/10/07/migrate/"
        ),
        "source/about/index.markdown": "http://blog.example.net/about/",
    }


def test_vitepress_theme_host_name_and_a_commented_out_container(tmp_path: Path) -> None:
    """A theme's config factory takes `hostName`; a writing template's hints sit in
    `<!-- ::: info … ::: -->`: the comment ends there, the page's text after it stays."""
    (tmp_path / ".vitepress").mkdir()
    (tmp_path / ".vitepress" / "config.ts").write_text(
        "import genConfig from 'some-theme/config'\n"
        "const themeConfig = {\n  siteTitle: 'RLE.wiki',\n  hostName: 'https://rle.example',\n}\n"
        "export default withThemeContext(themeConfig, genConfig)\n",
        encoding="utf-8",
    )
    (tmp_path / "campus").mkdir()
    (tmp_path / "campus" / "BIPT.md").write_text(
        "# 北京石油化工学院\n\n<!-- ::: info\n概况部分应包含学校的基本情况。\n::: -->\n\n"
        "学校在大兴，宿舍是四人间，有独立卫浴。\n\n"
        "<!--\n::: info\n军训部分重点关注着装。\n:::-->\n\n"
        "军训在大一入学时进行，为期两周。\n",
        encoding="utf-8",
    )
    result = load_corpus([tmp_path])
    (doc,) = result.documents
    assert doc.document.url == "https://rle.example/campus/BIPT.html"
    assert texts(doc) == [
        "学校在大兴，宿舍是四人间，有独立卫浴。",
        "军训在大一入学时进行，为期两周。",
    ]
    assert not result.problems
    assert load_site_config(tmp_path).title == "RLE.wiki"


def _vuepress_handbook(root: Path) -> None:
    """A VuePress 2 project as NJUST-Manual is laid out (fresh38): the site in docs/, its
    config in docs/.vuepress with the address in a theme's `hostname`, folder index pages
    named readme.md, permalinks in front matter, and a README for the repository."""
    (root / "package.json").write_text(
        '{"scripts": {"docs:build": "npx vuepress build docs --clean-cache"}}', encoding="utf-8"
    )
    (root / "README.zh-CN.md").write_text("# 模板说明\n\n本模板使用 GitHub Pages 部署。\n")
    dot = root / "docs" / ".vuepress"
    dot.mkdir(parents=True)
    (dot / "config.ts").write_text(
        "export default defineUserConfig({\n  base: '/',\n  lang: 'zh-CN',\n"
        "  title: '南理工生存手册',\n"
        "  theme: plumeTheme({ hostname: 'https://manual.example.edu' }),\n})\n",
        encoding="utf-8",
    )
    (dot / "_bulletin.md").write_text("公告：手册正在更新。\n", encoding="utf-8")
    guide = root / "docs" / "notes" / "freshGuide"
    (guide / "3.住宿条件").mkdir(parents=True)
    (root / "docs" / "README.md").write_text(
        "---\nhome: true\n---\n\n一本由学长学姐写给新生的生存手册。\n", encoding="utf-8"
    )
    (guide / "readme.md").write_text(
        "---\ntitle: 新生指南\npermalink: /notes/freshGuide/\n---\n\n"
        "这份指南按入学前后的顺序编排，建议从常见问题读起。\n",
        encoding="utf-8",
    )
    (guide / "3.住宿条件" / "readme.md").write_text(
        "# 住宿条件\n\n## 本章序\n\n南京校区的宿舍分为北区和南区，条件各不相同。\n",
        encoding="utf-8",
    )
    (guide / "3.住宿条件" / "98.外宿.md").write_text(
        "---\ntitle: 外宿\npermalink: /notes/freshGuide/dorm-conditions/living-outside.html\n"
        "---\n\n## 外宿申请\n\n外宿需要辅导员签字，并提交家长知情同意书。\n",
        encoding="utf-8",
    )


def test_vuepress_pages_folder_indexes_and_permalinks(tmp_path: Path) -> None:
    _vuepress_handbook(tmp_path)
    for pointed_at in (tmp_path, tmp_path / "docs"):
        result = load_corpus([pointed_at])
        docs = {d.document.url or "": d for d in result.documents}
        # a folder's readme.md is its page; the repository's README and the config folder's
        # own Markdown are not pages
        assert sorted(docs) == [
            "https://manual.example.edu/",
            "https://manual.example.edu/notes/freshGuide/",
            "https://manual.example.edu/notes/freshGuide/3.%E4%BD%8F%E5%AE%BF%E6%9D%A1%E4%BB%B6/",
            "https://manual.example.edu/notes/freshGuide/dorm-conditions/living-outside.html",
        ], pointed_at
        outside = docs[
            "https://manual.example.edu/notes/freshGuide/dorm-conditions/living-outside.html"
        ]
        assert outside.sections[outside.passages[0].section].source_url == (
            "https://manual.example.edu/notes/freshGuide/dorm-conditions/living-outside.html"
            "#%E5%A4%96%E5%AE%BF%E7%94%B3%E8%AF%B7"
        )
        assert not result.problems
    site = load_site_config(tmp_path)
    assert (site.generator, site.title, site.language) == ("vuepress", "南理工生存手册", "zh-CN")


def test_vitepress_brackets_in_a_title_and_a_src_dir_far_outside(tmp_path: Path) -> None:
    """`[转载]如何写作.md` is a page (a route parameter is `[name]` in ASCII); a srcDir that
    climbs past the project's folder is not the project's, and `siteTitle: false` is none."""
    site = tmp_path / "project" / "docs"
    (site / ".vitepress").mkdir(parents=True)
    (site / ".vitepress" / "config.ts").write_text(
        "export default { srcDir: '../..', sitemap: { hostname: 'https://x.example' },\n"
        "  themeConfig: { siteTitle: false } }\n",
        encoding="utf-8",
    )
    (site / "posts").mkdir()
    (site / "posts" / "[转载]如何写作.md").write_text("# 如何写作\n\n每天写一点，不要等灵感。\n")
    result = load_corpus([site])
    (doc,) = result.documents
    assert (
        doc.document.url
        == "https://x.example/posts/%5B%E8%BD%AC%E8%BD%BD%5D%E5%A6%82%E4%BD%95%E5%86%99%E4%BD%9C.html"
    )
    assert load_site_config(site).title is None


def _mdbook(root: Path, output: str, summary_extra: str = "") -> None:
    (root / "src" / "生活").mkdir(parents=True)
    (root / "book.toml").write_text(
        '[book]\ntitle = "微雪博客"\nauthors = ["TinySnow"]\nlanguage = "zh-CN"\n'
        f'src = "src"\n\n[output.html]\n{output}',
        encoding="utf-8",
    )
    (root / "src" / "SUMMARY.md").write_text(
        "# Summary\n\n[简介](README.md)\n\n# 生活碎笔\n\n- [茉莉清茶](生活/茉莉清茶.md)\n"
        "  - [一年](./生活/一年.md)\n"
        f"- [草稿]()\n{summary_extra}",
        encoding="utf-8",
    )
    (root / "src" / "README.md").write_text("# 简介\n\n这是一个写生活的博客。\n", encoding="utf-8")
    (root / "src" / "生活" / "一年.md").write_text("# 一年\n\n又是一年过去了。\n", encoding="utf-8")
    (root / "src" / "生活" / "茉莉清茶.md").write_text(
        "# 茉莉清茶\n\n## 正文 (一)\n\n那天出于尝鲜，拿了一瓶茉莉清茶。\n\n## 正文 (一)\n\n"
        "三块钱的小瓶装，不幸即日售罄。\n",
        encoding="utf-8",
    )
    (root / "src" / "生活" / "未列出.md").write_text(
        "# 未列出\n\n没有写进目录的一篇草稿。\n", encoding="utf-8"
    )


def test_mdbook_chapters_are_at_their_source_paths_on_github_pages(tmp_path: Path) -> None:
    # TinySnow's 微雪博客 (fresh27): an mdBook with no generator found, no link anywhere.
    _mdbook(tmp_path, 'git-repository-url = "https://github.com/TinySnow/TinySnow.github.io"\n')
    site = load_site_config(tmp_path / "src" / "生活")  # pointed inside: the book is found
    assert (site.generator, site.url, site.author) == (
        "mdbook",
        "https://tinysnow.github.io",
        "TinySnow",
    )
    result = load_corpus([tmp_path])
    docs = {d.document.path: d for d in result.documents}
    assert set(docs) == {
        "src/README.md",
        "src/生活/一年.md",
        "src/生活/茉莉清茶.md",
        "src/生活/未列出.md",
    }
    # the book's introduction, README.md, is the chapter mdBook serves as index.html
    assert docs["src/README.md"].document.url == "https://tinysnow.github.io/index.html"
    assert texts(docs["src/README.md"]) == ["这是一个写生活的博客。"]
    assert docs["src/生活/一年.md"].document.url == (
        "https://tinysnow.github.io/%E7%94%9F%E6%B4%BB/%E4%B8%80%E5%B9%B4.html"
    )
    tea = docs["src/生活/茉莉清茶.md"]
    base = "https://tinysnow.github.io/%E7%94%9F%E6%B4%BB/%E8%8C%89%E8%8E%89%E6%B8%85%E8%8C%B6.html"
    assert tea.document.url == base
    # mdBook's ids: "正文 (一)" -> "正文-一", the second one numbered
    assert [tea.sections[p.section].source_url for p in tea.passages] == [
        base + "#%E6%AD%A3%E6%96%87-%E4%B8%80",
        base + "#%E6%AD%A3%E6%96%87-%E4%B8%80-1",
    ]
    # a file SUMMARY.md does not list is not built: imported, without a link, said why
    assert docs["src/生活/未列出.md"].document.url is None
    report = "\n".join(CorpusReport.build(result).lines())
    assert "not a chapter of SUMMARY.md" in report
    assert "generator: mdBook, https://tinysnow.github.io" in report


def test_mdbook_site_from_its_cname_or_a_project_repository(tmp_path: Path) -> None:
    _mdbook(tmp_path / "a", 'cname = "book.example.org"\nsite-url = "/notes/"\n')
    assert load_site_config(tmp_path / "a").url == "https://book.example.org/notes"
    _mdbook(
        tmp_path / "b",
        'git-repository-url = "https://github.com/someone/notes"\nsite-url = "/notes/"\n',
    )
    assert load_site_config(tmp_path / "b").url == "https://someone.github.io/notes"
    # a project's book without site-url may be served anywhere: no guess, corpus.yaml can say
    _mdbook(tmp_path / "c", 'git-repository-url = "https://github.com/someone/notes"\n')
    assert load_site_config(tmp_path / "c").url is None
    (tmp_path / "c" / "corpus.yaml").write_text("url: https://notes.example\n", encoding="utf-8")
    result = load_corpus([tmp_path / "c"])
    urls = {d.document.path: d.document.url for d in result.documents}
    assert (
        urls["src/生活/一年.md"]
        == "https://notes.example/%E7%94%9F%E6%B4%BB/%E4%B8%80%E5%B9%B4.html"
    )
