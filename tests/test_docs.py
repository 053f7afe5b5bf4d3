"""What the README and the bot's words say agrees with the code: every setting with its
default, every module in the layout, every i18n key used and every used key there."""

from __future__ import annotations

import ast
import re

from bot.config import SETTINGS
from bot.i18n import _TEXTS, LANGUAGES

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BOT = ROOT / "bot"


def test_the_readme_lists_every_setting_with_its_default() -> None:
    rows = [line.replace("`", "") for line in README.splitlines() if line.startswith("| `")]
    for setting in SETTINGS:
        row = next((r for r in rows if re.search(rf"\b{setting.env}\b", r.split("|")[1])), None)
        assert row is not None, f"{setting.env} is not in the README's settings table"
        assert setting.default in row.split("|")[2], (setting.env, setting.default, row)


def test_the_readme_layout_names_every_module_and_only_real_ones() -> None:
    layout = README[README.index("## Layout") :]
    block = layout[layout.index("```\nbot/") : layout.index("```", layout.index("```") + 3)]
    package = block[: block.index("\ntests/")]
    named = set(re.findall(r"\b(\w+\.py)\b", package))
    modules = {p.name for p in BOT.glob("*.py")} - {"__init__.py", "__main__.py"}
    packages = {p.name for d in ("handlers", "store", "search") for p in (BOT / d).glob("*.py")}
    packages -= {"__init__.py"}
    assert modules | packages <= named, sorted(modules | packages - named)
    assert named <= modules | packages, sorted(named - modules - packages)
    flow = layout[: layout.index("```")]
    for step in ("corpus", "indexer", "store", "search", "render", "handlers", "app", "serve"):
        assert f"bot/{step}" in flow, step


def test_every_word_is_used_and_every_word_used_exists() -> None:
    literals: set[str] = set()
    asked: set[str] = set()
    for path in BOT.rglob("*.py"):
        if path.name == "i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                asked.add(str(node.args[1].value))
    assert asked <= set(_TEXTS), sorted(asked - set(_TEXTS))
    unused = sorted(key for key in _TEXTS if key not in literals)
    assert unused == []
    for key, texts in _TEXTS.items():
        assert set(texts) == set(LANGUAGES), key
