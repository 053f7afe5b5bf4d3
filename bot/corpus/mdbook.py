"""mdBook: `book.toml` beside the book's source folder (`[book] src`, `src/` by default).

A book's pages are the chapters `src/SUMMARY.md` links to; a Markdown file it does not
list is not built (imported, without a link). A chapter is at its path under the source
folder with `.html` for `.md`; a `README.md` chapter is its folder's `index.html` (mdBook's
index preprocessor), a book's introduction more often than not.

The site is where `[output.html] cname` (or a `CNAME` file in the source folder, which
mdBook copies) says, under `site-url`; else, for a book whose `git-repository-url` is a
GitHub Pages repository, where GitHub Pages serves it: the user's `<user>.github.io`, or a
project's `<user>.github.io/<repo>/` when `site-url` names that repository (as mdBook's
guide says to set it). Heading ids are mdBook's `normalize_id`: letters and digits of any
script, `_` and `-`, ASCII lower-cased, spaces as `-`; repeats numbered `-1`, `-2`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from bot.corpus.anchors import Counted
from bot.corpus.configfiles import read_mapping, read_text, text_value
from bot.corpus.errors import CorpusConfigError
from bot.corpus.hexo import github_pages_site, join_url, placeholder_setting, site_url
from bot.corpus.site import Page, PageUrl, SiteConfig, cname_host

_CONFIG = "book.toml"
_SUMMARY = "SUMMARY.md"
# A chapter in SUMMARY.md: `[名字](path/to/file.md)`; `[草稿]()` is a draft with no file.
_CHAPTER = re.compile(r"\]\(\s*<?([^()<>\s]+?\.md)>?\s*(?:\"[^\"]*\")?\s*\)")
_TAGS = re.compile(r"<[^<>]*>|&[#\w]+;")


def normalize_id(heading: str) -> str:
    """mdBook's `normalize_id` of a heading's text, its HTML tags and entities dropped."""
    out: list[str] = []
    for ch in _TAGS.sub("", heading).strip():
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower() if ch.isascii() else ch)
        elif ch.isspace():
            out.append("-")
    return "".join(out)


def _source_folder(data: dict[str, object]) -> str:
    folder = text_value(data, "book", "src") or "src"
    return PurePosixPath(folder.replace("\\", "/")).as_posix().strip("/") or "."


def _chapters(summary: Path) -> list[str]:
    """The source paths (POSIX, relative to the source folder) SUMMARY.md links to."""
    try:
        text = read_text(summary)
    except CorpusConfigError:
        return []
    out: list[str] = []
    for match in _CHAPTER.finditer(text):
        link = match.group(1).split("#", 1)[0]
        if "://" in link:
            continue
        parts = [p for p in PurePosixPath(link.lstrip("./")).parts if p not in (".", "")]
        out.append("/".join(parts))
    return out


def _where_served(data: dict[str, object], source: Path) -> str | None:
    """The book's address from its own config (see the module docstring), or None."""
    output = data.get("output")
    html = output.get("html") if isinstance(output, dict) else None
    root = (text_value(html, "site-url") or "").strip("/")
    cname = text_value(html, "cname") or cname_host(source / "CNAME")
    if cname:
        host = cname.removeprefix("https://").removeprefix("http://").strip("/")
        return f"https://{host}/{root}".rstrip("/") if host else None
    repository = text_value(html, "git-repository-url")
    # a project's book without site-url may be served anywhere: corpus.yaml can say
    return github_pages_site(repository, root) if repository else None


class MdBook:
    name = "mdbook"
    label = "mdBook"
    readme_is_page = True  # a README.md chapter is served as its folder's index.html

    def detect(self, folder: Path) -> bool:
        if not (folder / _CONFIG).is_file():
            return False
        try:
            data = read_mapping(folder / _CONFIG)
        except CorpusConfigError:
            return (folder / "src").is_dir()  # read() names the broken file
        return (folder / _source_folder(data)).is_dir()

    def read(self, folder: Path) -> SiteConfig:
        path = folder / _CONFIG
        data = read_mapping(path)
        source = _source_folder(data)
        configured = _where_served(data, folder / source)
        url = site_url(configured, str(path))
        authors = data.get("book")
        authors = authors.get("authors") if isinstance(authors, dict) else None
        names = (
            [a for a in authors if isinstance(a, str) and a.strip()]
            if isinstance(authors, list)
            else []
        )
        summary = folder / source / _SUMMARY
        settings: list[tuple[str, str]] = [("src", source)]
        if summary.is_file():
            settings.append(("chapters", json.dumps(sorted(set(_chapters(summary))))))
        settings.extend(placeholder_setting(configured, url))
        return SiteConfig(
            title=text_value(data, "book", "title"),
            url=url,
            author=", ".join(names) or None,
            generator=self.name,
            root=str(folder),
            language=text_value(data, "book", "language"),
            settings=tuple(settings),
            config_files=(str(path), *((str(summary),) if summary.is_file() else ())),
        )

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        source = site.setting("src") or "src"
        if source == ".":
            return rel != _SUMMARY and not rel.startswith("book/")
        if rel == source:
            return True
        return rel.startswith(source + "/") and rel != f"{source}/{_SUMMARY}"

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(
                None,
                "no site URL (set cname or git-repository-url in book.toml, or url in corpus.yaml)",
            )
        source = site.setting("src") or "src"
        rel = PurePosixPath(page.rel)
        inner = rel if source == "." else rel.relative_to(source)
        chapters = site.setting("chapters")
        if chapters is not None and inner.as_posix() not in json.loads(chapters):
            return PageUrl(None, "not a chapter of SUMMARY.md: mdBook builds no page for it")
        if inner.name.lower() == "readme.md":
            inner = inner.with_name("index.md")
        path = inner.with_suffix(".html").as_posix()
        return PageUrl(join_url(site.url, path))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return Counted(normalize_id)


MDBOOK = MdBook()
