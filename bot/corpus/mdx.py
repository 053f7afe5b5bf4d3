"""MDX (Markdown with JSX, as Next.js, Docusaurus and Astro sites write posts): what is not
prose is taken out before the Markdown is read, line for line, so line numbers still hold.

    lines = strip_mdx(lines)

Taken out: `import` and `export` statements (ES modules, at the start of a line outside code
fences, running on while their brackets are open) and JSX comments `{/* … */}`. A component
on its own lines (`<Callout type="warning">` … `</Callout>`) is an HTML block to the Markdown
reader, which keeps its prose and drops its tags, as for HTML in a .md file.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ESM = re.compile(r"^(?:import|export)\s")
_COMMENT = re.compile(r"\{\s*/\*.*?\*/\s*\}", re.DOTALL)
_OPENING = str.maketrans("", "", "([{")
_CLOSING = str.maketrans("", "", ")]}")


def _depth_change(line: str) -> int:
    """How many more brackets the line opens than it closes (strings are not told apart:
    a statement's brackets are what keeps it going, and they are rarely in its strings)."""
    opened = len(line) - len(line.translate(_OPENING))
    closed = len(line) - len(line.translate(_CLOSING))
    return opened - closed


def strip_mdx(lines: list[str]) -> list[str]:
    """The body's lines with MDX's statements and comments blanked (see the module doc)."""
    out = list(lines)
    fence: str | None = None
    depth = 0  # brackets still open in an import or export being blanked
    for index, line in enumerate(lines):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        if depth > 0:
            out[index] = ""
            depth += _depth_change(line)
            continue
        opened = _FENCE.match(line)
        if opened:
            fence = opened.group(1)
            continue
        if _ESM.match(line):
            out[index] = ""
            depth = max(0, _depth_change(line))
    text = "\n".join(out)
    if "/*" in text:
        # A comment may span lines: each of its lines is kept, empty, so lines still count.
        text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return text.split("\n")
