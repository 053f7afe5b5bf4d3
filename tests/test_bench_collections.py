"""The collections of `python -m bench.collections`: each archive opens and holds its site,
and its query sets ask about what is in it. Nothing is indexed here (that takes minutes with
the meaning index); the text is searched as the archive holds it."""

from __future__ import annotations

import re
import tarfile
from functools import cache
from typing import Any

import pytest
import yaml

from bench.collections import COLLECTIONS, HALVES, archive, available, query_set
from bot.text import normalize, normalize_many

# What each site's importer needs besides its Markdown (bench/data/NOTICE.md).
CONFIG: dict[str, set[str]] = {
    "mtf-wiki": set(),  # its repository has no Hugo config: pages have no link
}

# A negative's word that the archive does hold, only where the importer reads no prose, so
# that the search has nothing to find: {(collection, word): where}. Any other is a slip.
KNOWN_ABSENT = {
    ("mtf-wiki", "协和"): "a ```csv hospital list (code to the importer, a table on the site)",
}

# A link's address is not text: `[一篇文章](http://…)谈` reads 一篇文章谈.
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


@cache
def files(name: str) -> dict[str, str]:
    """The archive's files by path, as text."""
    with tarfile.open(archive(name)) as tar:
        return {
            m.name: tar.extractfile(m).read().decode("utf-8")  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


@cache
def markdown(name: str) -> tuple[str, ...]:
    """Each Markdown file's text, normalized as search compares it."""
    texts = [_LINK_TARGET.sub("]", t) for p, t in files(name).items() if p.endswith(".md")]
    return tuple(normalize_many(texts))


def queries(name: str, half: str) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(query_set(name, half).read_text("utf-8"))
    return loaded


def test_the_collections_are_there() -> None:
    assert available() == sorted(CONFIG)
    notice = (COLLECTIONS.parent / "NOTICE.md").read_text(encoding="utf-8")
    for name in CONFIG:
        assert f"{name}.tar.xz" in notice
        assert (COLLECTIONS / f"LICENSE-{name}").is_file()


@pytest.mark.parametrize("name", sorted(CONFIG))
def test_an_archive_holds_markdown_its_config_and_its_licence_only(name: str) -> None:
    with tarfile.open(archive(name)) as tar:
        members = tar.getmembers()
    assert all(m.isfile() and not m.name.startswith(("/", "..")) for m in members)
    paths = {m.name for m in members}
    assert sum(p.endswith(".md") for p in paths) >= 80
    assert CONFIG[name] <= paths and "LICENSE" in paths
    # No images, themes or packages: Markdown, the config the importer reads, the licence.
    others = {p for p in paths if not p.endswith(".md")} - CONFIG[name] - {"LICENSE"}
    assert others <= {"docs/.vuepress/configs/fraudWarning.ts"}, others  # config.ts imports it


@pytest.mark.parametrize("name", sorted(CONFIG))
@pytest.mark.parametrize("half", HALVES)
def test_a_set_says_where_it_came_from(name: str, half: str) -> None:
    head = query_set(name, half).read_text(encoding="utf-8").split("\n- ", 1)[0]
    assert head.startswith("# ") and "github.com/" in head and "without" in head
    assert re.search(r"commit [0-9a-f]{40}", head), head
    assert "held out" in head


@pytest.mark.parametrize("name", sorted(CONFIG))
@pytest.mark.parametrize("half", HALVES)
def test_every_expectation_is_in_the_collection(name: str, half: str) -> None:
    """A slip in an expectation would count a right answer as a miss: each expected string
    and heading is in some Markdown file, compared as search compares (normalized)."""
    texts = markdown(name)
    asked = queries(name, half)
    assert len(asked) >= 40
    missing = [
        (q["q"], piece)
        for q in asked
        for piece in [*(q.get("expect") or ()), *(q.get("heading") or ())]
        if not any(normalize(str(piece)) in t for t in texts)
    ]
    assert missing == []
    for q in asked:
        assert (q["kind"] == "negative") == bool(q.get("absent")), q
        assert q.get("expect") or q.get("heading") or q.get("absent"), q


@pytest.mark.parametrize("name", sorted(CONFIG))
def test_a_negatives_words_are_nowhere_in_the_collection(name: str) -> None:
    everything = normalize_many(list(files(name).values()))
    found = {
        (name, str(word))
        for half in HALVES
        for q in queries(name, half)
        for word in q.get("absent") or ()
        if any(normalize(str(word)) in t for t in everything)
    }
    assert found == {key for key in KNOWN_ABSENT if key[0] == name}
