"""The one timing helper every benchmark prints with."""

import statistics
import time
from collections.abc import Callable


def timed(label: str, run: Callable[[], object], repeat: int) -> list[float]:
    """Run `run` `repeat` times; print and return the durations (seconds), median and p95 in ms."""
    durations = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        durations.append(time.perf_counter() - began)
    ordered = sorted(durations)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    median = statistics.median(durations)
    print(f"{label:<40} median {median * 1000:8.2f} ms   p95 {p95 * 1000:8.2f} ms")
    return durations
