"""`excerpt-bot index` never publishes what is almost certainly a mistake, builds one at a
time, cleans up after builds that died, and keeps what it writes to its owner."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT
from .support.cli import Cli, as_process


def write_posts(folder: Path, names: list[str], *, paragraphs: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        body = "".join(f"{name}的第{i}段，写一些可以搜索的文字。\n\n" for i in range(paragraphs))
        (folder / f"{name}.md").write_text(f"# {name}\n\n{body}", encoding="utf-8")
    return folder


def documents_in(cli: Cli, db: Path, home: Path) -> int:
    proc = cli("stats", "--db", str(db), "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    return int(__import__("json").loads(proc.stdout)["documents"])


def test_an_empty_or_broken_corpus_never_replaces_a_good_database(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "blog.db"
    good = write_posts(tmp_path / "good", ["春", "夏", "秋", "冬"])
    assert cli("index", "--no-meaning", "--db", str(db), str(good), home=tmp_path).returncode == 0
    before = db.read_bytes()

    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.md").write_bytes(b"\x00\x01\x02 not text at all \xff\xfe" * 100)
    (broken / "b.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    for folder in (empty, broken):
        for strict in ([], ["--strict"]):
            proc = cli(
                "index", "--no-meaning", "--db", str(db), *strict, str(folder), home=tmp_path
            )
            assert proc.returncode == 1, (folder, strict, proc.stderr)
            last = proc.stderr.strip().splitlines()[-1]
            assert last.startswith("excerpt-bot: "), proc.stderr
            if not strict:
                assert "no passages" in last and "the database was not changed" in last
                assert "--allow-shrink" in last
            assert db.read_bytes() == before

    # A corpus that lost three of its four posts (a half-synced folder, a wrong subfolder).
    shrunk = write_posts(tmp_path / "shrunk", ["春"])
    proc = cli("index", "--no-meaning", "--db", str(db), str(shrunk), home=tmp_path)
    assert proc.returncode == 1
    assert "lost 3 of the 4 documents" in proc.stderr and "--allow-shrink" in proc.stderr
    assert db.read_bytes() == before
    # Losing half is not "most": a blog may well drop half its drafts.
    half = write_posts(tmp_path / "half", ["春", "夏"])
    assert cli("index", "--no-meaning", "--db", str(db), str(half), home=tmp_path).returncode == 0
    assert documents_in(cli, db, tmp_path) == 2

    # Asked for, it is published.
    proc = cli(
        "index", "--no-meaning", "--db", str(db), "--allow-shrink", str(empty), home=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert documents_in(cli, db, tmp_path) == 0


def test_two_index_runs_of_one_database_take_turns(tmp_path: Path) -> None:
    """Real processes: the second waits for the first, then finds the database up to date
    instead of building the same thing beside it."""
    corpus = write_posts(tmp_path / "posts", [f"篇{i}" for i in range(400)], paragraphs=40)
    data = tmp_path / "data"
    data.mkdir()
    db = data / "blog.db"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "x"), "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "bot", "index", "--no-meaning", "--db", str(db), str(corpus)]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    # Wait until the first holds the lock (this test cannot take it any more), then start
    # the second.
    folder = os.open(data, os.O_RDONLY)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and first.poll() is None:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                break
            fcntl.flock(folder, fcntl.LOCK_UN)
            time.sleep(0.005)
        else:
            pytest.fail("the first index never took the lock")
    finally:
        os.close(folder)
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second.stderr
    assert "waiting for it" in second.stderr
    assert "indexed 400 files" in first_err
    assert "is up to date" in second.stderr  # built once, not twice
    assert sorted(p.name for p in data.iterdir()) == ["blog.db"]


def test_files_left_by_a_killed_build_are_removed_at_the_next_one(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "blog.db"
    posts = write_posts(tmp_path / "posts", ["春", "夏"])
    assert cli("index", "--no-meaning", "--db", str(db), str(posts), home=tmp_path).returncode == 0
    # What a build killed a moment ago leaves: its temporary file, written just now.
    leftovers = [tmp_path / f".blog.db.building-{n:012x}" for n in range(3)]
    for leftover in leftovers:
        leftover.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    write_posts(posts, ["秋"])
    assert cli("index", "--no-meaning", "--db", str(db), str(posts), home=tmp_path).returncode == 0
    assert not [p for p in leftovers if p.exists()]
    assert documents_in(cli, db, tmp_path) == 3


def test_the_database_its_folder_and_the_bot_state_are_private(tmp_path: Path) -> None:
    """Built by a real process with the usual umask (022): still owner-only."""
    posts = write_posts(tmp_path / "posts", ["春"])
    home = tmp_path / "home"
    old = os.umask(0o022)
    try:
        proc = as_process("index", str(posts), home=home, env={"EXCERPT_BOT_MEANING": "off"})
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    db = home / "data" / "excerpt-bot" / "excerpt.db"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


async def test_the_state_file_is_created_owner_only(tmp_path: Path) -> None:
    from bot.state_store import StateStore

    old = os.umask(0o022)
    try:
        store = await StateStore.open(tmp_path / "state" / "state.db")
        await store.count_empty("一个没找到的问题")
        await store.close()
    finally:
        os.umask(old)
    files = sorted((tmp_path / "state").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), [
        (f.name, oct(f.stat().st_mode)) for f in files
    ]
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


def test_the_default_database_keeps_serving_when_its_corpus_empties(
    cli: Cli, tmp_path: Path
) -> None:
    """Auto-indexing (`run`, `search` without --db) rebuilds when the corpus changes; a
    corpus that emptied (an unmounted volume) is said so, and the old database is used."""
    posts = write_posts(tmp_path / "posts", ["春", "夏"])
    env = {"EXCERPT_BOT_CORPUS": str(posts), "EXCERPT_BOT_MEANING": "off"}
    first = cli("search", "--json", "春的第1段", home=tmp_path, env=env)
    assert first.returncode == 0 and '"total": 0' not in first.stdout, first.stderr
    for post in posts.iterdir():
        post.unlink()
    again = cli("search", "--json", "春的第1段", home=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert "no passages" in again.stderr and "using the database as it was" in again.stderr
    assert '"total": 0' not in again.stdout
