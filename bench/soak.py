"""Soak: a steady mix of updates through the fake Bot API server for minutes on end.

    python -m bench.soak [--db PATH] [--minutes 10] [--rate 10]

Runs `excerpt-bot run` as its own process (polling the fake in this one) and sends `--rate`
updates a second: searches in private chats, inline queries, paging buttons and /random.
Prints the bot's RSS and open file descriptors (from /proc) after a warm-up (a minute) and
at the end, and how many updates went unanswered. Loopback only; bounded by --minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def _soak(db: Path, minutes: float, rate: float, warm_up: float) -> list[str]:
    sys.path.insert(0, str(ROOT))
    import yaml

    from tests.support.fake_bot_api import TOKEN, FakeTelegram
    from tests.support.harness import find_button

    queries = [
        str(q["q"])
        for name in ("dev", "extra", "blind")
        for q in yaml.safe_load((ROOT / "tests" / "data" / f"{name}-queries.yaml").read_text())
    ]
    async with FakeTelegram() as fake:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--db", str(db), "--log-level", "warning",
            cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        pending: list[dict[str, Any]] = []
        answered = sent = 0
        last_reply: dict[str, Any] | None = None
        figures: dict[str, tuple[float, int]] = {}
        try:
            await fake.wait_for("deleteWebhook", timeout=120)
            started = time.monotonic()
            count = 0
            while (elapsed := time.monotonic() - started) < minutes * 60:
                if "warm" not in figures and elapsed >= warm_up:
                    figures["warm"] = (_rss_mb(process.pid), _fds(process.pid))
                due = started + count / rate
                if due > time.monotonic():
                    await asyncio.sleep(due - time.monotonic())
                user = fake.user(50_000 + count % 200)
                kind = count % 5
                query = queries[count % len(queries)]
                if kind in (0, 1):
                    update = fake.message(query, user=user)
                elif kind == 2:
                    update = fake.inline_query(query, user=user)
                elif kind == 3 and last_reply is not None and last_reply.get("reply_markup"):
                    try:
                        data = find_button(last_reply, "counter", n=1)["callback_data"]
                    except AssertionError:
                        data = None
                    if data is None:
                        update = fake.message("/random", user=user)
                    else:
                        update = fake.callback(data, message=last_reply, user=user)
                else:
                    update = fake.message("/random", user=user)
                pending.append(update)
                sent += 1
                count += 1
                # Collect answers in batches so the loop keeps its rate.
                if len(pending) >= 20:
                    for item in pending:
                        try:
                            call = await fake.answer_of(item, timeout=10)
                        except AssertionError:
                            continue
                        answered += 1
                        if call.method == "sendMessage" and isinstance(call.result, dict):
                            last_reply = call.result
                    pending.clear()
            for item in pending:
                try:
                    await fake.answer_of(item, timeout=10)
                    answered += 1
                except AssertionError:
                    pass
            figures["end"] = (_rss_mb(process.pid), _fds(process.pid))
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await process.communicate()
        warm_rss, warm_fds = figures.get("warm", figures["end"])
        end_rss, end_fds = figures["end"]
        lines = [
            f"soak: {minutes:g} min at {rate:g} updates/s: {sent} sent, {answered} answered, "
            f"{sent - answered} unanswered",
            f"bot RSS after warm-up {warm_rss:.1f} MB, at the end {end_rss:.1f} MB "
            f"(growth {end_rss - warm_rss:+.1f} MB)",
            f"open file descriptors after warm-up {warm_fds}, at the end {end_fds}",
            f"violations of Telegram's rules: {len(fake.violations)}; bot exit code "
            f"{process.returncode}",
        ]
        if process.returncode:
            lines.append(stderr.decode()[-1000:])
        return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--db", type=Path, help="database (default: the shipped corpus)")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--warm-up", type=float, default=60.0, help="seconds before measuring")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            import subprocess

            db = Path(tmp) / "soak.db"
            subprocess.run(
                [sys.executable, "-m", "bot", "index", "--db", str(db), str(ROOT / "corpus")],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
        for line in asyncio.run(_soak(db, args.minutes, args.rate, args.warm_up)):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
