"""Exceptions raised by the corpus importer."""

from __future__ import annotations


class CorpusError(Exception):
    """Base class for corpus problems the caller should show to the user."""


class CorpusPathError(CorpusError):
    """A corpus path given by the user does not exist: the CLI exits non-zero on it."""


class CorpusConfigError(CorpusError):
    """corpus.yaml or the Hexo _config.yml could not be read; defaults are used instead."""


class ImportProblem(CorpusError):
    """A per-file problem that makes the importer skip the whole file.

    `reason` is a short sentence for the user; the caller adds the path.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
