"""Jekyll: `_config.yml` with `_posts/` (or `_layouts/`, a Gemfile, collections).

URLs follow Jekyll 4's rules: a post's date comes from its front matter (in the site's time
zone) or its file name (`2011-10-11-fibonacci.md`), its `:title` is the file name without
the date; `permalink` is a style (`date`, `pretty`, `ordinal`, `weekdate`, `none`) or a
pattern, set globally, per collection, through `defaults`, or in a page; collections
(`_wiki/`) publish when `output: true`; other pages keep their path. Heading ids are
kramdown's GFM ids (Jekyll's default Markdown input).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.corpus.anchors import Counted, gfm_id, kramdown_id
from bot.corpus.configfiles import read_mapping, text_value
from bot.corpus.hexo import join_url, placeholder_setting, site_url
from bot.corpus.site import (
    Page,
    PageUrl,
    SiteConfig,
    cname_host,
    existing,
    inside,
    with_scheme,
)

_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DATED_NAME = re.compile(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)$")
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_PRETTY_DROP = re.compile(r"[^\w.~!$&'()+,;=@]+")
_DEFAULT_DROP = re.compile(r"[^\w]+|_+")
# Jekyll never reads these (plus anything starting with `_` or `.` that is not a collection).
_EXCLUDED = frozenset({"node_modules", "vendor", "Gemfile", "Gemfile.lock"})


def slugify(text: str, mode: str = "default", cased: bool = False) -> str:
    """Jekyll::Utils.slugify in its `default` and `pretty` modes."""
    pattern = _PRETTY_DROP if mode == "pretty" else _DEFAULT_DROP
    slug = pattern.sub("-", text).strip("-")
    return slug if cased else slug.lower()


def _suffix(style_or_pattern: str) -> str:
    """Utils.add_permalink_suffix's choice for pages and collections."""
    pattern = _STYLES.get(style_or_pattern, style_or_pattern)
    if pattern.endswith("/"):
        return "/"
    if pattern.endswith(":output_ext"):
        return ":output_ext"
    return ""


def _collections(data: dict[str, object]) -> dict[str, dict[str, object]]:
    raw = data.get("collections")
    if isinstance(raw, list):
        return {str(label): {} for label in raw if isinstance(label, str)}
    if isinstance(raw, dict):
        return {str(k): (v if isinstance(v, dict) else {}) for k, v in raw.items()}
    return {}


class Jekyll:
    name = "jekyll"
    label = "Jekyll"
    readme_is_page = False  # a folder's README.md explains the folder: not a page

    def detect(self, folder: Path) -> bool:
        config = folder / "_config.yml"
        if not config.is_file():
            config = folder / "_config.yaml"
            if not config.is_file():
                return False
        if (folder / "source").is_dir() and (folder / "scaffolds").is_dir():
            return False  # Hexo
        return any(
            (folder / name).exists() for name in ("_posts", "_layouts", "_includes", "Gemfile")
        )

    def read(self, folder: Path) -> SiteConfig:
        path = folder / "_config.yml"
        if not path.is_file():
            path = folder / "_config.yaml"
        data = read_mapping(path)
        source = _source_folder(folder, data)
        # None for a placeholder too (http://localhost:4000): then where GitHub Pages serves it
        configured = text_value(data, "url")
        url = site_url(configured, str(path))
        dropped = placeholder_setting(configured, url)
        base = (text_value(data, "baseurl") or "").strip("/")
        if url is None:
            url = _github_pages_url(folder, source)
            if url is not None and base:  # `baseurl` replaces the repository's path
                url = "/".join(url.split("/")[:3])
        if url is not None and base:
            url = url.rstrip("/") + "/" + base
        settings: list[tuple[str, str]] = [
            ("permalink", text_value(data, "permalink") or "date"),
            ("headings", _heading_rule(data)),
            ("converter", _converter(data)),
            ("collections_dir", (text_value(data, "collections_dir") or "").strip("/")),
            *dropped,
        ]
        for label, meta in _collections(data).items():
            output = meta.get("output") is True or label == "posts"
            settings.append((f"collection:{label}", "output" if output else "hidden"))
            permalink = text_value(meta, "permalink")
            if permalink:
                settings.append((f"collection_permalink:{label}", permalink))
        defaults = data.get("defaults")
        for index, item in enumerate(defaults if isinstance(defaults, list) else []):
            if not isinstance(item, dict):
                continue
            scope, values = item.get("scope"), item.get("values")
            if not isinstance(values, dict):
                continue
            scope_path = text_value(scope, "path") or ""
            scope_type = text_value(scope, "type") or ""
            for key in ("permalink", "author"):
                value = text_value(values, key) or text_value(values, key, "name")
                if value:
                    settings.append(
                        (f"default:{index}:{key}", f"{scope_path}\0{scope_type}\0{value}")
                    )
        builds = _build_files(folder)
        settings.append(("front_matter", _front_matter_rule(data, builds)))
        exclude = data.get("exclude")
        for item in exclude if isinstance(exclude, list) else []:
            if isinstance(item, str) and item.strip("/"):
                settings.append(("exclude", item.strip("/")))
        # A personal GitHub Pages site without `author` is its owner's: the GitHub user name,
        # else the owner in the repository's name (`owner.github.io`).
        owner = folder.resolve().name.lower()
        repo = github_repository(folder)
        if repo is not None:
            owner = repo[1] if repo[1].endswith(".github.io") else repo[0] + ".github.io"
        author = (
            text_value(data, "author")
            or text_value(data, "author", "name")
            or text_value(data, "github_username")
            or (owner.removesuffix(".github.io") if owner.endswith(".github.io") else None)
        )
        return SiteConfig(
            title=text_value(data, "title"),
            url=site_url(url, str(path)),
            author=author,
            generator=self.name,
            root=str(source),
            timezone=text_value(data, "timezone"),
            language=text_value(data, "lang") or text_value(data, "locale"),
            settings=tuple(settings),
            config_files=(
                str(path),
                *existing(*dict.fromkeys((folder / "CNAME", source / "CNAME"))),
                *map(str, builds),
            ),
        )

    # --- which files are pages -----------------------------------------------------------

    def _collection_of(self, site: SiteConfig, rel: str) -> str | None:
        """The collection label a path belongs to ("posts" for any `_posts` folder)."""
        parts = rel.split("/")
        if "_posts" in parts[:-1]:
            return "posts"
        prefix = site.setting("collections_dir") or ""
        inner = rel[len(prefix) + 1 :] if prefix and rel.startswith(prefix + "/") else rel
        first = inner.split("/", 1)[0]
        if first.startswith("_") and f"collection:{first[1:]}" in dict(site.settings):
            return first[1:]
        return None

    def is_content(self, site: SiteConfig, rel: str, is_dir: bool) -> bool:
        parts = rel.split("/")
        if any(rel == ex or rel.startswith(ex + "/") for k, ex in site.settings if k == "exclude"):
            return False
        if parts[0] in _EXCLUDED or parts[0] in ("_site", "_drafts"):
            return False
        if self._collection_of(site, rel) is not None:
            return True
        prefix = site.setting("collections_dir") or ""
        if prefix and rel == prefix:
            return True
        if is_dir and parts[-1] == "_posts":
            return True
        # Jekyll skips names starting with `_` or `.` unless they are collections.
        return not any(part.startswith(("_", ".", "#", "~")) for part in parts)

    # --- URLs ---------------------------------------------------------------------------

    def _default(self, site: SiteConfig, rel: str, kind: str, key: str) -> str | None:
        found = None
        best = -1
        for name, value in site.settings:
            if not name.startswith("default:") or not name.endswith(":" + key):
                continue
            path, scope_type, setting = value.split("\0", 2)
            path = path.strip("/")
            if scope_type and scope_type != kind:
                continue
            if path and not (rel == path or rel.startswith(path + "/")):
                continue
            if len(path) >= best:  # the most specific scope wins
                best, found = len(path), setting
        return found

    def page_url(self, site: SiteConfig, page: Page) -> PageUrl:
        if not site.url:
            return PageUrl(None, "no site URL (set url in _config.yml or corpus.yaml)")
        rel = page.rel
        collection = self._collection_of(site, rel)
        if collection is not None and site.setting(f"collection:{collection}") == "hidden":
            return PageUrl(None, f"collection {collection} has no output: true")
        kind = "pages" if collection is None else collection
        style = site.setting("permalink") or "date"
        # A `defaults` permalink is front matter every document in its scope gets: the
        # document's own template (Chirpy's `_tabs` at `/:title/`, not `/tabs/about/`).
        template = page.fm.permalink or self._default(site, rel, kind, "permalink")
        path = PurePosixPath(rel)
        stem = path.stem
        values: dict[str, str] = {"output_ext": ".html", "collection": collection or ""}
        date = page.fm.date
        match = DATED_NAME.match(stem) if collection is not None else None
        if collection == "posts":
            if match is None:
                return PageUrl(None, "not published: a post's file name needs a date (YYYY-MM-DD-)")
            slug_source = page.fm.slug or match.group(4)
            if date is None:
                # No date, or one that cannot be read (reported as a problem): the file
                # name's, which is what the post is filed under.
                try:
                    year, month, day = (int(g) for g in match.groups()[:3])
                    date = dt.datetime(year, month, day)
                except ValueError:
                    return PageUrl(None, "the date in its file name is not a real date")
            template = template or site.setting("collection_permalink:posts") or style
            cats = _categories(page.fm.category_paths, path.parts)
            values["categories"] = "/".join(c.lower() for c in cats)
        else:
            # Every collection's document takes its slug and date from a dated name
            # (Jekyll's Document#populate_title), not only a post.
            slug_source = page.fm.slug or (match.group(4) if match else stem)
            if match is not None and date is None:
                with contextlib.suppress(ValueError):  # 2020-02-30: no date, as Jekyll
                    year, month, day = (int(g) for g in match.groups()[:3])
                    date = dt.datetime(year, month, day)
            values["categories"] = "/".join(
                c.lower() for c in _categories(page.fm.category_paths, ())
            )
            if collection is not None:
                template = (
                    template
                    or site.setting(f"collection_permalink:{collection}")
                    or "/:collection/:path" + _suffix(style)
                )
                inner = rel.split(f"_{collection}/", 1)[-1]
                values["path"] = "/" + str(PurePosixPath(inner).with_suffix(""))
            elif template is None:
                folder = str(path.parent) if str(path.parent) != "." else ""
                if stem == "index":
                    template = f"/{folder}/"
                else:
                    template = f"/{folder}/{stem}" + _suffix(style)
        template = _STYLES.get(template, template)
        values["title"] = slugify(slug_source, "pretty", cased=True)
        values["slug"] = slugify(slug_source)
        values["name"] = slugify(stem)
        values["basename"] = stem
        values["path"] = values.get("path", "/" + str(path.with_suffix("")))
        if date is not None:
            date = _in_zone(date, site.timezone)
            values.update(_date_values(date))
        missing: list[str] = []

        def fill(match: re.Match[str]) -> str:
            key = match.group(1)
            # Longest known placeholder first: `:title` in `:titles` is not ours to guess.
            if key in values:
                return values[key]
            for size in range(len(key) - 1, 0, -1):
                if key[:size] in values:
                    return values[key[:size]] + key[size:]
            if key in _DATE_KEYS:
                missing.append(key)
            return match.group(0)

        url_path = _PLACEHOLDER.sub(fill, template)
        if missing:
            return PageUrl(None, f"no date for the permalink {template}")
        url_path = re.sub(r"/{2,}", "/", "/" + url_path)
        return PageUrl(join_url(site.url, url_path))

    def page_author(self, site: SiteConfig, page: Page) -> str | None:
        return site.author

    def anchors(self, site: SiteConfig) -> Callable[[str], str | None]:
        # kramdown makes the ids (either input); a CommonMark converter, GitHub's rule.
        return Counted(gfm_id if site.setting("converter") == "commonmark" else kramdown_id)


_DATE_KEYS = frozenset(
    [
        "year",
        "month",
        "i_month",
        "day",
        "i_day",
        "short_year",
        "y_day",
        "hour",
        "minute",
        "second",
        "week",
        "short_day",
        "long_day",
        "short_month",
        "long_month",
        "w_year",
        "w_day",
    ]
)


# jekyll-optional-front-matter leaves these as they are (README is jekyll-readme-index's).
_NOT_PAGES_WITHOUT_FRONT_MATTER = frozenset(
    {
        "readme",
        "license",
        "licence",
        "copying",
        "code_of_conduct",
        "contributing",
        "issue_template",
        "pull_request_template",
    }
)


def _front_matter_rule(data: dict[str, object], builds: list[Path]) -> str:
    """ "optional" when Markdown without front matter is still made a page: the
    jekyll-optional-front-matter plugin, which GitHub Pages' own build always runs; else
    "required": Jekyll copies such a file as it is (AGENTS.md, a stray notes.md), it is not a
    page. Required only where the site is seen to be built with its own Gemfile (a workflow
    or Netlify running `jekyll build`) and that Gemfile has neither github-pages nor the
    plugin: dropping a page that is published loses text, keeping a copied file does not.
    `builds`: the site's `_build_files`."""
    plugins = [*_names(data.get("plugins")), *_names(data.get("gems"))]
    if "jekyll-optional-front-matter" in plugins:
        return "optional"
    gemfile = next((path for path in builds if path.name == "Gemfile"), None)
    gems = None if gemfile is None else _read_small(gemfile)
    if gems is None or _OPTIONAL_GEMS.search(gems) or not _builds_with_its_gemfile(builds):
        return "optional"
    return "required"


_OPTIONAL_GEMS = re.compile(
    r"""^\s*gem\s+['"](github-pages|jekyll-optional-front-matter)['"]""", re.MULTILINE
)
_JEKYLL_BUILD = re.compile(r"\bjekyll\s+build\b")


def _build_files(folder: Path) -> list[Path]:
    """The files that say how the site is built: its Gemfile, a GitHub Actions workflow,
    netlify.toml, vercel.json (those that exist; part of the index's fingerprint)."""
    files = [folder / "Gemfile", folder / "netlify.toml", folder / "vercel.json"]
    workflows = folder / ".github" / "workflows"
    with contextlib.suppress(OSError):
        if workflows.is_dir():
            files.extend(
                sorted(p for p in workflows.iterdir() if p.suffix in (".yml", ".yaml"))[:50]
            )
    return [path for path in files if path.is_file()]


def _builds_with_its_gemfile(builds: list[Path]) -> bool:
    """Whether a build of the site that runs `jekyll build` itself is among `builds` (a
    GitHub Actions workflow, netlify.toml, vercel.json): it uses the site's Gemfile, not
    GitHub Pages' plugins."""
    return any(
        (text := _read_small(path)) is not None and _JEKYLL_BUILD.search(text) is not None
        for path in builds
        if path.name != "Gemfile"
    )


def _read_small(path: Path, limit: int = 200_000) -> str | None:
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            return handle.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return None


def _names(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def copied_as_is(site: SiteConfig, rel: str) -> bool:
    """Whether Jekyll copies a Markdown file (`rel`: from the site's root) that has no front
    matter as a static file rather than rendering it as a page. Never a post: every dated
    file in `_posts` is one (Jekyll's PostReader)."""
    if "_posts" in rel.split("/")[:-1]:
        return False
    stem = PurePosixPath(rel).stem
    if site.setting("front_matter") == "required":
        return True
    return stem.lower() in _NOT_PAGES_WITHOUT_FRONT_MATTER


def _categories(paths: tuple[tuple[str, ...], ...], parts: tuple[str, ...]) -> list[str]:
    """Folders above `_posts`, then the front matter's categories (a string splits at
    spaces), each once."""
    found: list[str] = []
    if "_posts" in parts:
        found.extend(p for p in parts[: parts.index("_posts")] if p)
    for path in paths:
        for item in path:
            found.extend(item.split())
    return list(dict.fromkeys(found))


def _in_zone(date: dt.datetime, zone: str | None) -> dt.datetime:
    """Jekyll reads every date in the site's time zone (the build machine's if unset; for
    GitHub Pages that is UTC)."""
    if date.tzinfo is None:
        return date
    try:
        target: dt.tzinfo = ZoneInfo(zone) if zone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        target = dt.UTC
    return date.astimezone(target)


def _date_values(date: dt.datetime) -> dict[str, str]:
    iso = date.isocalendar()
    return {
        "year": f"{date.year:04d}",
        "short_year": date.strftime("%y"),
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "short_month": date.strftime("%b"),
        "long_month": date.strftime("%B"),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "week": f"{iso[1]:02d}",
        "w_year": str(iso[0]),
        "w_day": str(iso[2]),
        "short_day": date.strftime("%a"),
        "long_day": date.strftime("%A"),
    }


def _converter(data: dict[str, object]) -> str:
    """The site's Markdown converter by family: kramdown (Jekyll's default), commonmark
    (jekyll-commonmark, jekyll-commonmark-ghpages) or the converter named."""
    converter = (text_value(data, "markdown") or "kramdown").lower()
    return "commonmark" if converter.startswith("commonmark") else converter


def _heading_rule(data: dict[str, object]) -> str:
    """How the site's Markdown reads `###标题` (no space after the hashes). As text with
    kramdown's GFM parser, Jekyll's default input since 3.1 and GitHub Pages' since 2016
    (a real build of two blogs showed '#include <stdio.h>' and '#衣' as lines of text), and
    with a CommonMark converter: their headings need the space. As a heading where the
    config asks kramdown to read its own syntax (`kramdown: {input: kramdown}`) or names an
    older converter (Redcarpet, RDiscount, Maruku)."""
    wanted = (text_value(data, "kramdown", "input") or "gfm").lower()
    converter = _converter(data)
    if converter in ("redcarpet", "rdiscount", "maruku") or (
        converter == "kramdown" and wanted != "gfm"
    ):
        return "kramdown"
    return "space"


def _source_folder(folder: Path, data: dict[str, object]) -> Path:
    """Where the site's pages are: `source: source` (Octopress keeps the site in source/,
    beside its Rakefile, README and CHANGELOG), else the config's own folder. Page paths,
    and so URLs, are relative to it."""
    source = (text_value(data, "source") or "").strip()
    if not source.strip("/."):
        return folder
    # An absolute path counts where it is inside the project (a config written on the
    # owner's machine); elsewhere it is not what we were pointed at.
    candidate = Path(source) if Path(source).is_absolute() else folder / source.strip("/")
    if not inside(candidate, folder):
        return folder  # outside the project: not something we were pointed at
    return candidate if candidate.is_dir() else folder


def _github_pages_url(folder: Path, source: Path) -> str | None:
    """GitHub Pages serves a site without `url` at its CNAME, or at the repository name
    `owner.github.io`."""
    host = cname_host(source / "CNAME") or cname_host(folder / "CNAME")
    if host is not None:
        return with_scheme(host)
    name = folder.resolve().name.lower()
    if name.endswith(".github.io"):
        return f"https://{name}"
    repo = github_repository(folder)
    if repo is None:
        return None
    owner, project = repo
    if project == f"{owner}.github.io":
        return f"https://{project}"
    # A project site: GitHub Pages (jekyll-github-metadata) serves it under /<repository>,
    # which is the base path unless `baseurl` says otherwise.
    return f"https://{owner}.github.io/{project}"


_GITHUB_REMOTE = re.compile(
    r"^\s*url\s*=\s*(?:https?://(?:[^@/\s]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"([\w.-]+)/([\w.-]+?)(?:\.git)?/?\s*$",
    re.MULTILINE,
)


def github_repository(folder: Path) -> tuple[str, str] | None:
    """(owner, repository), lower case, of a clone of a GitHub repository: its `origin`
    remote (else the first GitHub remote) in .git/config."""
    try:
        text = (folder / ".git" / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    origin = re.search(r'^\[remote "origin"\]([^\[]*)', text, re.MULTILINE)
    for chunk in ([origin.group(1)] if origin else []) + [text]:
        found = _GITHUB_REMOTE.search(chunk)
        if found:
            return found.group(1).lower(), found.group(2).lower()
    return None


JEKYLL = Jekyll()
