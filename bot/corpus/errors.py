"""Exceptions raised by the corpus importer."""

from __future__ import annotations


class CorpusError(Exception):
    """Base class for corpus problems the caller should show to the user."""


class CorpusPathError(CorpusError):
    """A corpus path given by the user does not exist: the CLI exits non-zero on it."""


class CorpusConfigError(CorpusError):
    """corpus.yaml or the Hexo _config.yml could not be read; defaults are used instead.

    `path` is the settings file as found and `reason` says what is wrong with it; the
    message is both, "path: reason".
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ImportProblem(CorpusError):
    """A per-file problem that makes the importer skip the whole file.

    `reason` is a short sentence for the user; the caller adds the path.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Withheld(ImportProblem):
    """A page its owner keeps from readers (behind a password, or a draft): not imported,
    and not a fault in the file, so a note rather than a problem (`--strict` does not fail
    on it). `kind`: the note's kind, "withheld" (a password), "draft", "listing" (a page
    that lists the posts), "template" (a dynamic route's template) or "static" (a file the
    generator copies as it is, or the site's 404 page)."""

    def __init__(self, reason: str, kind: str = "withheld") -> None:
        super().__init__(reason)
        self.kind = kind
