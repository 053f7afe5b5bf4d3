"""Relevance on public collections, from their archives: `python -m bench.collections`.

    python -m bench.collections [--names mtf-wiki] [--halves A,B] [--no-meaning] [--keep DIR]

The collections are in bench/data/collections/ (where they came from, and their licences:
bench/data/NOTICE.md): today one, mtf-wiki (MtF.wiki, github.com/project-trans/MtF-wiki,
Hugo content in four languages, CC BY-SA 4.0). Collections read for this project whose
licence forbids commercial use, or states none, are not in the repository. Each is a
`NAME.tar.xz` with two query sets, `NAME-A.yaml` (the dev half) and
`NAME-B.yaml` (the held-out half), written by helpers who read the collection without
running search.

Each archive is unpacked into a temporary folder (or DIR/NAME with --keep) and indexed with
the real command line (`python -m bot index`, with the meaning index unless --no-meaning);
each half is then scored by `python -m bench.relevance --cli --db DB -v SET` (whose output,
misses included, is printed as it comes), and one table of the figures ends the run.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS = Path(__file__).resolve().parent / "data" / "collections"
HALVES = ("A", "B")

# The first line bench.relevance prints for a set (see bench.relevance.Report.lines).
_FIGURES = re.compile(
    r"queries (?P<queries>\d+): recall@1 (?P<at1>[\d.]+)\s+recall@5 (?P<at5>[\d.]+)\s+"
    r"negatives empty (?P<empty>\d+)/(?P<negatives>\d+) \(text-answered (?P<text>\d+)\)"
)


@dataclass(frozen=True)
class Figures:
    """One half's line of the summary table."""

    collection: str
    half: str
    queries: int
    recall1: str  # as bench.relevance printed it (three decimals), not re-rounded
    recall5: str
    negatives_empty: int
    negatives: int
    text_answered: int


def available() -> list[str]:
    """The collections there are: every archive in bench/data/collections/, by name."""
    return sorted(p.name.removesuffix(".tar.xz") for p in COLLECTIONS.glob("*.tar.xz"))


def archive(name: str) -> Path:
    return COLLECTIONS / f"{name}.tar.xz"


def query_set(name: str, half: str) -> Path:
    return COLLECTIONS / f"{name}-{half}.yaml"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unpack(name: str, work: Path) -> Path:
    """The collection's site folder under `work`, unpacked from its archive unless the one
    there came from the same archive (its SHA-256 is written beside it). Re-unpacked
    whole when the archive changed, so a page the new archive dropped is not indexed."""
    folder = work / name
    stamp = work / f"{name}.sha256"
    wanted = sha256(archive(name))
    if folder.is_dir() and stamp.is_file() and stamp.read_text().strip() == wanted:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with tarfile.open(archive(name)) as tar:
        # "data": no absolute paths, links out of the folder or device files, whatever
        # the archive holds (it is ours, but a reader may have swapped one in).
        tar.extractall(folder, filter="data")
    stamp.write_text(wanted + "\n")
    return folder


def index(folder: Path, db: Path, *, meaning: bool) -> None:
    """Index through the command line, as a reader would. Without --force: on a kept
    database the indexer itself sees that nothing changed (it fingerprints the files'
    bytes and the importer's code), so a changed importer still rebuilds."""
    command = [sys.executable, "-m", "bot", "index", "--db", str(db), str(folder)]
    if not meaning:
        command.append("--no-meaning")
    subprocess.run(command, cwd=ROOT, check=True)


def score(name: str, half: str, db: Path) -> Figures:
    """Run bench.relevance through the CLI contract on one half, print what it says, and
    read its figures back from its first line."""
    command = [sys.executable, "-m", "bench.relevance", "--cli", "--db", str(db), "-v"]
    command.append(str(query_set(name, half)))
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    found = _FIGURES.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"bench.relevance failed on {name}-{half} (exit {done.returncode})")
    return Figures(
        name,
        half,
        int(found["queries"]),
        found["at1"],
        found["at5"],
        int(found["empty"]),
        int(found["negatives"]),
        int(found["text"]),
    )


def table(rows: Sequence[Figures], meaning: bool) -> str:
    """The summary: one line per collection and half."""
    head = ("collection", "half", "queries", "recall@1", "recall@5", "neg. empty", "text-answered")
    body = [
        (
            r.collection,
            r.half,
            str(r.queries),
            r.recall1,
            r.recall5,
            f"{r.negatives_empty}/{r.negatives}",
            str(r.text_answered),
        )
        for r in rows
    ]
    widths = [max(len(c) for c in column) for column in zip(head, *body, strict=True)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in (head, *body)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    title = "with the meaning index" if meaning else "text matches only (--no-meaning)"
    return "\n".join([f"summary, {title}:", *lines])


def run(names: Sequence[str], halves: Sequence[str], work: Path, *, meaning: bool) -> int:
    rows: list[Figures] = []
    for name in names:
        folder = unpack(name, work)
        # One database per meaning setting: the same folder is often run both ways, and
        # switching one database between them would rebuild it every time.
        db = work / (f"{name}.db" if meaning else f"{name}-text.db")
        print(f"== {name}: indexing {folder}", flush=True)
        index(folder, db, meaning=meaning)
        for half in halves:
            rows.append(score(name, half, db))
    print()
    print(table(rows, meaning))
    return 0


def _listed(text: str, allowed: Sequence[str], what: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown or not items:
        raise argparse.ArgumentTypeError(
            f"{what}: {', '.join(unknown) or 'none given'}; choose from {', '.join(allowed)}"
        )
    return items


def main(argv: Sequence[str] | None = None) -> int:
    names = available()
    parser = argparse.ArgumentParser(
        prog="python -m bench.collections",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--names",
        type=lambda text: _listed(text, names, "unknown collection"),
        default=names,
        help=f"comma-separated (default: all: {','.join(names)})",
    )
    parser.add_argument(
        "--halves",
        type=lambda text: _listed(text, HALVES, "unknown half"),
        default=list(HALVES),
        help="comma-separated: A (the dev half), B (held out); default A,B",
    )
    parser.add_argument("--no-meaning", action="store_true", help="index without the meaning index")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="unpack and index into DIR and keep them; a later run reuses both while the "
        "archive is the same",
    )
    args = parser.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run(args.names, args.halves, args.keep, meaning=not args.no_meaning)
    with tempfile.TemporaryDirectory(prefix="bench-collections-") as tmp:
        return run(args.names, args.halves, Path(tmp), meaning=not args.no_meaning)


if __name__ == "__main__":
    sys.exit(main())
