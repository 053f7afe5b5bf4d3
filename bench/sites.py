"""How well a real Jekyll, Hugo or VitePress site imports: the table of issue 13.

    python -m bench.sites jekyll ~/src/some.github.io
    python -m bench.sites hugo ~/src/blog --excerpt-bot /other/venv/bin/excerpt-bot

It runs `excerpt-bot index` and `excerpt-bot export` on the site folder (the CLI given, so
an older install can be measured the same way), and on its own, from the files and the
generator's documented rules, works out each page's public URL, its text and any quoted
attributions. Nothing here imports the importer: the expected URLs are written again from
the generators' documentation (Jekyll's permalinks and collections, Hugo's URL management,
VitePress' routing), so a shared mistake would have to be made twice.

Figures (passages from `export`, pages by their document path):
  pages with a URL    pages whose passages carry a document URL / pages in the export
  URLs correct        pages whose URL equals the expected one (percent-decoded, no anchor)
  markup leaks        passages whose text, heading path or title holds markup
  under 8 chars       passages shorter than 8 characters
  text coverage       characters of the pages' own sentences found in their passages
  with an author      passages with an author
  quote credit leaks  passages outside an attributed quote credited to its author
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import yaml

LEAK = re.compile(
    r"\{%|%\}|\{\{|\}\}|\{:|\{#[\w-]+\}|^:::|\n:::|\[\[|\]\]|\]\(|\*\*|<!--|-->|\[![a-z]+\]"
    r"|</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
SENTENCE = re.compile(r"[。！？；!?;\n]|(?<=[a-z])\.\s")
ATTRIBUTED = re.compile(
    r"^\s*>+\s*(?:——\s*)?(?:作者|原作者|author|by)\s*[：:]\s*(.{1,40}?)\s*$", re.I
)


def fold(text: str) -> str:
    """Letters and digits only, lower case: what coverage compares."""
    return "".join(ch.lower() for ch in text if unicodedata.category(ch)[0] in "LN")


# --- the site's files, read independently ----------------------------------------------


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].strip() in ("---", "+++"):
        mark = lines[0].strip()
        for i in range(1, len(lines)):
            if lines[i].strip() == mark:
                raw = "\n".join(lines[1:i])
                try:
                    data = tomllib.loads(raw) if mark == "+++" else yaml.safe_load(raw)
                except Exception:  # a broken header: the page still has a body
                    data = None
                return (data if isinstance(data, dict) else {}), "\n".join(lines[i + 1 :])
    return {}, text


def parse_date(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    m = re.match(
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
        r"\s*(Z|[+-]\d{2}:?\d{2})?",
        value.strip(),
    )
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups()[:6])
    zone = m.group(7)
    tz: dt.tzinfo | None = None
    if zone == "Z":
        tz = dt.UTC
    elif zone:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError:
        return None


@dataclass
class SitePage:
    rel: str  # from the site root
    data: dict[str, Any]
    body: str
    url: str | None  # expected; None: the generator publishes no page for it


@dataclass
class Site:
    pages: dict[str, SitePage] = field(default_factory=dict)  # keyed by rel


def _md_files(root: Path, skip: set[str]) -> list[str]:
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(folder, root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d != "node_modules"
            and os.path.normpath(os.path.join(rel_dir, d)) not in skip
        )
        for name in files:
            if name.lower().endswith((".md", ".markdown")) and name.lower() not in (
                "readme.md",
                "readme.markdown",
            ):
                out.append(os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/"))
    return sorted(out)


def _read(root: Path, rel: str) -> tuple[dict[str, Any], str]:
    try:
        return front_matter((root / rel).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}, ""


def _git_config(root: Path) -> str:
    try:
        return (root / ".git" / "config").read_text(encoding="utf-8") + "\n"
    except OSError:
        return ""


# Jekyll: https://jekyllrb.com/docs/permalinks/ , /docs/collections/ , /docs/posts/
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def jekyll_site(root: Path) -> Site:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    url = str(config.get("url") or "")
    if not url and (root / "CNAME").is_file():
        url = "https://" + (root / "CNAME").read_text().strip()
    if not url and root.name.endswith(".github.io"):
        url = "https://" + root.name
    base = str(config.get("baseurl") or "").strip("/")
    if not url:  # GitHub Pages: https://docs.github.com/en/pages (user and project sites)
        remote = re.search(
            r'\[remote "origin"\][^\[]*?url\s*=\s*\S*github\.com[/:]'
            r"([^/\s]+)/([^/\s]+?)(?:\.git)?/?\s",
            _git_config(root),
        )
        if remote:
            owner, repo = remote.group(1).lower(), remote.group(2).lower()
            url = f"https://{owner}.github.io"
            if repo != f"{owner}.github.io" and not base:
                base = repo
    url = url.rstrip("/") + "/" + base
    style = str(config.get("permalink") or "date")
    zone = ZoneInfo(str(config["timezone"])) if config.get("timezone") else dt.UTC
    raw = config.get("collections") or {}
    collections = (
        {str(k): (v or {}) for k, v in raw.items()}
        if isinstance(raw, dict)
        else {str(k): {} for k in raw}
    )
    defaults = config.get("defaults") or []
    excluded = {str(e).strip("/") for e in config.get("exclude") or []}

    def default(rel: str, kind: str) -> str | None:
        best, found = -1, None
        for item in defaults:
            scope = item.get("scope") or {}
            path = str(scope.get("path") or "").strip("/")
            if scope.get("type") and scope.get("type") != kind:
                continue
            if path and not (rel + "/").startswith(path + "/"):
                continue
            value = (item.get("values") or {}).get("permalink")
            if value and len(path) >= best:
                best, found = len(path), str(value)
        return found

    def pretty(text: str) -> str:
        return re.sub(r"[^\w.~!$&'()+,;=@]+", "-", text).strip("-")

    def suffix(pattern: str) -> str:
        pattern = JEKYLL_STYLES.get(pattern, pattern)
        return (
            "/" if pattern.endswith("/") else (".html" if pattern.endswith(":output_ext") else "")
        )

    site = Site()
    skip = {"_site", "_drafts", "node_modules", "vendor", *excluded}
    for rel in _md_files(root, skip):
        parts = rel.split("/")
        data, body = _read(root, rel)
        if any(e and (rel == e or rel.startswith(e + "/")) for e in excluded):
            continue
        stem = PurePosixPath(rel).stem
        kind = "pages"
        if "_posts" in parts[:-1]:
            kind = "posts"
        elif parts[0].startswith("_") and parts[0][1:] in collections:
            kind = parts[0][1:]
        elif any(p.startswith(("_", ".")) for p in parts):
            continue
        if data.get("published") is False:  # Jekyll does not publish these
            site.pages[rel] = SitePage(rel, data, body, None)
            continue
        values: dict[str, str] = {"output_ext": ".html"}
        template = data.get("permalink")
        date = parse_date(data.get("date"))
        if kind == "posts":
            m = re.match(r"(\d{4})-(\d{2})-(\d{2})-(.+)$", stem)
            if not m:
                site.pages[rel] = SitePage(rel, data, body, None)
                continue
            if date is None:
                date = dt.datetime(int(m[1]), int(m[2]), int(m[3]))
            slug = str(data.get("slug") or m[4])
            template = template or default(rel, "posts") or style
            cats = [p for p in parts[: parts.index("_posts")]]
            raw_cats = data.get("categories", data.get("category")) or []
            if isinstance(raw_cats, str):
                raw_cats = raw_cats.split()
            cats += [str(c) for c in raw_cats]
            values["categories"] = "/".join(dict.fromkeys(c.lower() for c in cats))
            values["title"] = pretty(slug)
        elif kind in collections:
            meta = collections[kind]
            if not meta.get("output"):
                site.pages[rel] = SitePage(rel, data, body, None)
                continue
            template = (
                template
                or meta.get("permalink")
                or "/:collection/:path" + suffix(default(rel, kind) or style)
            )
            values["collection"] = kind
            values["path"] = "/" + rel.split("/", 1)[1].rsplit(".", 1)[0]
            values["title"] = pretty(str(data.get("slug") or stem))
            values["name"] = re.sub(r"[^\w]+", "-", stem).strip("-").lower()
            values["categories"] = ""
        else:
            folder = "/".join(parts[:-1])
            if template is None:
                template = f"/{folder}/" if stem == "index" else f"/{folder}/{stem}" + suffix(style)
            values["categories"] = ""
        template = JEKYLL_STYLES.get(str(template), str(template))
        if date is not None:
            if date.tzinfo is not None:
                date = date.astimezone(zone)
            values.update(
                year=f"{date.year:04d}",
                month=f"{date.month:02d}",
                day=f"{date.day:02d}",
                i_month=str(date.month),
                i_day=str(date.day),
                y_day=f"{date.timetuple().tm_yday:03d}",
                short_year=f"{date.year % 100:02d}",
                hour=f"{date.hour:02d}",
                minute=f"{date.minute:02d}",
                second=f"{date.second:02d}",
            )
        path = template
        for key in sorted(values, key=len, reverse=True):
            path = path.replace(":" + key, values[key])
        path = re.sub(r"/+", "/", "/" + path)
        site.pages[rel] = SitePage(rel, data, body, url.rstrip("/") + path)
    return site


# Hugo: https://gohugo.io/content-management/urls/ , /sections/ , /multilingual/
def _hugo_config(root: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    folder = root / "config" / "_default"
    files = sorted(folder.glob("*.*")) if folder.is_dir() else []
    for name in ("hugo", "config"):
        for ext in ("toml", "yaml", "yml", "json"):
            if (root / f"{name}.{ext}").is_file():
                files.append(root / f"{name}.{ext}")
                break
        else:
            continue
        break
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text) or {}
        data = _lower(data)
        if path.parent == folder and path.stem not in ("hugo", "config"):
            data = {path.stem.lower(): data}
        merged.update(data)
    return merged


def _lower(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k).lower(): _lower(v) for k, v in data.items()}
    return data


def hugo_urlize(text: str) -> str:
    out: list[str] = []
    pending = False
    for ch in text:
        if unicodedata.category(ch)[0] in "LNM" or ch in "._/\\#+~-@%":
            if pending and out:
                out.append("-")
            pending = False
            out.append(ch)
        elif ch.isspace():
            pending = True
    return "".join(out).lower()


def hugo_site(root: Path) -> Site:
    config = _hugo_config(root)
    base = str(config.get("baseurl") or "").rstrip("/")
    permalinks = config.get("permalinks") or {}
    if "page" in permalinks and isinstance(permalinks["page"], dict):
        permalinks = {**permalinks, **permalinks["page"]}
    default_lang = str(config.get("defaultcontentlanguage") or "en").lower()
    langs = {
        k.lower(): str(v.get("contentdir") or config.get("contentdir") or "content").strip("/")
        for k, v in (config.get("languages") or {}).items()
        if isinstance(v, dict)
    } or {default_lang: str(config.get("contentdir") or "content")}
    site = Site()
    for lang, content in langs.items():
        prefix = "" if lang == default_lang else "/" + lang
        croot = root / content
        for inner in _md_files(croot, set()):
            rel = f"{content}/{inner}"
            data, body = _read(croot, inner)
            if data.get("draft") is True:
                site.pages[rel] = SitePage(rel, data, body, None)
                continue
            parts = inner.split("/")
            stem = PurePosixPath(inner).stem
            folders = parts[:-1]
            if data.get("url"):
                path = str(data["url"])
                site.pages[rel] = SitePage(rel, data, body, base + prefix + "/" + path.lstrip("/"))
                continue
            if stem == "_index":
                path = "/" + "/".join(hugo_urlize(f) for f in folders) + "/"
                site.pages[rel] = SitePage(rel, data, body, base + prefix + re.sub("/+", "/", path))
                continue
            if stem == "index" and folders:
                stem = folders.pop()
            section = folders[0] if folders else ""
            pattern = permalinks.get(section) if folders else None
            slug = data.get("slug")
            if not pattern:
                path = "/".join(
                    [hugo_urlize(f) for f in folders] + [hugo_urlize(str(slug or stem))]
                )
                site.pages[rel] = SitePage(rel, data, body, base + prefix + "/" + path + "/")
                continue
            date = parse_date(data.get("date"))
            sections = [section]
            for depth in range(2, len(folders) + 1):
                if not (croot.joinpath(*folders[:depth]) / "_index.md").is_file():
                    break
                sections.append(folders[depth - 1])
            title = str(data.get("title") or stem)
            values = {
                ":slugorcontentbasename": hugo_urlize(str(slug or stem)),
                ":slugorfilename": hugo_urlize(str(slug or stem)),
                ":contentbasename": hugo_urlize(stem),
                ":filename": hugo_urlize(stem),
                ":sections": "/".join(hugo_urlize(s) for s in sections),
                ":section": hugo_urlize(section),
                ":title": hugo_urlize(title),
                ":slug": hugo_urlize(str(slug or title)),
            }
            if date is not None:
                values.update(
                    {
                        ":year": f"{date.year:04d}",
                        ":month": f"{date.month:02d}",
                        ":day": f"{date.day:02d}",
                    }
                )
            path = str(pattern)
            for key in sorted(values, key=len, reverse=True):
                path = path.replace(key, values[key])
            site.pages[rel] = SitePage(
                rel, data, body, base + prefix + re.sub("/+", "/", "/" + path)
            )
    return site


# VitePress: https://vitepress.dev/guide/routing , /reference/site-config
def vitepress_site(root: Path) -> Site:
    texts = []
    for folder in (root / ".vitepress", root / ".vitepress" / "config"):
        if folder.is_dir():
            texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.[jtm]*s"))]
    config = "\n".join(texts)

    def literal(key: str) -> str | None:
        m = re.search(rf"\b{key}\s*:\s*['\"`]([^'\"`]*)['\"`]", config)
        if m:
            return m.group(1)
        named = re.search(rf"\b{key}\s*:\s*([A-Za-z_$][\w$]*)", config)
        if named:  # hostname: siteUrl, with const siteUrl = '...'
            value = re.search(
                rf"\b(?:const|let)\s+{named.group(1)}\s*=\s*['\"]([^'\"]*)['\"]", config
            )
            return value.group(1) if value else None
        return None

    rewrites: list[tuple[str, str]] = []
    block = re.search(r"\brewrites\s*:\s*\{([^}]*)\}", config)
    if block:
        rewrites = re.findall(r"['\"]([^'\"]+)['\"]\s*:\s*['\"]([^'\"]*)['\"]", block.group(1))

    def rewritten(rel: str) -> str:
        for source, target in rewrites:
            pattern = re.sub(r":(\w+)\\\*", r"(?P<\1>.*)", re.escape(source))
            pattern = re.sub(r":(\w+)", r"(?P<\1>[^/]+)", pattern)
            m = re.fullmatch(pattern, rel)
            if m:
                out = target
                for name, value in m.groupdict().items():
                    out = re.sub(rf":{name}\*?", value, out)
                return out.lstrip("/")
        return rel

    host = literal("hostname")
    if host is None:  # the address the site gives itself in its head: og:url
        og = re.search(
            r"['\"]og:url['\"]\s*,\s*content:\s*(?:['\"]([^'\"]+)['\"]|([A-Za-z_$][\w$]*))", config
        )
        if og and og.group(1):
            host = og.group(1)
        elif og:
            value = re.search(rf"\b(?:const|let)\s+{og.group(2)}\s*=\s*['\"]([^'\"]*)['\"]", config)
            host = value.group(1) if value else None
    src_dir = (literal("srcDir") or "").strip("./")
    for cname in (root / "public" / "CNAME", root / "CNAME"):
        if host is None and cname.is_file():
            host = "https://" + cname.read_text().strip()
    base = "/" + (literal("base") or "/").strip("/")
    clean = re.search(r"\bcleanUrls\s*:\s*true", config) is not None
    site = Site()
    src_root = root / src_dir if src_dir else root
    for inner in _md_files(src_root, {"public", "node_modules"}):
        rel = f"{src_dir}/{inner}" if src_dir else inner
        data, body = _read(src_root, inner)
        path = PurePosixPath(rewritten(inner))
        if path.stem == "index":
            page = "/" if str(path.parent) == "." else f"/{path.parent}/"
        else:
            page = "/" + str(path.with_suffix("")) + ("" if clean else ".html")
        url = None if host is None else host.rstrip("/") + re.sub("/+", "/", base + page)
        site.pages[rel] = SitePage(rel, data, body, url)
    return site


READERS = {"jekyll": jekyll_site, "hugo": hugo_site, "vitepress": vitepress_site}


# --- the page's own text ------------------------------------------------------------------


def sentences(body: str) -> list[str]:
    """The page's prose, cut into sentences: no code, markup, tags or link targets."""
    kept: list[str] = []
    fence: str | None = None
    # Display math ($$ ... $$ on lines of its own), what <style> or <script> holds, and code
    # pasted as HTML (<pre>, an element whose class says code: cnblogs_code, brush: ...)
    # are no more prose than fenced code is.
    display = False
    hidden: str | None = None  # the tag of a code box or a style/script being skipped
    depth = 0
    for line in body.split("\n"):
        m = FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence:
                fence = None
            continue
        if m:
            fence = m.group(1)[0]
            continue
        if hidden is not None:
            low = line.lower()
            depth += low.count(f"<{hidden}") - low.count(f"</{hidden}")
            if depth <= 0:
                hidden = None
            continue
        opened = re.search(r"<(style|script)\b", line, re.I) or re.search(
            r"<(pre|div|code)\b(?:[^>]*\bclass=[\"'][^\"']*(?:code|highlight|brush))?", line, re.I
        )
        if opened:
            tag = opened.group(1).lower()
            if tag in ("pre", "style", "script") or "class" in opened.group(0).lower():
                low = line[opened.start() :].lower()
                depth = low.count(f"<{tag}") - low.count(f"</{tag}")
                kept.append(line[: opened.start()])
                if depth > 0:
                    hidden = tag
                continue
        if display or line.strip().startswith("$$"):
            if line.count("$$") % 2 == 1:
                display = not display
            if display or line.strip().startswith("$$"):
                continue
        # Indented code, table rules and headings (a heading is not a passage: it is
        # searched as a heading) are not the page's prose.
        if line.startswith("    ") or re.match(r"^\s*\|?\s*:?-{3,}|^\s{0,3}#{1,6}\s", line):
            continue
        line = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{:[^}]*\}|\{#[^}]*\}|<[^>]*>", " ", line)
        line = html.unescape(line)  # `&nbsp;` is a space, not the end of a sentence
        line = re.sub(r"\[\^[^\]\s]+\]:?", " ", line)  # footnote marks are not words
        line = re.sub(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|\]\[[^\]]*\]", " ", line)
        # A bare address is not text; one that is a link's text ([http://x](http://x)) is.
        line = re.sub(r"(?<!\[)https?://\S+", " ", line)
        line = re.sub(r"^\s*(?:>\s*)*(?:#{1,6}\s|[*+-]\s+|\d+[.)]\s+)", " ", line)
        line = re.sub(r"^\s*(:::.*|\[\[toc\]\])$", " ", line, flags=re.I)
        kept.append(line)
    return [s for s in SENTENCE.split("\n".join(kept)) if len(fold(s)) >= 6]


# --- the measurement --------------------------------------------------------------------


def run_cli(cli: str, folder: Path, db: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "EXCERPT_BOT_DB": str(db)}
    index = subprocess.run(
        [cli, "index", "--db", str(db), "--force", str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if index.returncode != 0:
        sys.exit(f"index failed: {index.stderr[-2000:]}")
    export = subprocess.run(
        [cli, "export", "--db", str(db)], capture_output=True, text=True, env=env, check=True
    )
    return [json.loads(line) for line in export.stdout.splitlines() if line.strip()]


def measure(
    generator: str, folder: Path, cli: str, examples: int, missing: int = 0
) -> dict[str, Any]:
    site = READERS[generator](folder)
    with tempfile.TemporaryDirectory() as tmp:
        records = run_cli(cli, folder, Path(tmp) / "site.db")
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_doc.setdefault(record["document"]["path"], []).append(record)
    folder_real = folder.resolve()

    def site_rel(doc_path: str) -> str:
        return doc_path  # export paths are relative to the folder indexed: the site root

    published = {rel: p for rel, p in site.pages.items() if p.url is not None}
    with_url = correct = 0
    wrong: list[str] = []
    pages_seen = 0
    for doc_path, recs in by_doc.items():
        page = published.get(site_rel(doc_path))
        if page is None:
            continue
        pages_seen += 1
        url = recs[0]["document"]["url"]
        if url:
            with_url += 1
        got = unquote(urlsplit(url)._replace(fragment="").geturl()) if url else None
        if got == unquote(str(page.url)):
            correct += 1
        elif len(wrong) < examples:
            wrong.append(f"{doc_path}: got {got} expected {page.url}")
    leaks: list[str] = []
    leak_count = short = authored = 0
    # What the writer put in inline code or a title is their text, not markup that leaked.
    literal: dict[str, str] = {}
    for rel, page in site.pages.items():
        spans = re.findall(r"(`+|\$)(.+?)\1", page.body)  # code and inline math
        literal[rel] = " ".join(code for _, code in spans) + " " + str(page.data.get("title", ""))
    for record in records:
        fields = [record["text"], *record["heading_path"], record["document"]["title"]]
        allowed = literal.get(record["document"]["path"], "")
        found = [
            m.group(0)
            for f in fields
            for m in LEAK.finditer(f)
            if m.group(0).strip() not in allowed
        ]
        if found:
            leak_count += 1
            if len(leaks) < examples:
                leaks.append(
                    f"{record['document']['path']}: {found[0]!r} in {record['text'][:60]!r}"
                )
        if len(record["text"]) < 8:
            short += 1
        if record.get("author"):
            authored += 1
    total_chars = found_chars = 0
    quote_leaks = 0
    quote_examples: list[str] = []
    lost: list[tuple[int, str]] = []  # (characters, "page: sentence") not found
    for rel, page in published.items():
        recs = by_doc.get(rel, [])
        haystack = fold("".join(r["text"] + "".join(r["heading_path"]) for r in recs))
        for sentence in sentences(page.body):
            folded = fold(sentence)
            total_chars += len(folded)
            if folded in haystack:
                found_chars += len(folded)
            elif missing:
                lost.append((len(folded), f"{rel}: {sentence.strip()[:100]!r}"))
        quoted = [m.group(1) for line in page.body.split("\n") if (m := ATTRIBUTED.match(line))]
        quote_text = fold(
            re.sub(
                r"\[\^[^\]\s]+\]",  # a footnote mark is not a word of the quote
                " ",
                " ".join(ln for ln in page.body.split("\n") if ln.lstrip().startswith(">")),
            )
        )

        def outside(text: str, quote_text: str = quote_text) -> bool:
            # line by line: the credit line itself is no passage
            return any(fold(line) not in quote_text for line in text.split("\n"))

        for name in quoted:
            for r in recs:
                if r.get("author") == name and outside(r["text"]):
                    quote_leaks += 1
                    if len(quote_examples) < examples:
                        quote_examples.append(f"{rel}: {name} credited with {r['text'][:60]!r}")
    n = max(len(records), 1)
    return {
        "site": str(folder_real),
        "generator": generator,
        "pages": len(published),
        "pages_in_export": pages_seen,
        "pages_with_url": with_url,
        "urls_correct": correct,
        "passages": len(records),
        "leaking": leak_count,
        "short": short,
        "short_pct": round(100 * short / n, 2),
        "coverage_pct": round(100 * found_chars / max(total_chars, 1), 1),
        "author_pct": round(100 * authored / n, 1),
        "quote_credit_leaks": quote_leaks,
        "wrong_urls": wrong,
        "leak_examples": leaks,
        "quote_leak_examples": quote_examples,
        "missing_sentences": [line for _, line in sorted(lost, reverse=True)[:missing]],
        "short_examples": Counter(r["text"] for r in records if len(r["text"]) < 8).most_common(
            examples
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("generator", choices=sorted(READERS))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--excerpt-bot", default=str(Path(sys.executable).with_name("excerpt-bot")))
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument(
        "--missing", type=int, default=0, help="show this many of the longest sentences not found"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.generator, args.folder, args.excerpt_bot, args.examples, args.missing)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    seen = max(result["pages_in_export"], 1)
    print(f"{result['generator']} {result['site']}")
    print(
        f"  pages with a URL     {result['pages_with_url']} of {result['pages_in_export']}"
        f" ({100 * result['pages_with_url'] / seen:.1f}%)"
    )
    print(
        f"  URLs correct         {result['urls_correct']} of {result['pages_in_export']}"
        f" ({100 * result['urls_correct'] / seen:.1f}%)"
    )
    print(f"  passages leaking     {result['leaking']} of {result['passages']}")
    print(f"  under 8 characters   {result['short_pct']}%")
    print(f"  text coverage        {result['coverage_pct']}%")
    print(f"  with an author       {result['author_pct']}%")
    print(f"  quote credit leaks   {result['quote_credit_leaks']}")
    for key in (
        "wrong_urls",
        "leak_examples",
        "quote_leak_examples",
        "short_examples",
        "missing_sentences",
    ):
        for item in result[key]:
            print(f"  {key}: {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
