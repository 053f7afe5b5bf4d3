"""Heading ids the way each generator's Markdown renderer makes them.

Every maker is per page: the second heading with the same id gets `-1`, the third `-2`.
An explicit id (`## Title {#my-id}`, kramdown, Hugo and VitePress) is taken by the importer
before any of these run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_GFM_DROP = re.compile(r"[^\w\- \t]")
_VITE_CONTROL = re.compile(r"[\u0000-\u001f]")
_VITE_SPECIAL = re.compile(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'“”‘’<>,.?/]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def gfm_id(text: str) -> str:
    """GitHub's rule, which kramdown's GFM parser (Jekyll) and goldmark (Hugo) follow:
    lower case, drop what is not a word character, space or `-`, spaces become `-`."""
    return _GFM_DROP.sub("", text.lower()).replace(" ", "-").replace("\t", "-")


def goldmark_id(text: str) -> str:
    """Hugo's `autoHeadingIDType: github` (markup/goldmark/autoid.go): the text trimmed of
    any whitespace, then each space or `-` a `-`, letters, digits and `_` kept (lower case),
    everything else dropped; a run of spaces gives a `-` each."""
    out: list[str] = []
    for char in text.strip():
        if char in " -":
            out.append("-")
        elif char == "_" or char.isalpha() or char.isdecimal():
            out.append(char.lower())
    return "".join(out)


# kramdown's typographic symbols: `---`, `--` and `...` are shown as —, – and …, which the id
# then drops as it drops any punctuation ('1、中国最美的地方--乌镇' -> '1中国最美的地方乌镇').
# Not before a letter: `--force` in a heading is most likely a code span's, which kramdown
# leaves as typed (the id keeps its dashes).
_KRAMDOWN_TYPOGRAPHIC = re.compile(r"-{2,3}(?![A-Za-z])|\.\.\.")


def kramdown_id(text: str) -> str:
    """kramdown's GFM parser (Jekyll's default): GitHub's rule on the text as kramdown shows
    it, typographic dashes and ellipses made; each space of a run becomes a `-` of its own."""
    return gfm_id(_KRAMDOWN_TYPOGRAPHIC.sub("", text))


def vitepress_id(text: str) -> str:
    """@mdit-vue/shared's slugify, which VitePress uses."""
    slug = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    slug = _VITE_SPECIAL.sub("-", _VITE_CONTROL.sub("", slug))
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    slug = re.sub(r"^(\d)", r"_\1", slug)
    return slug.lower()


def mkdocs_id(text: str) -> str:
    """Python-Markdown's toc slugify (MkDocs' default): ASCII only."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


class Counted:
    """Per-page ids from `rule`, numbering repeats `-1`, `-2` ..."""

    def __init__(self, rule: Callable[[str], str], empty: str | None = None) -> None:
        self._rule = rule
        self._empty = empty  # what an id that comes out empty becomes (None: no anchor)
        self._seen: dict[str, int] = {}

    def __call__(self, heading: str) -> str | None:
        anchor = self._rule(heading) or self._empty
        if not anchor:
            return None
        count = self._seen.get(anchor)
        if count is None:
            self._seen[anchor] = 1
            return anchor
        self._seen[anchor] = count + 1
        return f"{anchor}-{count}"
