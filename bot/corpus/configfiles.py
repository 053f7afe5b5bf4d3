"""Reading site generators' config files: YAML, TOML, JSON, and the literal parts of JS/TS.

Every reader is bounded in size and never runs anything: YAML through `safe_load`, TOML
through `tomllib`, and a VitePress `config.ts` is never executed (there is no Node at run
time), only scanned for `key: 'literal'` pairs, which is how nearly every config writes the
few settings a URL depends on (`base`, `cleanUrls`, `srcDir`, `sitemap.hostname`).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

from bot.corpus.errors import CorpusConfigError

MAX_CONFIG_BYTES = 1_000_000


def read_text(path: Path) -> str:
    """The file as text; CorpusConfigError if it cannot be read, is too big or not UTF-8."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise CorpusConfigError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise CorpusConfigError(str(path), f"larger than {MAX_CONFIG_BYTES} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CorpusConfigError(str(path), "not valid UTF-8") from None


def read_mapping(path: Path) -> dict[str, object]:
    """A YAML, TOML or JSON config file (by its suffix) as a mapping; {} when it is empty.

    Raises CorpusConfigError, naming the file, for anything that is not a readable mapping.
    """
    text = read_text(path)
    suffix = path.suffix.lower()
    data: object
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text) if text.strip() else None
        else:
            data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CorpusConfigError(str(path), f"invalid YAML{where}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusConfigError(str(path), f"invalid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CorpusConfigError(str(path), f"invalid JSON at line {exc.lineno}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise CorpusConfigError(str(path), f"invalid value: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CorpusConfigError(str(path), "expected a mapping of settings")
    return {str(key): value for key, value in data.items()}


def lower_keys(data: object) -> object:
    """Hugo's config keys are case-insensitive (`baseURL` = `baseurl`): fold them, deeply."""
    if isinstance(data, dict):
        return {str(k).lower(): lower_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [lower_keys(v) for v in data]
    return data


def text_value(data: object, *keys: str) -> str | None:
    """The string (or number) at data[keys[0]][keys[1]]...; None if absent or another type."""
    value = data
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def bool_value(data: object, *keys: str) -> bool | None:
    value = data
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, bool) else None


# `key: 'value'`, `key: "value"`, `key: \`value\``, `key: true`; comments removed first.
_JS_PAIR = re.compile(
    r"""(?<![\w$.])["']?(?P<key>[A-Za-z_$][\w$]*)["']?\s*:\s*"""
    r"""(?:'(?P<s1>[^'\\\n]*)'|"(?P<s2>[^"\\\n]*)"|`(?P<s3>[^`\\$]*)`|(?P<b>true|false)\b)"""
)
# A comment, or a literal to step over: a string (`/**/` inside 'tutorial/**/description.md'
# is part of a glob, not a comment: VitePress srcExclude) or a regular expression (VitePress's
# own slugify pattern, copied into many configs, holds ` " and ': read as the start of a
# string, it hid the comments after it). A `/` after a value (a name, a number, `)` or `]`)
# divides; anywhere else it starts a regular expression, which ends on its line.
_JS_COMMENT = re.compile(
    r"""(?P<keep>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`"""
    r"""|(?<![\w$)\]])(?<![\w$)\]]\s)(?<![\w$)\]]\s\s)"""
    r"""/(?![/*])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[a-z]*)"""
    r"|/\*.*?\*/|(?<![:\\\w])//[^\n]*",
    re.DOTALL,
)
_JS_LIST = re.compile(
    r"""(?<![\w$.])(?P<key>[A-Za-z_$][\w$]*)\s*:\s*\[(?P<items>[^\]]{0,2000})\]"""
)
_JS_STRING = re.compile(r"""'([^'\\\n]*)'|"([^"\\\n]*)\"""")


_JS_CONST = re.compile(
    r"""\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::\s*\w+\s*)?=\s*"""
    r"""(?:'(?P<s1>[^'\\\n]*)'|"(?P<s2>[^"\\\n]*)"|`(?P<s3>[^`\\$]*)`)"""
)
_JS_NAMED = re.compile(
    r"""(?<![\w$.])(?P<key>[A-Za-z_$][\w$]*)\s*:\s*(?P<name>[A-Za-z_$][\w$]*)\b"""
)
_JS_OBJECT = re.compile(
    r"""(?<![\w$.])(?P<key>[A-Za-z_$][\w$]*)\s*:\s*\{(?P<body>[^{}]{0,5000})\}"""
)
_JS_STRING_PAIR = re.compile(
    r"""(?:'(?P<k1>[^'\\\n]*)'|"(?P<k2>[^"\\\n]*)")\s*:\s*(?:'(?P<v1>[^'\\\n]*)'|"(?P<v2>[^"\\\n]*)")"""
)


def _without_comments(text: str) -> str:
    return _JS_COMMENT.sub(lambda m: m.group("keep") or "", text)


def js_literals(text: str) -> dict[str, list[str]]:
    """Every `key: literal` in a JS/TS file, in order: key -> values as strings
    ("true"/"false" for booleans); `key: NAME` counts too when `const NAME = 'literal'`.
    Keys are not scoped: callers prefer keys that only mean one thing (`cleanUrls`), or use
    `js_top_level` for those that do not (`base`)."""
    text = _without_comments(text[:MAX_CONFIG_BYTES])
    found: dict[str, list[str]] = {}
    for match in _JS_PAIR.finditer(text):
        value = next(v for v in match.group("s1", "s2", "s3", "b") if v is not None)
        found.setdefault(match.group("key"), []).append(value)
    constants = {
        m.group("name"): next(v for v in m.group("s1", "s2", "s3") if v is not None)
        for m in _JS_CONST.finditer(text)
    }
    for match in _JS_NAMED.finditer(text):
        name = match.group("name")
        if name in constants and name not in ("true", "false"):
            found.setdefault(match.group("key"), []).append(constants[name])
    return found


def js_top_level(text: str, key: str) -> str | None:
    """The first `key: 'literal'` indented at most four spaces: a setting of the config
    object itself, not of a sidebar or nav entry deeper in (`base` means both)."""
    pattern = re.compile(
        r"^[ \t]{0,4}" + re.escape(key) + r"""\s*:\s*(?:'([^'\n]*)'|"([^"\n]*)")""", re.M
    )
    match = pattern.search(_without_comments(text[:MAX_CONFIG_BYTES]))
    return (
        None
        if match is None
        else (match.group(1) if match.group(1) is not None else match.group(2))
    )


def js_string_maps(text: str) -> dict[str, list[tuple[str, str]]]:
    """`key: { 'a': 'b', "c": "d" }` objects of string pairs (VitePress `rewrites`)."""
    text = _without_comments(text[:MAX_CONFIG_BYTES])
    found: dict[str, list[tuple[str, str]]] = {}
    for match in _JS_OBJECT.finditer(text):
        pairs = [
            (
                m.group("k1") if m.group("k1") is not None else m.group("k2") or "",
                m.group("v1") if m.group("v1") is not None else m.group("v2") or "",
            )
            for m in _JS_STRING_PAIR.finditer(match.group("body"))
        ]
        if pairs:
            found.setdefault(match.group("key"), []).extend(pairs)
    return found


def js_string_lists(text: str) -> dict[str, list[str]]:
    """`key: ['a', "b"]` arrays of string literals (for `srcExclude`)."""
    text = _without_comments(text[:MAX_CONFIG_BYTES])
    found: dict[str, list[str]] = {}
    for match in _JS_LIST.finditer(text):
        items = [a or b for a, b in _JS_STRING.findall(match.group("items"))]
        found.setdefault(match.group("key"), []).extend(items)
    return found
