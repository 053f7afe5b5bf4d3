"""Profile one class of queries (or the indexer) with py-spy, and read the result as text.

    python -m bench.profile queries --class two|short|long [--n 100] > q.txt
    py-spy record --rate 200 --format raw -o q.raw -- \\
        python -m bot search --db DB --json - < q.txt > /dev/null
    python -m bench.profile top q.raw [--within _retrieve] [--n 25]

Classes, all cut from the book corpus's original text (bench/book.py), so every query has
exact hits (and many of them in a near-duplicate corpus):

- `two`: the 2-character runs found in the most paragraphs (宝玉, 笑道, 一个, ...): the
  exact tier reads and verifies up to a thousand texts for each;
- `short`: random cuts of 3-4 characters; `long`: random cuts of 17-20 characters (another
  seed than the benchmark's, so the profile is not of the measured queries).

`top` reads py-spy's raw (collapsed stack) output, keeps the samples whose stack passes
through `--within` (a function name; default: the whole process), and prints the lines
that cost the most by themselves (self) and including what they call (inclusive), each as a
share of the kept samples. py-spy samples every thread, which matters here: the search runs
on the database thread (`Store.run`), out of reach of cProfile on the main thread.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.book import load_book, random_cuts
from bot.text import normalize

PROFILE_SEED = 1414  # not the benchmark's cut seed


def common_pairs(n: int) -> list[str]:
    """The `n` 2-character runs (CJK, within a paragraph) found in the most paragraphs."""
    counts: Counter[str] = Counter()
    for chapter in load_book():
        for paragraph in chapter.paragraphs:
            norm = normalize(paragraph)
            counts.update(
                {
                    norm[i : i + 2]
                    for i in range(len(norm) - 1)
                    if "\u4e00" <= norm[i] <= "\u9fff" and "\u4e00" <= norm[i + 1] <= "\u9fff"
                }
            )
    return [pair for pair, _ in counts.most_common(n)]


def class_queries(name: str, n: int) -> list[str]:
    if name == "two":
        return common_pairs(n)
    low, high = {"short": (3, 4), "long": (17, 20)}[name]
    return [str(cut["q"]) for cut in random_cuts(n, PROFILE_SEED, lengths=(low, high))]


def summarize(lines: Sequence[str], within: str | None, top: int) -> list[str]:
    """Self and inclusive sample shares per frame of py-spy's raw output."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    kept = total = 0
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        if within is not None:
            names = [frame.split(" (", 1)[0] for frame in frames]
            if within not in names:
                continue
            frames = frames[names.index(within) :]
        kept += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not kept:
        return [f"no samples{' within ' + within if within else ''} (of {total})"]
    scope = f"within {within}" if within else "whole process"
    out = [f"{kept} samples {scope} ({kept / max(total, 1):.0%} of {total})", "self:"]
    out += [f"  {100 * c / kept:5.1f}%  {frame}" for frame, c in own.most_common(top)]
    out.append("inclusive:")
    out += [f"  {100 * c / kept:5.1f}%  {frame}" for frame, c in inclusive.most_common(top)]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    queries = commands.add_parser("queries", help="print one class of queries, one a line")
    queries.add_argument("--class", dest="name", choices=("two", "short", "long"), required=True)
    queries.add_argument("--n", type=int, default=100)
    top = commands.add_parser("top", help="summarize `py-spy record --format raw` output")
    top.add_argument("raw", type=Path)
    top.add_argument("--within", help="keep only stacks through this function")
    top.add_argument("--n", type=int, default=25)
    args = parser.parse_args(argv)
    if args.command == "queries":
        sys.stdout.write("".join(q + "\n" for q in class_queries(args.name, args.n)))
        return 0
    lines = args.raw.read_text(encoding="utf-8").splitlines()
    print("\n".join(summarize(lines, args.within, args.n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
