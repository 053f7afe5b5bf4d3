"""Load a corpus: walk the folders, read each site's settings, import every source file.

    result = load_corpus([Path("corpus")])

One bad file never stops the others: its problem is collected in `result.problems`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from bot.corpus.errors import CorpusConfigError, ImportProblem, Withheld
from bot.corpus.files import display_name, iter_markdown_files
from bot.corpus.formats import format_for, is_source
from bot.corpus.generators import load_site_config
from bot.corpus.importer import DEFAULT_MAX_FILE_BYTES, MARKDOWN, CorpusImport, Note, ParseCache
from bot.corpus.site import UNUSABLE_CONFIG, SiteConfig
from bot.models import ParsedDocument, Problem


def load_corpus(
    paths: Sequence[Path],
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: Callable[[int, Path], None] | None = None,
    cache: ParseCache | None = None,
    allow_outside_links: bool = False,
    on_document: Callable[[ParsedDocument], None] | None = None,
) -> CorpusImport:
    """Import every Markdown file under `paths`; one bad file never stops the others.

    `progress(files_seen, path)` is called before each file. Problems name files by the
    path the user gave plus the rest of the way, so they can be opened as printed.
    A file named directly that is not Markdown (`corpus.yaml`) is reported as skipped, and
    so is a symlink whose target is outside every corpus path, unless `allow_outside_links`.
    Raises CorpusPathError (from iter_markdown_files) if a path does not exist.
    `on_document(parsed)` is called with each document as soon as it is parsed (the indexer
    writes it while the next files are parsed), and the result does not keep it: the caller
    has it (a 24 M-character corpus held twice cost 300 MB).
    """
    result = CorpusImport()
    sites: dict[Path, SiteConfig] = {}

    def refuse(path: Path, reason: str) -> None:
        result.problems.append(Problem(display_name(str(path)), reason, skipped=True))

    walk = iter_markdown_files(
        paths, refuse, allow_outside_links=allow_outside_links, is_source=is_source
    )
    for path, root in walk:
        if root not in sites:
            try:
                sites[root] = load_site_config(root)
            except CorpusConfigError as exc:
                result.problems.append(
                    Problem(exc.path, f"{exc.reason}; using defaults", skipped=False)
                )
                # The defaults, remembering the config that could not be used (for messages).
                sites[root] = SiteConfig(
                    config_files=(exc.path,), settings=((UNUSABLE_CONFIG, "true"),)
                )
            result.sites[str(root)] = sites[root]
        result.files_seen += 1
        if progress is not None:
            progress(result.files_seen, path)
        shown = display_name(str(path))
        if shown != str(path):
            result.problems.append(
                Problem(
                    shown,
                    "file name is not valid UTF-8; imported, shown and stored as "
                    f"{display_name(path.name)!r} (rename the file to UTF-8 to keep it stable)",
                    skipped=False,
                )
            )
        source_format = format_for(path) or MARKDOWN
        try:
            document = source_format.parse(
                path,
                root,
                sites[root],
                result.problems,
                max_file_bytes=max_file_bytes,
                cache=cache,
                notes=result.notes,
            )
        except Withheld as exc:
            result.notes.append(Note(exc.kind, shown, exc.reason))
            continue
        except ImportProblem as exc:
            result.problems.append(Problem(shown, exc.reason, skipped=True))
            continue
        if on_document is not None:
            on_document(document)
        else:
            result.documents.append(document)
    return result
