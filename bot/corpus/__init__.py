"""The Markdown importer: Hexo-style posts in, documents, sections and passages out.

    result = load_corpus([Path("corpus")])

`load_corpus` walks the given folders (or files), reads the site settings of each root
(`corpus.yaml` or a Hexo `_config.yml`), and imports every `.md`/`.markdown`/`.mdx` file; per-file
problems are collected in `result.problems` instead of stopping the import.
"""

from bot.corpus.errors import CorpusConfigError, CorpusError, CorpusPathError, ImportProblem
from bot.corpus.files import display_name, iter_markdown_files
from bot.corpus.generators import (
    GENERATORS,
    find_site_config,
    load_site_config,
    site_config_files,
)
from bot.corpus.importer import (
    DEFAULT_MAX_FILE_BYTES,
    CorpusImport,
    Note,
    ParseCache,
    importer_signature,
    parse_key,
    parse_markdown_file,
)
from bot.corpus.loader import load_corpus
from bot.corpus.report import CorpusReport
from bot.corpus.site import DEFAULT_PERMALINK, SiteConfig

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "DEFAULT_PERMALINK",
    "GENERATORS",
    "CorpusConfigError",
    "CorpusError",
    "CorpusImport",
    "CorpusPathError",
    "CorpusReport",
    "ImportProblem",
    "Note",
    "ParseCache",
    "SiteConfig",
    "display_name",
    "find_site_config",
    "importer_signature",
    "iter_markdown_files",
    "load_corpus",
    "load_site_config",
    "parse_key",
    "parse_markdown_file",
    "site_config_files",
]
