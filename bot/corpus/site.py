"""What a site generator's config says about a site, and the protocol each generator meets.

A `SiteConfig` is read once per corpus root (see `generators.load_site_config`) and then
drives three things for every page: which files are pages at all, the page's public URL,
and its heading anchors. Each generator family (Hexo, Jekyll, Hugo, Zola, VitePress, MkDocs) is a
module with one object meeting `Generator`; the registry in `generators.py` lists them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from bot.corpus.configfiles import read_mapping
from bot.corpus.errors import CorpusConfigError
from bot.corpus.frontmatter import FrontMatter

DEFAULT_PERMALINK = ":year/:month/:day/:title/"
# The setting that keeps a config's placeholder `url` (see `unreachable`), to be named.
PLACEHOLDER_URL = "placeholder_url"
# The setting of defaults used in place of a config that could not be read (named in messages).
UNUSABLE_CONFIG = "unusable_config"


# What the generators write in a new site's config (Hexo: http://example.com, before 5.0
# http://yoursite.com; Hugo: https://example.org/): a blog that never changed it is not there.
_DEFAULT_HOSTS = frozenset({"example.com", "example.org", "example.net", "yoursite.com"})


def unreachable(url: str) -> bool:
    """Whether a site URL cannot be where readers find the site: a host name without a dot
    (`http://cnfeat`, a placeholder a Jekyll blog served at its CNAME kept in its config;
    `http://localhost:4000`), a generator's default (http://example.com) or a loopback or
    unspecified address (127.0.0.1, [::1]). A link there opens nothing on a reader's phone.
    Other addresses, IPv6 ones too, are kept."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return True
    if host.removeprefix("www.") in _DEFAULT_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return address.is_loopback or address.is_unspecified


def cname_host(path: Path) -> str | None:
    """The domain a CNAME file names, where GitHub Pages serves the site: its first line,
    if that is one word; None without one."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    host = text.splitlines()[0].strip() if text else ""
    return host if host and " " not in host else None


def with_scheme(host: str) -> str:
    """A site address as a URL: https:// unless it has its scheme already."""
    return host if host.startswith(("http://", "https://")) else f"https://{host}"


def site_address(host: str | None, cnames: Iterable[Path], base: str | None) -> str | None:
    """A site's address from the host its config names, else the first of `cnames` (CNAME
    files) that names one, under its `base` path (`/docs/`); None with neither host."""
    if host is None:
        host = next((h for h in map(cname_host, cnames) if h is not None), None)
    if host is None:
        return None
    path = (base or "/").strip("/")
    return with_scheme(host).rstrip("/") + ("/" + path if path else "")


def package_manifest(project: Path) -> dict[str, object]:
    """A project's package.json as a mapping, read as configs are (bounded in size); {}
    where there is none, or it is not a JSON object."""
    manifest = project / "package.json"
    if not manifest.is_file():
        return {}
    try:
        return read_mapping(manifest)
    except CorpusConfigError:
        return {}


def folder_a_script_builds(
    project: Path, script: re.Pattern[str], is_site: Callable[[Path], bool]
) -> Path | None:
    """The folder of a project's site that lives in a subfolder: the first that package.json's
    scripts name (`script`'s group: `vitepress build src`, `vuepress build docs`), else
    `docs/`, that `is_site` says holds the generator's config and that is inside the project."""
    candidates: list[Path] = []
    scripts = package_manifest(project).get("scripts")
    if isinstance(scripts, dict):
        for command in scripts.values():
            if isinstance(command, str):
                candidates.extend(project / m for m in script.findall(command))
    candidates.append(project / "docs")
    for folder in candidates:
        if folder.is_dir() and is_site(folder) and inside(folder, project):
            return folder
    return None


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or below it, symlinks resolved: a config may name a folder
    (Jekyll's `source`, a package.json script's) that leads out of the project."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def existing(*paths: Path) -> tuple[str, ...]:
    """Those of `paths` that are files, as strings: a CNAME a site's URL may come from is
    read like a config, so that adding or changing one rebuilds the index."""
    return tuple(str(path) for path in paths if path.is_file())


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str | None = None
    url: str | None = None  # with its base path; without it, pages have no link
    permalink: str = DEFAULT_PERMALINK
    author: str | None = None  # the site-wide author: the fallback for every page
    generator: str = "hexo"  # whose rules make URLs and anchors (see generators.GENERATORS)
    root: str | None = None  # the site's own folder (where its config is), absolute
    timezone: str | None = None
    language: str | None = None
    # Generator-specific settings as (key, value) strings: permalinks per section or
    # collection, content folders, cleanUrls ... Plain strings keep the config hashable and
    # its repr a stable part of every parse key.
    settings: tuple[tuple[str, str], ...] = ()
    config_files: tuple[str, ...] = ()  # what was read, for the fingerprint and messages

    def setting(self, key: str) -> str | None:
        return next((v for k, v in self.settings if k == key), None)

    def settings_under(self, prefix: str) -> dict[str, str]:
        """Settings whose key starts with `prefix`, keyed by the rest of the key."""
        return {k[len(prefix) :]: v for k, v in self.settings if k.startswith(prefix)}


@dataclass(frozen=True, slots=True)
class Page:
    """A Markdown file as its generator sees it."""

    rel: str  # POSIX path from the site root (or the corpus root without a known site)
    fm: FrontMatter


@dataclass(frozen=True, slots=True)
class PageUrl:
    url: str | None
    reason: str | None = None  # why there is no URL, for `check`


AnchorRule = Callable[[], Callable[[str], str | None]]


class Generator(Protocol):
    """One site generator's rules."""

    name: str  # as written in corpus.yaml's `generator:`
    label: str  # as shown to people
    readme_is_page: bool  # a folder's README.md is its index page (else it is skipped)

    def detect(self, folder: Path) -> bool:
        """True if `folder` is the root of a site made with this generator."""
        ...

    def read(self, folder: Path) -> SiteConfig:
        """The site's settings; CorpusConfigError if its config cannot be used."""
        ...

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        """Whether a file or folder (POSIX path from the site root) can hold pages."""
        ...

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        """The page's public URL as the generator builds it, or why there is none."""
        ...

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        """The author a page without its own gets from the site's config."""
        ...

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        """A fresh heading-id maker for one page (ids count duplicates per page)."""
        ...
