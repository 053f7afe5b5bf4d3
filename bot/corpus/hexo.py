"""Hexo: `_config.yml` + `source/`; posts under `source/_posts` take the permalink pattern,
other pages keep their path (`about/index.md` -> `about/`). Also the rules of a plain folder
of posts with a `corpus.yaml` (or nothing): every file is a post."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from bot.corpus.configfiles import read_mapping, text_value
from bot.corpus.errors import CorpusConfigError
from bot.corpus.permalink import DATE_PLACEHOLDERS, AnchorMaker, fill_post_path
from bot.corpus.site import (
    DEFAULT_PERMALINK,
    PLACEHOLDER_URL,
    Page,
    PageUrl,
    SiteConfig,
    cname_host,
    existing,
    package_manifest,
    unreachable,
    with_scheme,
)

URL_SAFE = "/-_.~%:@!$&'()*+,;="
_SKIPPED = frozenset({"public", "themes", "scaffolds", "node_modules"})


def join_url(base: str, path: str) -> str:
    """Site URL + a path, percent-encoding what must be (CJK stays readable once decoded)."""
    return base.rstrip("/") + "/" + quote(path.lstrip("/"), safe=URL_SAFE)


def site_url(value: str | None, where: str, *, owner_set: bool = False) -> str | None:
    """A site URL from a config. One a generator's config holds may be a placeholder no
    reader can open (see `unreachable`): then none, and pages get no link (a Jekyll site
    falls back to where GitHub Pages serves it). One the owner set in corpus.yaml
    (`owner_set`) is theirs: an intranet host (http://wiki:8080) is kept."""
    if value is not None and not value.startswith(("http://", "https://")):
        raise CorpusConfigError(where, "url must start with http:// or https://")
    if value is not None and not owner_set and unreachable(value):
        return None
    return value


def placeholder_setting(value: str | None, kept: str | None) -> tuple[tuple[str, str], ...]:
    """The config's `url` as a setting when `site_url` dropped it for a placeholder, so that
    `index` and `check` can name what they did not link to (a blog owner who set
    `http://localhost:4000` sees why pages have no link, or link to the CNAME instead)."""
    if value is not None and kept is None:
        return ((PLACEHOLDER_URL, value),)
    return ()


# A deploy target on GitHub: git@github.com:owner/repo.git, https://github.com/owner/repo
_GITHUB_REPO = re.compile(r"github\.com[:/]+([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", re.IGNORECASE)


def served_at(folder: Path, data: dict[str, object], root: str) -> str | None:
    """Where a Hexo site whose config has no usable `url` is served, as GitHub Pages serves
    it (under `root`, the site's folder): at the custom domain of the CNAME it deploys
    (`source/CNAME`), else at the user site it deploys to (`deploy: {repo:
    …/owner.github.io}`), or at a project site, owner.github.io/repo, where `root` is that
    repository's name, as Hexo's docs tell a project site to set it (a project repository
    alone may be served elsewhere). A blog that never changed Hexo's default url links
    nowhere without this; one deployed elsewhere gets no link."""
    host = cname_host(folder / "source" / "CNAME")
    if host is not None and "." in host:
        return _under(with_scheme(host.rstrip("/")), root)
    deploy = data.get("deploy")
    for entry in deploy if isinstance(deploy, list) else [deploy]:
        repo = entry.get("repo", entry.get("repository")) if isinstance(entry, dict) else None
        for target in repo.values() if isinstance(repo, dict) else [repo]:
            served = github_pages_site(target, root) if isinstance(target, str) else None
            if served is not None:
                return served
    return None


def github_pages_site(repository: str, root: str) -> str | None:
    """Where GitHub Pages serves a site kept in this repository (git@github.com:owner/repo,
    https://github.com/owner/repo): a user site `owner.github.io` at that host, under
    `root`; a project site at owner.github.io/repo only where `root` is the repository's
    name (a project repository alone may be served elsewhere)."""
    found = _GITHUB_REPO.search(repository.strip())
    if found is None:
        return None
    owner, name = found.group(1).lower(), found.group(2)
    if name.lower() == f"{owner}.github.io":
        return _under(f"https://{name.lower()}", root)
    if root and root == name:
        return f"https://{owner}.github.io/{name}"
    return None


def _under(url: str, root: str) -> str:
    return f"{url}/{root}" if root else url


# Markdown renderers whose headings need a space after the hashes and whose HTML blocks end
# at a blank line, in every version a site's package.json may name: hexo-renderer-marked
# (checked with the marked of two blogs' lockfiles, 0.3.19 and 15: '#不符合本约定的代码：' and
# '##图腾·伊始' are shown as typed) and the markdown-it ones.
_COMMONMARK_RENDERERS = frozenset(
    {
        "hexo-renderer-marked",
        "hexo-renderer-markdown-it",
        "hexo-renderer-markdown-it-plus",
        "@upupming/hexo-renderer-markdown-it-plus",
    }
)


def _packages(folder: Path) -> set[str]:
    """The packages the site's package.json names (none without one)."""
    manifest = package_manifest(folder)
    named: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        found = manifest.get(key)
        if isinstance(found, dict):
            named.update(str(name) for name in found)
    return named


def _renders_commonmark_headings(named: set[str]) -> bool:
    """Whether the site's package.json names a renderer that needs `## 标题`'s space; a site
    without one (or with another) keeps old marked's reading (see dialects)."""
    return bool(named & _COMMONMARK_RENDERERS)


# Each Markdown renderer of Hexo's that shows a line break inside a paragraph as one (<br>)
# unless its settings say `breaks: false`, with where in _config.yml that setting lives.
# hexo-renderer-marked (Hexo's default since 3.0), the markdown-it renderers and kramed all
# ship `breaks: true`: a post written one paragraph a line with no blank lines between reads
# on the site as separate lines (gaoryrt's travel posts; joined, one 1,493-character passage).
_BREAKING_RENDERERS: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = (
    (
        frozenset(
            {
                "hexo-renderer-markdown-it",
                "hexo-renderer-markdown",
                "hexo-renderer-multi-markdown-it",
            }
        ),
        ("markdown", "render", "breaks"),
    ),
    (
        frozenset({"hexo-renderer-markdown-it-plus", "@upupming/hexo-renderer-markdown-it-plus"}),
        ("markdown_it_plus", "breaks"),
    ),
    (frozenset({"hexo-renderer-kramed"}), ("kramed", "breaks")),
    (frozenset({"hexo-renderer-marked"}), ("marked", "breaks")),
)
_MARKED = _BREAKING_RENDERERS[-1]
# Renderers that read Markdown their own way (pandoc: a line break is a space).
_OTHER_RENDERERS = frozenset({"hexo-renderer-pandoc", "hexo-renderer-unified"})


def _shows_line_breaks(named: set[str], config: dict[str, object]) -> bool:
    """Whether the site's renderer turns a line break inside a paragraph into <br>. A site
    whose package.json names no Markdown renderer is read as Hexo's default, marked."""
    chosen = [entry for entry in _BREAKING_RENDERERS if entry[0] & named]
    if not chosen:
        if named & _OTHER_RENDERERS:
            return False
        chosen = [_MARKED]
    _, keys = chosen[0]
    found: object = config
    for key in keys:
        if isinstance(found, str):
            # `markdown: commonmark`, a preset's name alone: hexo-renderer-markdown-it passes
            # no render options then, and every markdown-it preset has breaks off.
            return False
        if not isinstance(found, dict) or found.get(key) is None:
            return True  # not set: the renderer's default
        found = found[key]
    return found is not False and str(found).strip().lower() not in ("false", "no", "off")


class Hexo:
    name = "hexo"
    label = "Hexo"
    readme_is_page = False  # a folder's README.md explains the folder: not a page

    def detect(self, folder: Path) -> bool:
        return (folder / "_config.yml").is_file() and (folder / "source").is_dir()

    def read(self, folder: Path) -> SiteConfig:
        path = folder / "_config.yml"
        data = read_mapping(path)
        configured = text_value(data, "url")
        url = site_url(configured, str(path))
        dropped = placeholder_setting(configured, url)
        # How new posts' files are named (`:year-:month-:day-:title.md`): their slug is read
        # back out of the name by it (see permalink.read_post_name).
        name = text_value(data, "new_post_name")
        post_name = (("new_post_name", name),) if name else ()
        if url is None:
            url = served_at(folder, data, (text_value(data, "root") or "").strip("/"))
        named = _packages(folder)
        headings = (("headings", "space"),) if _renders_commonmark_headings(named) else ()
        breaks = (("line_breaks", "shown"),) if _shows_line_breaks(named, data) else ()
        return SiteConfig(
            title=text_value(data, "title"),
            url=url,
            permalink=text_value(data, "permalink") or DEFAULT_PERMALINK,
            author=text_value(data, "author"),
            generator=self.name,
            root=str(folder),
            timezone=text_value(data, "timezone"),
            language=text_value(data, "language"),
            settings=(("layout", "site"), *post_name, *headings, *breaks, *dropped),
            config_files=(str(path), *existing(folder / "source" / "CNAME")),
        )

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        if site.setting("layout") != "site":
            return True
        first = rel.split("/", 1)[0]
        if "/" not in rel:
            return is_dir and first == "source"
        parts = rel.split("/")
        # Hexo renders nothing under source/ whose name starts with "_" but _posts:
        # _drafts are unpublished (and quoting them would publish them), _data is data.
        return (
            first == "source"
            and not any(p in _SKIPPED for p in parts)
            and not any(p.startswith("_") and p != "_posts" for p in parts[1:])
        )

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            known = site.root is not None or site.config_files  # a config, even one unusable
            where = "_config.yml or corpus.yaml" if known else "corpus.yaml"
            return PageUrl(None, f"no site URL (set url in {where})")
        parts = PurePosixPath(page.rel).parts
        if page.fm.permalink:
            path: str = page.fm.permalink
        elif site.setting("layout") == "site" and "_posts" not in parts and len(parts) > 1:
            # A page: its path under source/, as .html; index.html is trimmed.
            path = str(PurePosixPath(*parts[1:]).with_suffix(".html"))
        else:
            path, missing = fill_post_path(
                site.permalink, page.rel, page.fm, site.setting("new_post_name")
            )
            if missing:
                if set(missing) & DATE_PLACEHOLDERS:
                    return PageUrl(None, f"no date for the permalink {site.permalink}")
                return PageUrl(None, f"no {missing[0]} for the permalink {site.permalink}")
        path = path.lstrip("/")
        if path.endswith("index.html"):  # Hexo's pretty_urls.trailing_index default
            path = path[: -len("index.html")]
        return PageUrl(join_url(site.url, path))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        return AnchorMaker()


HEXO = Hexo()
