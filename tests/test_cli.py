"""The command-line contract on real files: `main([...])` in this process for most of it, a
real `python -m bot` process where only a process shows it (the first run, special files).

These contracts are about indexing and searching by words, so they run with the meaning
index off (its build costs seconds per index); tests/test_meaning.py holds the contract with
it on, and the first search here runs as installed, meaning and all."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from .conftest import DATA, RESULT_FIELDS, SHIPPED_CORPUS
from .support.cli import Cli, CliRun, as_process


@pytest.fixture(autouse=True)
def words_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXCERPT_BOT_MEANING", "off")


def assert_no_traceback(proc: CliRun) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout


def test_version_and_help_on_every_command(cli: Cli, tmp_path: Path) -> None:
    proc = cli("--version", home=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("excerpt-bot ")
    for command in ("index", "search", "export", "check", "stats"):
        proc = cli(command, "--help", home=tmp_path)
        assert proc.returncode == 0 and "usage:" in proc.stdout, command


def test_first_search_indexes_the_shipped_corpus(tmp_path: Path) -> None:
    """A new user's first command, as a real process: `python -m bot search ...`."""
    as_installed = {"EXCERPT_BOT_MEANING": "on"}
    proc = as_process("search", "托派很擅长篡改历史", home=tmp_path, env=as_installed)
    assert proc.returncode == 0, proc.stderr
    assert "托派很擅长篡改历史" in proc.stdout
    assert "暴躁皮皮" in proc.stdout
    assert (tmp_path / "data" / "excerpt-bot" / "excerpt.db").is_file()
    again = as_process("search", "--json", "托派", home=tmp_path, env=as_installed)
    assert "Indexing" not in again.stderr  # built once, reused


def test_index_search_json_and_stdin_contract(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    proc = cli("index", "--db", str(db), str(SHIPPED_CORPUS), home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "1 documents" in proc.stderr and "passages" in proc.stderr

    proc = cli("search", "--db", str(db), "--json", "--limit", "3", "理论再正确", home=tmp_path)
    record = json.loads(proc.stdout)
    assert record["query"] == "理论再正确" and record["took_ms"] >= 0
    assert 1 <= len(record["results"]) <= 3
    first = record["results"][0]
    assert set(first) >= RESULT_FIELDS
    assert set(first["document"]) == {"title", "path", "url"}

    proc = cli(
        "search", "--db", str(db), "-", home=tmp_path, stdin="托派\n今天天气怎么样\n\n皖南事变\n"
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["query"] for r in lines] == ["托派", "今天天气怎么样", "", "皖南事变"]
    assert lines[1]["results"] == [] and lines[2]["results"] == []
    assert lines[3]["results"]


def test_export_and_stats_agree(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    cli("index", "--db", str(db), home=tmp_path)
    stats = json.loads(cli("stats", "--db", str(db), "--json", home=tmp_path).stdout)
    exported = [
        json.loads(x) for x in cli("export", "--db", str(db), home=tmp_path).stdout.splitlines()
    ]
    assert len(exported) == stats["passages"] > 50
    assert {e["author"] for e in exported} >= {"暴躁皮皮", "米宁", "印共（毛）"}


def test_unchanged_corpus_is_not_rebuilt(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    cli("index", "--db", str(db), home=tmp_path)
    proc = cli("index", "--db", str(db), home=tmp_path)
    assert proc.returncode == 0 and "up to date" in proc.stderr


def test_problems_are_named_and_strict_fails_without_touching_the_db(
    cli: Cli, tmp_path: Path
) -> None:
    corpus = tmp_path / "posts"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    (corpus / "bad.md").write_bytes(b"---\ntitle: [unclosed\n---\n\nbody\n")
    db = tmp_path / "a.db"
    cli("index", "--db", str(db), str(SHIPPED_CORPUS), home=tmp_path)
    before = db.read_bytes()

    proc = cli("index", "--db", str(db), "--strict", str(corpus), home=tmp_path)
    assert proc.returncode != 0 and "bad.md" in proc.stderr
    assert db.read_bytes() == before

    proc = cli("index", "--db", str(db), str(corpus), home=tmp_path)
    assert proc.returncode == 0 and "bad.md" in proc.stderr
    assert_no_traceback(proc)

    proc = cli("check", str(corpus), home=tmp_path)
    assert proc.returncode != 0 and "bad.md" in proc.stdout


def test_missing_path_fails_and_keeps_the_old_database(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    cli("index", "--db", str(db), home=tmp_path)
    before = db.read_bytes()
    proc = cli("index", "--db", str(db), str(tmp_path / "nope"), home=tmp_path)
    assert proc.returncode != 0 and "nope" in proc.stderr
    assert db.read_bytes() == before
    assert_no_traceback(proc)


@pytest.mark.parametrize("content", [None, b"garbage" * 500, b""])
def test_missing_or_corrupt_database_gives_a_clear_message(
    cli: Cli, tmp_path: Path, content: bytes | None
) -> None:
    db = tmp_path / "broken.db"
    if content is not None:
        db.write_bytes(content)
    for args in (("search", "托派"), ("stats",), ("export",)):
        proc = cli(args[0], "--db", str(db), *args[1:], home=tmp_path)
        assert proc.returncode != 0
        assert "broken.db" in proc.stderr
        assert_no_traceback(proc)


def test_check_on_clean_corpus_is_zero(cli: Cli, tmp_path: Path) -> None:
    proc = cli("check", str(DATA / "hexo-sample" / "source"), home=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "67 documents" in proc.stdout


def test_default_database_built_from_other_posts_is_not_replaced(cli: Cli, tmp_path: Path) -> None:
    """`excerpt-bot index ~/blog` into the default database, then `search`: the user's
    index is searched, not silently rebuilt from the shipped corpus."""
    blog = tmp_path / "blog"
    blog.mkdir()
    (blog / "post.md").write_text("# 我的博客\n\n独一无二的句子在这里。\n", encoding="utf-8")
    assert cli("index", str(blog), home=tmp_path).returncode == 0
    proc = cli("search", "独一无二的句子", home=tmp_path)
    assert proc.returncode == 0 and "我的博客" in proc.stdout and "在这里" in proc.stdout
    assert "Indexing" not in proc.stderr


def test_auto_built_database_follows_changes_to_its_corpus(cli: Cli, tmp_path: Path) -> None:
    corpus = tmp_path / "posts"
    corpus.mkdir()
    post = corpus / "a.md"
    post.write_text("# 甲\n\n第一版的句子。\n", encoding="utf-8")
    env = {"EXCERPT_BOT_CORPUS": str(corpus)}  # the default database, this corpus
    first = cli("search", "第一版的句子", home=tmp_path, env=env)
    assert "第一版的句子" in first.stdout and "Indexing" in first.stderr
    post.write_text("# 甲\n\n第二版的句子。\n", encoding="utf-8")
    second = cli("search", "第二版的句子", home=tmp_path, env=env)
    assert "第二版的句子" in second.stdout and "Indexing" in second.stderr


def damage(db: Path) -> None:
    """Overwrite pages in the middle of a database: the header still looks fine."""
    with db.open("r+b") as f:
        f.seek(65536)
        f.write(os.urandom(32768))


def test_database_damaged_past_its_header_is_reported_and_can_be_rebuilt(
    cli: Cli, tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    cli("index", "--db", str(db), home=tmp_path)
    damage(db)
    failures = 0
    for args in (("export",), ("stats",), ("search", "托派很擅长篡改历史")):
        proc = cli(args[0], "--db", str(db), *args[1:], home=tmp_path)
        assert_no_traceback(proc)
        if proc.returncode != 0:  # a command may not touch the damaged pages
            failures += 1
            assert "a.db" in proc.stderr and "excerpt-bot index" in proc.stderr
    assert failures  # the damage was noticed
    proc = cli("index", "--db", str(db), home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert cli("stats", "--db", str(db), home=tmp_path).returncode == 0


@pytest.mark.parametrize("where", ["/proc/excerpt.db", "/dev/null/excerpt.db", "{tmp}"])
def test_unwritable_database_path_is_a_clear_error(cli: Cli, tmp_path: Path, where: str) -> None:
    proc = cli("index", "--db", where.format(tmp=tmp_path), home=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("excerpt-bot: ")
    assert_no_traceback(proc)


def test_special_files_in_a_corpus_neither_hang_nor_blow_up(tmp_path: Path) -> None:
    """In a process, so that a hang is a timeout rather than a stuck test run."""
    corpus = tmp_path / "posts"
    corpus.mkdir()
    (corpus / "good.md").write_text("# 好\n\n正常的文章。\n", encoding="utf-8")
    os.mkfifo(corpus / "fifo.md")
    (corpus / "zero.md").symlink_to("/dev/zero")
    proc = as_process("index", "--db", str(tmp_path / "a.db"), str(corpus), home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "fifo.md" in proc.stderr and "zero.md" in proc.stderr
    assert "1 documents" in proc.stderr


def test_index_says_where_each_sites_pages_link(cli: Cli, tmp_path: Path) -> None:
    # A blog owner sees at once whether replies will carry links, and where to.
    site = str(DATA / "sites" / "jekyll")
    linked = cli("index", "--db", str(tmp_path / "a.db"), site, home=tmp_path)
    assert linked.returncode == 0, linked.stderr
    assert "generator: Jekyll, https://blog.example.org" in linked.stderr
    unlinked_site = tmp_path / "blog"
    shutil.copytree(DATA / "sites" / "jekyll-project", unlinked_site)  # no url, no clone
    bare = cli("index", "--db", str(tmp_path / "b.db"), str(unlinked_site), home=tmp_path)
    assert bare.returncode == 0, bare.stderr
    assert "generator: Jekyll, no site URL: pages get no link" in bare.stderr
    assert "pages get no link (`excerpt-bot check PATH` says why)" in bare.stderr
    # A folder of notes no generator made is not called a Hexo site.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# 笔记\n\n正文。\n", encoding="utf-8")
    plain = cli("index", "--db", str(tmp_path / "c.db"), str(notes), home=tmp_path)
    assert "generator: none found (a folder of Markdown files), no site URL" in plain.stderr
    assert "Hexo" not in plain.stderr
    checked = cli("check", str(notes), home=tmp_path)
    assert "no site URL (set url in corpus.yaml)" in checked.stdout + checked.stderr
    # A site whose config cannot be used is not a folder without one: its owner is sent
    # to that config.
    broken = tmp_path / "broken"
    (broken / "source" / "_posts").mkdir(parents=True)
    (broken / "_config.yml").write_text("url: example.com\n", encoding="utf-8")
    (broken / "source" / "_posts" / "a.md").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    said = cli("check", str(broken), home=tmp_path)
    out = said.stdout + said.stderr
    assert "generator: unknown (its config" in out and "_config.yml could not be used" in out
    assert "none found" not in out
    assert "set url in _config.yml or corpus.yaml" in out
    # A folder with a corpus.yaml of its own (a title, no url), read as it should be, is
    # a folder of Markdown files, not a config that could not be used (the shipped corpus).
    (notes / "corpus.yaml").write_text("title: 文章摘录\n", encoding="utf-8")
    said = cli("check", str(notes), home=tmp_path)
    out = said.stdout + said.stderr
    assert "generator: none found (a folder of Markdown files), no site URL" in out
    assert "could not be used" not in out


def test_a_password_protected_post_is_not_indexed_and_index_says_so(
    cli: Cli, tmp_path: Path
) -> None:
    # hexo-blog-encrypt shows a post with `password:` only to who knows it: the bot must not
    # quote it to a whole group. Not a fault in the file: --strict still builds.
    site = tmp_path / "blog"
    (site / "source" / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("url: https://blog.example.org\n", encoding="utf-8")
    (site / "source" / "_posts" / "open.md").write_text(
        "---\ntitle: 公开\ndate: 2015-03-01\n---\n外婆家门口的那棵枣树又结满了果子。\n",
        encoding="utf-8",
    )
    (site / "source" / "_posts" / "diary.md").write_text(
        "---\ntitle: 日记\ndate: 2015-03-02\npassword: hunan2015\n"
        "message: 输入密码阅读\n---\n这件事我只告诉过最亲近的几个朋友。\n",
        encoding="utf-8",
    )
    (site / "source" / "_posts" / "pin.md").write_text(  # hexo-encrypt: its password in config
        "---\ntitle: 随笔\ndate: 2015-03-03\nencrypt: true\n---\n那年冬天格外冷。\n",
        encoding="utf-8",
    )
    db = tmp_path / "a.db"
    built = cli("index", "--db", str(db), "--no-meaning", "--strict", str(site), home=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "2 password-protected pages not imported" in built.stderr
    assert "1 documents" in built.stderr
    found = cli("search", "--db", str(db), "--json", "外婆家门口的那棵枣树", home=tmp_path)
    assert json.loads(found.stdout)["results"], found.stderr
    hidden = cli("search", "--db", str(db), "--json", "只告诉过最亲近的几个朋友", home=tmp_path)
    assert json.loads(hidden.stdout)["results"] == []
    checked = cli("check", str(site), home=tmp_path)
    assert "pages not imported: password-protected (note): 2" in checked.stdout
    assert "diary.md" in checked.stdout


def test_a_draft_is_not_indexed_and_index_says_so(cli: Cli, tmp_path: Path) -> None:
    # Jekyll's and Hugo's drafts (`draft: true`, `published: false`) are not published:
    # quoting one in a group would publish it. They were indexed, only without a link.
    site = tmp_path / "blog"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "https://blog.someone.dev/"\n', encoding="utf-8")
    (site / "content" / "posts" / "open.md").write_text(
        "---\ntitle: 公开\ndate: 2015-03-01\n---\n外婆家门口的那棵枣树又结满了果子。\n",
        encoding="utf-8",
    )
    (site / "content" / "posts" / "wip.md").write_text(
        "---\ntitle: 草稿\ndate: 2015-03-02\ndraft: true\n---\n这篇还没想好要不要发出来。\n",
        encoding="utf-8",
    )
    db = tmp_path / "a.db"
    built = cli("index", "--db", str(db), "--no-meaning", "--strict", str(site), home=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "1 drafts not imported" in built.stderr
    assert "1 documents" in built.stderr
    again = cli("index", "--db", str(db), "--no-meaning", str(site), home=tmp_path)
    assert "up to date" in again.stderr  # and it says again what it said when it built
    assert "1 drafts not imported" in again.stderr
    assert "site " in again.stderr and "generator: Hugo, https://blog.someone.dev" in again.stderr
    hidden = cli("search", "--db", str(db), "--json", "这篇还没想好要不要发出来", home=tmp_path)
    assert json.loads(hidden.stdout)["results"] == []
    checked = cli("check", str(site), home=tmp_path)
    assert "pages not imported: drafts (note): 1" in checked.stdout
    assert "wip.md" in checked.stdout


def test_a_cname_added_later_rebuilds_the_index_with_its_links(cli: Cli, tmp_path: Path) -> None:
    # A site without url links to its CNAME: adding one must not leave "up to date" links.
    site = tmp_path / "blog"
    shutil.copytree(DATA / "sites" / "jekyll-project", site)  # no url, no clone
    db = str(tmp_path / "a.db")
    first = cli("index", "--db", db, "--no-meaning", str(site), home=tmp_path)
    assert "no site URL: pages get no link" in first.stderr
    (site / "CNAME").write_text("blog.someone.dev\n", encoding="utf-8")
    again = cli("index", "--db", db, "--no-meaning", str(site), home=tmp_path)
    assert "up to date" not in again.stderr
    assert "generator: Jekyll, https://blog.someone.dev" in again.stderr


def test_unchanged_index_repeats_its_summary_and_problems(cli: Cli, tmp_path: Path) -> None:
    corpus = tmp_path / "posts"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    (corpus / "bad.md").write_bytes(b"\xff\xfe not utf-8")
    db = tmp_path / "a.db"
    cli("index", "--db", str(db), str(corpus), home=tmp_path)
    again = cli("index", "--db", str(db), str(corpus), home=tmp_path)
    assert again.returncode == 0
    assert "up to date" in again.stderr and "bad.md" in again.stderr
    assert "1 documents" in again.stderr and "1 problems" in again.stderr
    strict = cli("index", "--db", str(db), "--strict", str(corpus), home=tmp_path)
    assert strict.returncode == 1


def test_raising_the_file_size_limit_rebuilds(cli: Cli, tmp_path: Path) -> None:
    corpus = tmp_path / "posts"
    corpus.mkdir()
    (corpus / "big.md").write_text("# 大\n\n" + "很长的段落。" * 200_000, encoding="utf-8")
    db = tmp_path / "a.db"
    small = cli(
        "index", "--db", str(db), "--allow-shrink", str(corpus), home=tmp_path,
        env={"EXCERPT_BOT_MAX_FILE_MB": "1"},
    )  # fmt: skip
    assert "big.md" in small.stderr and "0 documents" in small.stderr
    large = cli(
        "index", "--db", str(db), str(corpus), home=tmp_path, env={"EXCERPT_BOT_MAX_FILE_MB": "10"}
    )
    assert "up to date" not in large.stderr and "1 documents" in large.stderr


def test_reindex_reuses_unchanged_files_and_matches_a_fresh_build(cli: Cli, tmp_path: Path) -> None:
    corpus = tmp_path / "posts"
    shutil.copytree(DATA / "hexo-sample" / "source", corpus)
    db, fresh = tmp_path / "a.db", tmp_path / "fresh.db"
    cli("index", "--db", str(db), str(corpus), home=tmp_path)
    # Mark an unchanged file's stored text: only a reused parse can carry the mark over.
    conn = sqlite3.connect(db)
    (doc_id,) = conn.execute(
        "SELECT id FROM documents WHERE path LIKE '%hello-world.md'"
    ).fetchone()
    conn.execute("UPDATE passages SET text = text || '〔reused〕' WHERE document_id = ?", (doc_id,))
    conn.commit()
    conn.close()
    changed = corpus / "_posts" / "friendlink-apply.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\n新加的一段。\n", encoding="utf-8")

    assert cli("index", "--db", str(db), str(corpus), home=tmp_path).returncode == 0
    exported = cli("export", "--db", str(db), home=tmp_path).stdout
    assert "〔reused〕" in exported  # the unchanged file was not parsed again
    assert "新加的一段。" in exported  # the changed one was

    cli("index", "--db", str(fresh), str(corpus), home=tmp_path)
    fresh_export = cli("export", "--db", str(fresh), home=tmp_path).stdout
    assert fresh_export == exported.replace("〔reused〕", "")
    forced = cli("index", "--db", str(db), "--force", str(corpus), home=tmp_path)
    assert forced.returncode == 0
    assert cli("export", "--db", str(db), home=tmp_path).stdout == fresh_export


def test_site_settings_change_is_noticed_with_a_relative_corpus_path(
    cli: Cli, tmp_path: Path
) -> None:
    blog = tmp_path / "blog"
    shutil.copytree(DATA / "hexo-sample", blog)
    db = tmp_path / "a.db"

    def index_from_source() -> CliRun:
        return cli("index", "--db", str(db), "_posts", home=tmp_path, cwd=blog / "source")

    assert index_from_source().returncode == 0
    config = blog / "_config.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "url: https://blog.jason0743.space/", "url: https://moved.example/"
        ),
        encoding="utf-8",
    )
    again = index_from_source()
    assert "up to date" not in again.stderr
    assert "https://moved.example/" in cli("export", "--db", str(db), home=tmp_path).stdout


def forget_text_tables(db: Path) -> None:
    """Make a database look built with other Unicode, OpenCC or pinyin tables."""
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = 'old' WHERE key = 'text_signature'")
    conn.commit()
    conn.close()


def test_default_database_from_other_text_tables_is_rebuilt_on_its_own(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli("search", "托派", home=tmp_path).returncode == 0
    db = tmp_path / "data" / "excerpt-bot" / "excerpt.db"
    forget_text_tables(db)
    proc = cli("search", "托派很擅长篡改历史", home=tmp_path)
    assert proc.returncode == 0 and "Indexing" in proc.stderr and "篡改历史" in proc.stdout

    explicit = tmp_path / "b.db"
    cli("index", "--db", str(explicit), home=tmp_path)
    forget_text_tables(explicit)
    refused = cli("search", "--db", str(explicit), "托派", home=tmp_path)
    assert refused.returncode == 1 and f"excerpt-bot index --db {explicit}" in refused.stderr
    rebuilt = cli("index", "--db", str(explicit), home=tmp_path)
    assert "up to date" not in rebuilt.stderr
    assert cli("search", "--db", str(explicit), "托派", home=tmp_path).returncode == 0


def test_a_token_that_cannot_be_one_is_refused_with_the_rule_it_breaks(
    cli: Cli, tmp_path: Path
) -> None:
    """The README's run command holds a placeholder; pasted as is, or a token cut short, the
    reader is told the rule (at least 20 characters after the colon), before any indexing."""
    readme = (SHIPPED_CORPUS.parent / "README.md").read_text(encoding="utf-8")
    placeholder = readme.split("TELEGRAM_BOT_TOKEN=", 1)[1].split(" .venv", 1)[0].strip("'")
    assert "BotFather" in placeholder  # obviously not a token
    for token in (placeholder, "123456:ABC-your-token", "110201543:" + "A" * 19):
        proc = cli("run", home=tmp_path, env={"TELEGRAM_BOT_TOKEN": token})
        assert proc.returncode == 1, token
        assert "a colon, then at least 20 letters, digits" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "data" / "excerpt-bot").exists()  # refused before indexing


def test_a_query_that_fails_does_not_end_a_batch(
    shipped_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`search -` answers line by line; a query the search raises on (a bug) is named on
    stderr and answered with an error line, and the rest are still answered, no traceback."""
    import io

    import bot.cli as cli_module
    from bot.cli import main
    from bot.search import search as real_search

    async def flaky(store, query, **kwargs):  # type: ignore[no-untyped-def]
        if query == "坏的":
            raise RuntimeError("boom")
        return await real_search(store, query, **kwargs)

    monkeypatch.setattr(cli_module, "search", flaky)
    monkeypatch.setattr("sys.stdin", io.StringIO("托派\n坏的\n皖南事变\n"))
    assert main(["search", "--db", str(shipped_db), "-"]) == 1
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["query"] for r in lines] == ["托派", "坏的", "皖南事变"]
    assert lines[1] == {"query": "坏的", "error": "search failed", "total": 0, "results": []}
    assert lines[0]["results"] and lines[2]["results"]
    assert "search failed for '坏的'" in err and "Traceback" not in err
    # One query given on the command line: the same, in one line, exit status 1.
    assert main(["search", "--db", str(shipped_db), "坏的"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("excerpt-bot: search failed for '坏的'")
