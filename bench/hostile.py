"""Importer resources on hostile Markdown just under the size limit (issue 16, item 8).

    python -m bench.hostile              # every case, 3 runs each, medians
    python -m bench.hostile --runs 1 brackets stars

Each case is one generated file (4.8 MB unless said) imported by a fresh Python process, so
its peak RSS is the importer's own and not what an earlier case left behind. For each it
prints the median wall seconds and peak RSS of importing that one file, and what happened:
imported (passages) or refused (the reason, as `check` would name it). The target is every
case within 5 s and 300 MB. A plain prose file of the same size is the peer to compare with.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SIZE = 4_800_000


def _prose() -> str:
    sentence = "这是一段普通的中文正文，用来和恶意的文件比较导入的时间和内存。"
    lines = [sentence * 3 for _ in range(SIZE // (len(sentence.encode()) * 3) + 1)]
    return "\n\n".join(lines)[: SIZE // 3]


CASES: dict[str, Callable[[], str]] = {
    "prose": _prose,  # the peer: a large ordinary post
    "brackets": lambda: "[" * SIZE,
    "stars": lambda: "*a" * (SIZE // 2),
    "underscores": lambda: "_a" * (SIZE // 2),
    "backticks": lambda: "`a" * (SIZE // 2),
    "angles": lambda: "<a" * (SIZE // 2),
    "link-openers": lambda: "[a](" * (SIZE // 4),
    "wide-table": lambda: "|" + "a|" * 200_000 + "\n|" + "-|" * 200_000 + "\n|" + "b|" * 200_000,
    "many-rows": lambda: "|a|b|\n|-|-|\n" + "|x|y|\n" * (SIZE // 6),
    "nested-quotes": lambda: "\n".join(">" * 90 + " 引用" for _ in range(SIZE // 100)),
    "nested-lists": lambda: "".join("  " * (i % 60) + "- 项\n" for i in range(SIZE // 70)),
    "emphasis-mix": lambda: "**_" * (SIZE // 3),
    "html-comments": lambda: "<!--" * (SIZE // 4),
    "hexo-tags": lambda: "{% note %}" * (SIZE // 10),
    "shortcodes": lambda: "{{< x >}}" * (SIZE // 9),
    "containers": lambda: "::: tip\n" * (SIZE // 8),
    "kramdown-ial": lambda: "{: .x}\n" * (SIZE // 7),
    "hard-breaks": lambda: "字  \n" * (SIZE // 6),
    "long-line": lambda: "字" * (SIZE // 3),
    "dashes": lambda: "a-" * (SIZE // 2),
    "bracket-paragraphs": lambda: ("[" * 10_000 + "\n\n") * (SIZE // 10_002),
    "bracket-then-text": lambda: "[" * 199 + "a" * (SIZE - 199),
    "star-paragraphs": lambda: ("*a" * 999 + "\n\n") * (SIZE // 2_000),
    "list-lines": lambda: "- 项目\n" * 199_000,
    "quote-lines": lambda: "> 引用\n" * 199_000,
    "heading-lines": lambda: "## 标题\n" * 199_000,
    "table-rows": lambda: "|a|b|\n|-|-|\n" + "|x|y|\n" * 199_000,
    "link-refs": lambda: "".join(f"[r{i}]: https://x.example/{i}\n" for i in range(150_000)),
}

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from bot.corpus import ImportProblem, SiteConfig, parse_markdown_file
path = Path(sys.argv[1])
started = time.perf_counter()
try:
    doc = parse_markdown_file(path, path.parent, SiteConfig())
    outcome = f"imported, {len(doc.passages)} passages"
    if doc.warnings:
        outcome += f" ({doc.warnings[0]})"
except ImportProblem as exc:
    outcome = f"refused: {exc.reason}"
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss, "outcome": outcome}))
"""


def run_case(path: Path, timeout: float) -> dict[str, object]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=Path(__file__).resolve().parent.parent,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - started, "rss_mb": 0.0, "outcome": "TIMEOUT"}
    if done.returncode != 0:
        return {"seconds": 0.0, "rss_mb": 0.0, "outcome": f"CRASH: {done.stderr[-300:]}"}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="importer time and memory on hostile files")
    parser.add_argument("cases", nargs="*", choices=[[], *CASES], default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    names = args.cases or list(CASES)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'case':14} {'MB':>5} {'seconds':>8} {'peak RSS':>9}  outcome")
        for name in names:
            path = Path(tmp) / f"{name}.md"
            path.write_text(CASES[name](), encoding="utf-8")
            runs = [run_case(path, args.timeout) for _ in range(args.runs)]
            seconds = statistics.median(float(str(r["seconds"])) for r in runs)
            rss = statistics.median(float(str(r["rss_mb"])) for r in runs)
            within = seconds <= 5.0 and 0 < rss <= 300.0
            failed += not within
            size = os.path.getsize(path) / 1e6
            mark = "" if within else "  <-- over 5 s / 300 MB"
            print(f"{name:14} {size:5.1f} {seconds:8.2f} {rss:7.0f} MB  {runs[0]['outcome']}{mark}")
            path.unlink()
    print(f"{len(names) - failed} of {len(names)} within 5 s and 300 MB (median of {args.runs})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
