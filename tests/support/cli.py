"""Running `excerpt-bot` commands: in this process (`main([...])`, output captured), or as a
real `python -m bot` process for the few contracts only a process can show."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True, slots=True)
class CliRun:
    """What a command did, as a user sees it."""

    returncode: int
    stdout: str
    stderr: str


class Cli(Protocol):
    def __call__(
        self,
        *args: str,
        home: Path,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
    ) -> CliRun: ...


def in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`excerpt-bot ARGS` as `main(ARGS)`: the user's data folder under `home`, no database or
    corpus from the caller's environment, run from `cwd` (the source tree by default)."""

    def run(
        *args: str,
        home: Path,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
    ) -> CliRun:
        with monkeypatch.context() as patch:
            patch.setenv("XDG_DATA_HOME", str(home / "data"))
            for name in ("EXCERPT_BOT_DB", "EXCERPT_BOT_CORPUS"):
                patch.delenv(name, raising=False)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.chdir(cwd)
            if stdin is not None:
                patch.setattr(sys, "stdin", io.StringIO(stdin))
            capsys.readouterr()  # only this command's output
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, --version, a usage error
                code = exc.code if isinstance(exc.code, int) else 1
            captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


def as_process(
    *args: str,
    home: Path,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
) -> CliRun:
    """`python -m bot ARGS` in a real process, with the same environment as `in_process`."""
    environ = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "PYTHONIOENCODING": "utf-8"}
    for name in ("EXCERPT_BOT_DB", "EXCERPT_BOT_CORPUS"):
        environ.pop(name, None)
    environ.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environ,
        cwd=cwd,
        timeout=120,
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr)
