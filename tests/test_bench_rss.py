"""The scale bench's memory figures are the measured command's own."""

from __future__ import annotations

import math
import sys

from bench.scale import run_measured


def test_a_commands_peak_memory_is_its_own_not_the_size_of_the_bench_that_started_it() -> None:
    # Linux starts a child's ru_maxrss at the size of the process that forked it: a bench
    # that had just built a large corpus reported its own size for every command it ran.
    ballast = bytearray(300 * 1024 * 1024)
    for page in range(0, len(ballast), 4096):
        ballast[page] = 1
    child = "x = bytearray(40 * 2**20)\nfor i in range(0, len(x), 4096): x[i] = 1\n"
    run = run_measured([sys.executable, "-c", child + "import time; time.sleep(0.2)"])
    assert run.returncode == 0
    assert 40 < run.peak_mb < 150, run.peak_mb
    # One that ends before it can be sampled has no figure, rather than the bench's size.
    for _ in range(5):
        quick = run_measured(["true"])
        assert math.isnan(quick.peak_mb) or quick.peak_mb < 50, quick.peak_mb
    del ballast
