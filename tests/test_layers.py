"""Data flows one way: corpus -> indexer/store -> search -> render -> handlers -> app -> serve
-> cli. Read from the source: no module imports one further along that line, and no import
circle, counting imports inside functions and under TYPE_CHECKING too."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "bot"

# The line, as ranks. A module may import its own rank and below. Not listed: the
# foundations every layer may use (models, text, config, i18n, daily, metrics, throttle,
# logs, dbthread), which may only import each other.
RANKS = {
    "bot.corpus": 1,
    "bot.store": 2,
    "bot.state_store": 2,
    "bot.indexer": 2,
    "bot.reload": 2,
    "bot.query": 3,
    "bot.search": 3,
    "bot.render": 4,
    "bot.callbacks": 4,
    "bot.handlers": 5,
    "bot.app": 6,
    "bot.serve": 7,
    "bot.arguments": 8,
    "bot.cli": 8,
    "bot.__main__": 9,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def rank(module: str) -> int:
    for prefix, value in RANKS.items():
        if module == prefix or module.startswith(prefix + "."):
            return value
    return 0


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """Every bot module `module` imports, wherever the import statement is."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known and name != module}


def test_nothing_imports_upward_and_there_is_no_circle() -> None:
    found = modules()
    known = set(found)
    graph = {name: imports_of(name, path, known) for name, path in found.items()}
    upward = [
        f"{name} (rank {rank(name)}) imports {target} (rank {rank(target)})"
        for name, targets in graph.items()
        for target in sorted(targets)
        if rank(target) > rank(name) and not name.startswith(target + ".")
    ]
    assert upward == []

    def circle_from(start: str) -> list[str] | None:
        path: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> list[str] | None:
            if name in path:
                return [*path[path.index(name) :], name]
            if name in seen:
                return None
            seen.add(name)
            path.append(name)
            for target in sorted(graph[name]):
                # A package's __init__ re-exporting its own modules is not a circle.
                if target.startswith(name + ".") or name.startswith(target + "."):
                    continue
                if (found_circle := visit(target)) is not None:
                    return found_circle
            path.pop()
            return None

        return visit(start)

    circles = [c for name in sorted(graph) if (c := circle_from(name)) is not None]
    assert circles == []


def test_the_check_sees_a_real_import_circle(tmp_path: Path) -> None:
    """The parser finds relative, lazy and TYPE_CHECKING imports (so the test can fail)."""
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.cli import main\n"
        "def later() -> None:\n    from . import serve\n"
    )
    module = tmp_path / "bot" / "render.py"
    module.parent.mkdir()
    module.write_text(source, encoding="utf-8")
    assert imports_of("bot.render", module, {"bot.cli", "bot.serve", "bot.app"}) == {
        "bot.cli",
        "bot.serve",
    }
