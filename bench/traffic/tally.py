"""Every answer of the traffic run, counted per kind of request, and their table."""

from __future__ import annotations

import statistics
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

NO_ANSWER = 0  # the status recorded when the connection failed or timed out


@dataclass
class KindTally:
    """The statuses and latencies of one kind of request."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)


class Tally:
    """Counts answers from many threads at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.kinds: dict[str, KindTally] = {}

    def record(self, kind: str, status: int, milliseconds: float) -> None:
        with self._lock:
            tally = self.kinds.setdefault(kind, KindTally())
            tally.statuses[status] += 1
            tally.latencies_ms.append(milliseconds)

    def statuses(self) -> dict[str, Counter[int]]:
        """A copy of the statuses per kind."""
        with self._lock:
            return {kind: Counter(tally.statuses) for kind, tally in self.kinds.items()}


def failed_answers(statuses: Mapping[str, Counter[int]]) -> int:
    """Answers with a 5xx status, and requests that got no answer at all."""
    return sum(
        count
        for counter in statuses.values()
        for status, count in counter.items()
        if status >= 500 or status == NO_ANSWER
    )


def limits_that_did_not_fire(statuses: Mapping[str, Counter[int]], prefix: str) -> list[str]:
    """The kinds named `prefix…` (deliberate abuse) that never got a 429."""
    return [
        f"{kind} got no 429: {dict(counter)}"
        for kind, counter in sorted(statuses.items())
        if kind.startswith(prefix) and not counter[429]
    ]


def _percentile(values: Sequence[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[percent - 1]


def requests_table(tally: Tally, seconds: float) -> str:
    """One Markdown row per kind: requests, answers by class, latency p50 and p95."""
    lines = [
        "| requests | count | 2xx/3xx | 4xx | of which 429 | 5xx or none | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    total: Counter[int] = Counter()
    for kind in sorted(tally.kinds):
        statuses, latencies = tally.kinds[kind].statuses, tally.kinds[kind].latencies_ms
        total += statuses
        lines.append(_row(kind, statuses, latencies))
    every = [value for tally_of in tally.kinds.values() for value in tally_of.latencies_ms]
    lines.append(_row("**all**", total, every))
    lines.append("")
    lines.append(
        f"{sum(total.values())} requests in {seconds:.0f} s: "
        f"{sum(total.values()) / seconds:.1f} per second"
    )
    return "\n".join(lines)


def _row(kind: str, statuses: Counter[int], latencies: Sequence[float]) -> str:
    fine = sum(count for status, count in statuses.items() if 200 <= status < 400)
    refused = sum(count for status, count in statuses.items() if 400 <= status < 500)
    failed = failed_answers({kind: statuses})
    cells = [kind, sum(statuses.values()), fine, refused, statuses[429], failed]
    cells += [f"{_percentile(latencies, 50):.0f}", f"{_percentile(latencies, 95):.0f}"]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"
