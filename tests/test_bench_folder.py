"""`python -m bench --corpus DIR`: a folder of the user's Markdown as the scale corpus."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bench.book import UNIT_CHARS
from bench.folder import folder_queries, make_folder_corpus
from bot.text import normalize

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _folder(root: Path) -> Path:
    folder = root / "essays"
    (folder / "sub").mkdir(parents=True)
    prose = "".join(f"这是第{i}句话，讲的是一个读书会里的故事。" for i in range(1500))
    for name, title in (("a.md", "坟"), ("sub/b.md", "热风")):
        (folder / name).write_text(
            f"---\ntitle: {title}\n---\n\n# {title}\n\n{prose}\n\n```\n代码不算正文的句子\n```\n",
            encoding="utf-8",
        )
    (folder / "notes.txt").write_text("不是 Markdown", encoding="utf-8")
    return folder


def test_a_size_is_near_duplicate_copies_of_the_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    characters = make_folder_corpus(tmp_path / "corpus", folder, 1)
    files = sorted((tmp_path / "corpus").rglob("*.md"))
    assert UNIT_CHARS <= characters < UNIT_CHARS + 40_000  # stops at the file that reaches it
    assert sum(len(f.read_text(encoding="utf-8")) for f in files) == characters
    assert not list((tmp_path / "corpus").rglob("*.txt"))
    original = (folder / "a.md").read_text(encoding="utf-8")
    first = (tmp_path / "corpus" / "copy000" / "00000-a.md").read_text(encoding="utf-8")
    second = (tmp_path / "corpus" / "copy001" / "00000-a.md").read_text(encoding="utf-8")
    assert first == original and len(second) == len(original)
    changed = sum(a != b for a, b in zip(original, second, strict=True))
    assert 0.01 < changed / len(_CJK.findall(original)) < 0.05
    # Asked again, the corpus on disk is reused as it is.
    assert make_folder_corpus(tmp_path / "corpus", folder, 1) == characters


def test_the_query_mix_is_the_written_set_then_cuts_of_the_prose(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    written = tmp_path / "set.yaml"
    written.write_text(
        yaml.safe_dump(
            [
                {"kind": "exact", "q": "读书会里的故事", "expect": ["读书会里的故事"]},
                {"kind": "pinyin", "q": "dushuhui", "expect": ["读书会"]},
            ],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    queries = folder_queries(folder, written)
    assert queries[0]["q"] == "读书会里的故事"
    assert all(q["kind"] != "pinyin" for q in queries)
    cuts = [q for q in queries if q["kind"] == "cut"]
    assert len(cuts) == 200 and cuts == [q for q in folder_queries(folder, None)]
    prose = normalize((folder / "a.md").read_text(encoding="utf-8").split("```")[0])
    assert all(normalize(c["q"]) in prose for c in cuts)  # not from the code block
    assert not any("代码" in c["q"] for c in cuts)


def test_cuts_come_from_what_a_reader_sees_not_from_the_markdown(tmp_path: Path) -> None:
    # A cut is an expectation: a passage must hold it. Link addresses, tags and footnote
    # marks are not in any passage, so they are never part of one.
    from bench.folder import paragraphs

    folder = tmp_path / "blog"
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\ntitle: 周刊\n---\n\n这周看到一篇[关于熊的粪便的文章](https://www.bbc.com/news/x)，"
        "作者详细记录了三年的观察结果。原文地址 https://example.com/a/b 里还有很多图片，"
        "值得一看<br>下面是另一段很长的说明文字，足够长了。[^1]\n\n![图](a.png)\n",
        encoding="utf-8",
    )
    runs = paragraphs(folder)
    markdown = ("](", "http", "<br>", "[^1]", "a.png")
    assert runs and all(not any(m in r for m in markdown) for r in runs)
    assert any("关于熊的粪便的文章" in r for r in runs)
