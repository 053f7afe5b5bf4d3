"""Running `excerpt-bot run` as a real process against the fake Bot API, as a user would."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from .fake_bot_api import TOKEN, FakeTelegram

ROOT = Path(__file__).resolve().parent.parent.parent


async def start_process(
    fake: FakeTelegram,
    home: Path,
    *args: str,
    env: dict[str, str] | None = None,
    meaning: bool = False,
) -> asyncio.subprocess.Process:
    """`excerpt-bot run ARGS` against `fake`, its data under `home`. Without `meaning` the
    process neither builds nor loads the meaning index (EXCERPT_BOT_MEANING=off): that build
    and the model's loading cost seconds per process, and only tests about serving use this;
    tests/test_meaning.py covers meaning, and one process test keeps it on."""
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EXCERPT_BOT", "WEBHOOK"))},
        "XDG_DATA_HOME": str(home),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "PYTHONIOENCODING": "utf-8",
        "EXCERPT_BOT_MEANING": "on" if meaning else "off",
        **(env or {}),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=ROOT,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_process(process: asyncio.subprocess.Process) -> tuple[int, float, str]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode is not None
    return process.returncode, time.monotonic() - started, stderr.decode()
