"""Finding Markdown files under corpus paths and reading them safely."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.corpus.errors import CorpusConfigError, CorpusPathError, ImportProblem

if TYPE_CHECKING:
    from bot.corpus.site import Generator, SiteConfig

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
NOT_MARKDOWN = "not a Markdown file (.md, .markdown or .mdx); not imported"
# Never posts: dependency trees, and the folder README that explains the corpus itself.
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})
_SKIPPED_FILES = frozenset({"readme.md", "readme.markdown", "readme.mdx"})
OUTSIDE_LINK = (
    "symlink to {target}, outside the corpus; not read (an operator can allow it with "
    "--allow-outside-links or EXCERPT_BOT_ALLOW_OUTSIDE_LINKS=1)"
)
Keep = Callable[[str, bool], bool]
Refuse = Callable[[Path, str], None]


def display_name(name: str) -> str:
    """A file name as text that can be shown and stored. On Linux a name is bytes; Python
    keeps bytes that are not UTF-8 as lone surrogates, which SQLite, JSON and terminals
    refuse. Such a name is read as GB18030 (a superset of GBK, what Chinese zip tools
    write) when it decodes cleanly, else with U+FFFD for the bad bytes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(name)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")
    return text if text.isprintable() or "/" in text else raw.decode("utf-8", "replace")


def _inside(real: str, roots: list[str]) -> bool:
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def is_markdown(name: str) -> bool:
    """Markdown by its suffix (the walker's default; `formats.is_source` knows every format)."""
    return os.path.splitext(name.lower())[1] in MARKDOWN_SUFFIXES


def _wanted(name: str, is_source: Callable[[str], bool]) -> bool:
    lower = name.lower()
    return not lower.startswith(".") and is_source(lower)


def _no_readme(keep: Keep) -> Keep:
    """`keep`, and a folder's README is not a post (it explains the folder)."""

    def keep_but_readme(rel: str, is_dir: bool) -> bool:
        return (is_dir or rel.rsplit("/", 1)[-1].lower() not in _SKIPPED_FILES) and keep(
            rel, is_dir
        )

    return keep_but_readme


def _walk(
    root: Path,
    keep: Keep,
    allowed: list[str] | None,
    refuse: Refuse | None,
    is_source: Callable[[str], bool],
) -> list[tuple[str, Path]]:
    """All Markdown files under root as (relative POSIX path, path), following symlinked
    folders but entering each real folder once, so symlink loops terminate. `keep(rel,
    is_dir)` says what the site's generator reads; with `allowed` (real paths), a symlink
    whose target is outside them is passed to `refuse` and not followed."""
    found: list[tuple[str, Path]] = []
    visited: set[str] = set()
    pending: list[tuple[Path, str]] = [(root, "")]
    while pending:
        folder, rel = pending.pop()
        real = os.path.realpath(folder)
        if real in visited:
            continue
        visited.add(real)
        try:
            with os.scandir(folder) as entries:
                items = sorted(entries, key=lambda e: e.name)
        except OSError:
            continue  # an unreadable folder holds nothing we can import
        subfolders: list[tuple[Path, str]] = []
        for entry in items:
            name = entry.name
            child_rel = f"{rel}{name}"
            try:
                is_dir = entry.is_dir()  # follows symlinks; False for broken links
            except OSError:
                is_dir = False
            if is_dir:
                if name.startswith(".") or name in _SKIPPED_DIRS or not keep(child_rel, True):
                    continue
            elif not _wanted(name, is_source) or not keep(child_rel, False):
                continue
            if allowed is not None and entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not _inside(target, allowed):
                    if refuse is not None:
                        refuse(Path(entry.path), OUTSIDE_LINK.format(target=display_name(target)))
                    continue
            if is_dir:
                subfolders.append((Path(entry.path), child_rel + "/"))
            else:
                found.append((child_rel, Path(entry.path)))
        # Depth-first in name order, so which path reaches a folder first is predictable.
        pending.extend(reversed(subfolders))
    found.sort(key=lambda item: item[0])
    return found


def _site_filter(root: Path) -> Keep:
    """What the generator of the site at `root` reads (everything when there is none; a
    folder's README only where the generator makes it the folder's page)."""
    from bot.corpus.generators import generator_for, load_site_config

    try:
        site = load_site_config(root)
    except CorpusConfigError:
        return _no_readme(lambda rel, is_dir: True)
    if site.root is None:
        return _no_readme(lambda rel, is_dir: True)
    generator = generator_for(site)
    keep = _generators_filter(root, site, generator)
    return keep if generator.readme_is_page else _no_readme(keep)


def _generators_filter(root: Path, site: SiteConfig, generator: Generator) -> Keep:
    """What the generator reads. The corpus root may be the site's folder, inside it
    (`blog/_posts`), or just above it (a project whose VitePress site is in `docs/`)."""
    base = root.resolve()
    site_root = Path(site.root or base)
    if base == site_root or site_root in base.parents:
        prefix = base.relative_to(site_root).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        return lambda rel, is_dir: generator.is_content(site, prefix + rel, is_dir)
    if base not in site_root.parents:
        return lambda rel, is_dir: True
    down = site_root.relative_to(base).as_posix() + "/"

    def keep(rel: str, is_dir: bool) -> bool:
        if rel.startswith(down):
            return generator.is_content(site, rel[len(down) :], is_dir)
        return is_dir and down.startswith(rel + "/")  # on the way down to the site

    return keep


def iter_markdown_files(
    paths: Iterable[Path],
    refused: Refuse | None = None,
    *,
    allow_outside_links: bool = False,
    is_source: Callable[[str], bool] = is_markdown,
) -> Iterator[tuple[Path, Path]]:
    """Yield (file, its corpus root) for every Markdown file under `paths`, sorted by path.

    Under a folder, only what the site's generator reads is yielded (Hugo's `content/`, not
    its themes; Jekyll's posts and collections, not `_site/`). A symlink whose target lies
    outside every folder in `paths` is not followed but passed to `refused(path, reason)`,
    unless `allow_outside_links`. A file given directly is its own corpus with its folder
    as root; one that is not Markdown by its suffix (`corpus.yaml`) is not yielded but
    passed to `refused`. The same real file is yielded once even if reachable twice.
    Raises CorpusPathError for a path that does not exist, before yielding anything from it.
    """
    paths = list(paths)
    allowed = (
        None if allow_outside_links else [os.path.realpath(p) for p in paths if os.path.isdir(p)]
    )
    seen: set[str] = set()
    for path in paths:
        if not path.exists():
            what = "is a broken symlink" if path.is_symlink() else "does not exist"
            raise CorpusPathError(f"corpus path {display_name(str(path))} {what}")
        if path.is_dir():
            walked = _walk(path, _site_filter(path), allowed, refused, is_source)
            found = [(file, path) for _, file in walked]
        elif not is_source(path.name):
            if refused is not None:
                refused(path, NOT_MARKDOWN)
            continue
        else:
            found = [(path, path.parent)]
        for file, root in found:
            real = os.path.realpath(file)
            if real in seen:
                continue
            seen.add(real)
            yield file, root


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; ImportProblem if it is missing, special, unreadable or too big."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ImportProblem("broken symlink: its target does not exist") from None
        raise ImportProblem("file disappeared while importing") from None
    except OSError as exc:
        raise ImportProblem(f"cannot read file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ImportProblem("not a regular file")
    if info.st_size > max_bytes:
        raise ImportProblem(
            f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit; not imported"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except PermissionError:
        raise ImportProblem("cannot read file: permission denied") from None
    except OSError as exc:
        raise ImportProblem(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ImportProblem(f"file is over the {max_bytes:,}-byte limit; not imported")
    return data


def decode(data: bytes) -> str:
    """UTF-8 text (BOM optional) with LF line ends; ImportProblem for anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportProblem("file is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise ImportProblem("binary file (contains NUL bytes), not Markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise ImportProblem(
            f"not valid UTF-8 (byte 0x{bad} at offset {exc.start}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise ImportProblem("file is empty; nothing to import")
    return text.replace("\r\n", "\n").replace("\r", "\n")
