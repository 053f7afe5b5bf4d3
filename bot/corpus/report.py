"""What `check` tells a user about a corpus: problems and notes grouped by kind, each kind
with its count and a few example files, and which generator each folder was read as.

    report = CorpusReport.build(load_corpus(paths))
    print("\\n".join(report.lines()))

The CLI only prints it; the grouping lives here, beside what it groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.corpus.generators import BY_NAME
from bot.corpus.importer import CorpusImport
from bot.corpus.site import PLACEHOLDER_URL, UNUSABLE_CONFIG, SiteConfig
from bot.models import ImportResult

EXAMPLES = 3
# Parts of a reason that differ from file to file: numbers, quoted names, offsets, bytes.
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|0x[0-9a-f]+|\{\{< \S+ >\}\}|\{% \S+|\d[\d,.]*")
_NOTE_TITLES = {
    "no link": "pages without a link",
    "unknown shortcode": "unknown shortcodes",
    "withheld": "pages not imported: password-protected",
    "draft": "pages not imported: drafts",
    "listing": "pages not imported: listings of the site's posts",
    "template": "pages not imported: templates of generated pages",
    "static": "files not imported: copied as they are, not pages",
}


@dataclass(slots=True)
class Kind:
    title: str
    severity: str  # "skipped": files not imported; "problem": imported with a problem; "note"
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)


def _shape(reason: str) -> str:
    """A reason with what varies per file taken out, cut at its first clause."""
    head = re.split(r";|\(", reason, maxsplit=1)[0].strip()
    return _VARYING.sub("…", head) or reason


def _where_pages_link(site: SiteConfig) -> str:
    """The site URL pages link to, or that they get none; naming a placeholder `url` the
    config holds and linking skipped (`http://localhost:4000`), so its owner sees why."""
    placeholder = site.setting(PLACEHOLDER_URL)
    why = f"its config's url {placeholder} is a placeholder no reader can open"
    if site.url:
        return f"{site.url} ({why})" if placeholder else site.url
    if placeholder:
        return f"no site URL: pages get no link ({why}; set url in corpus.yaml)"
    return "no site URL: pages get no link"


@dataclass(slots=True)
class CorpusReport:
    kinds: list[Kind]
    sites: list[str]  # one line per corpus root: its generator and site URL
    files: int
    documents: int
    passages: int
    problems: int

    @classmethod
    def build(cls, result: ImportResult) -> CorpusReport:
        kinds: dict[tuple[str, str], Kind] = {}

        def kind(title: str, severity: str) -> Kind:
            return kinds.setdefault((severity, title), Kind(title, severity))

        for problem in result.problems:
            severity = "skipped" if problem.skipped else "problem"
            kind(_shape(problem.reason), severity).add(f"{problem.path}: {problem.reason}")
        sites: list[str] = []
        if isinstance(result, CorpusImport):
            for note in result.notes:
                title = _NOTE_TITLES.get(note.kind, note.kind)
                kind(title, "note").add(f"{note.path}: {note.detail}")
            for root, site in result.sites.items():
                generator = BY_NAME.get(site.generator)
                label = generator.label if generator is not None else site.generator
                if site.setting(UNUSABLE_CONFIG):
                    label = f"unknown (its config {site.config_files[0]} could not be used)"
                elif site.root is None:  # no generator's config; perhaps a corpus.yaml, read
                    label = "none found (a folder of Markdown files)"
                where = _where_pages_link(site)
                sites.append(f"{root}: generator: {label}, {where}")
        order = {"skipped": 0, "problem": 1, "note": 2}
        ordered = sorted(kinds.values(), key=lambda k: (order[k.severity], -k.count, k.title))
        return cls(
            kinds=ordered,
            sites=sites,
            files=result.files_seen,
            documents=len(result.documents),
            passages=sum(len(d.passages) for d in result.documents),
            problems=len(result.problems),
        )

    def lines(self) -> list[str]:
        out = list(self.sites)
        labels = {"skipped": "not imported", "problem": "imported with a problem", "note": "note"}
        for kind in self.kinds:
            out.append(f"{kind.title} ({labels[kind.severity]}): {kind.count}")
            out.extend(f"  {example}" for example in kind.examples)
            if kind.count > len(kind.examples):
                out.append(f"  ... and {kind.count - len(kind.examples)} more")
        out.append(
            f"{self.files} files, {self.documents} documents, {self.passages} passages, "
            f"{self.problems} problems"
        )
        return out
