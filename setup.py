"""Packaging: everything is declared in pyproject.toml; this adds one build step.

The shipped corpus lives at the top of the source tree (`corpus/`, where readers, the tests
and the benchmarks find it), outside the `bot` package, so setuptools would leave it out of
a wheel, and `pip install .`, a wheel or `pipx install` would have nothing to index. The
step copies it into the built package as `bot/shipped_corpus/` (package data);
`bot.config.shipped_corpus_dir` looks there first and at `corpus/` in a source checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CORPUS = Path(__file__).resolve().parent / "corpus"
SHIPPED_FILES = ("*.md", "*.yaml")


class BuildWithCorpus(build_py):
    """build_py, then the shipped corpus into the built `bot` package."""

    def run(self) -> None:
        super().run()
        if not CORPUS.is_dir():  # a partial tree (the Dockerfile copies only bot/)
            return
        target = Path(self.build_lib) / "bot" / "shipped_corpus"
        target.mkdir(parents=True, exist_ok=True)
        for pattern in SHIPPED_FILES:
            for source in sorted(CORPUS.glob(pattern)):
                shutil.copy2(source, target / source.name)


setup(cmdclass={"build_py": BuildWithCorpus})
