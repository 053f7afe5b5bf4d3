"""The bot under load: inline queries through the fake Bot API server (loopback only).

    python -m bench.load --db PATH [--seconds 60]

Runs `excerpt-bot run --db PATH` as its own process, polling the fake server in this one.
Phase 1: 20 inline queries a second from 50 users. Phase 2: the same, plus one user flooding
50 a second. Latency is from the update being queued at the fake to the answer arriving.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE, USERS, FLOOD_RATE = 20.0, 50, 50.0
FLOODER = 99_999


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)  # ms, normal users
    sent: int = 0
    flood_sent: int = 0
    flood_answered: int = 0

    @property
    def unanswered(self) -> int:
        return self.sent - len(self.latencies)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def _phase(fake: object, queries: list[str], seconds: float, flood: bool) -> Phase:
    from tests.support.fake_bot_api import FakeTelegram

    assert isinstance(fake, FakeTelegram)
    loop = asyncio.get_running_loop()
    pushed: dict[str, tuple[float, bool]] = {}
    mark = fake.mark()

    async def stream(rate: float, flooder: bool) -> None:
        start, count = loop.time(), 0
        while (now := loop.time()) - start < seconds:
            due = start + count / rate
            if due > now:
                await asyncio.sleep(due - now)
            user = FLOODER if flooder else 20_000 + count % USERS
            query = queries[(count * 7 + (3 if flooder else 0)) % len(queries)][:256]
            update = fake.inline_query(query, user=fake.user(user))
            pushed[update["inline_query"]["id"]] = (loop.time(), flooder)
            count += 1

    streams = [stream(RATE, False)] + ([stream(FLOOD_RATE, True)] if flood else [])
    await asyncio.gather(*streams)
    await asyncio.sleep(3.0)  # answers still in flight
    phase = Phase()
    for _, is_flooder in pushed.values():
        if is_flooder:
            phase.flood_sent += 1
        else:
            phase.sent += 1
    for call in fake.calls[mark:]:
        if call.method != "answerInlineQuery" or call.status != 200:
            continue
        pushed_at, is_flooder = pushed.get(str(call.params.get("inline_query_id")), (0.0, False))
        if not pushed_at:
            continue
        if is_flooder:
            phase.flood_answered += 1
        else:
            phase.latencies.append((call.at - pushed_at) * 1000)
    return phase


async def _load(db: Path, queries: list[str], seconds: float) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from tests.support.fake_bot_api import TOKEN, FakeTelegram

    async with FakeTelegram() as fake:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "PYTHONIOENCODING": "utf-8",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--db", str(db), "--log-level", "warning",
            cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await fake.wait_for("deleteWebhook", timeout=120)  # polling starts next
            await fake.answer_of(fake.inline_query("热身"), timeout=30)
            quiet = await _phase(fake, queries, seconds, flood=False)
            flooded = await _phase(fake, queries, seconds, flood=True)
            peak_mb = _peak_rss_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await process.communicate()
        lines = []
        for name, phase in (("20/s from 50 users", quiet), ("same + 1 user at 50/s", flooded)):
            t = phase.latencies or [0.0]
            lines.append(
                f"{name}: {phase.sent} queries, p50 {statistics.median(t):.1f} ms, "
                f"p99 {_percentile(t, 0.99):.1f} ms, max {max(t):.1f} ms, "
                f"unanswered {phase.unanswered}"
            )
        rate = flooded.flood_answered / seconds
        ratio = _percentile(flooded.latencies, 0.99) / max(_percentile(quiet.latencies, 0.99), 1e-9)
        lines.append(
            f"flooder: {flooded.flood_answered}/{flooded.flood_sent} answered "
            f"({rate:.1f}/s); others' p99 with the flooder: {ratio:.2f}× without"
        )
        if peak_mb is not None:
            lines.append(f"bot peak RSS: {peak_mb:.0f} MB")
        if fake.violations:
            lines.append(f"VIOLATIONS of Telegram's rules: {fake.violations[:3]}")
        if process.returncode:
            lines.append(f"bot exited {process.returncode}: {stderr.decode()[-500:]}")
        return lines


def _peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), while it still runs; None off Linux."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def load_test(db: Path, queries: list[str], seconds: float) -> list[str]:
    return asyncio.run(_load(db, queries, seconds))


def main(argv: list[str] | None = None) -> int:
    import yaml

    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    queries = [
        str(q["q"])
        for name in ("dev", "extra", "blind")
        for q in yaml.safe_load((ROOT / "tests" / "data" / f"{name}-queries.yaml").read_text())
    ]
    for line in load_test(args.db, queries, args.seconds):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
