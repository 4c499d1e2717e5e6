"""The site benchmark's table: per page, requests/s, p50, p99, queries and the ratio to the
minimal app, each the median of the rounds with their range.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.load import Measurement
from bench.routes import Route
from bench.servers import WorkerMemory


@dataclass
class RouteResult:
    """Every round of one page, each paired with the minimal app's run just before it."""

    route: Route
    queries: int | None
    rounds: list[tuple[Measurement, Measurement]] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [
            page.requests_per_second / minimal.requests_per_second
            for page, minimal in self.rounds
            if minimal.requests_per_second
        ]

    @property
    def failures(self) -> int:
        return sum(page.failures for page, _ in self.rounds)


def _spread(values: Sequence[float], pattern: str) -> str:
    middle = statistics.median(values)
    if len(values) == 1:
        return pattern.format(middle)
    return f"{pattern.format(middle)} ({pattern.format(min(values))}–{pattern.format(max(values))})"


def verdict(result: RouteResult) -> str:
    """Whether the median ratio meets the page's target."""
    target = result.route.target
    if target is None:
        return ""
    return "met" if statistics.median(result.ratios) >= target else "NOT MET"


def table(results: Sequence[RouteResult]) -> str:
    """The results as a Markdown table, ready for the README."""
    lines = [
        "| page | req/s | p50 ms | p99 ms | queries | ratio to minimal | target | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        pages = [page for page, _ in result.rounds]
        target = result.route.target
        lines.append(
            "| "
            + " | ".join(
                [
                    result.route.label,
                    _spread([page.requests_per_second for page in pages], "{:.0f}"),
                    _spread([page.p50_ms for page in pages], "{:.1f}"),
                    _spread([page.p99_ms for page in pages], "{:.1f}"),
                    "–" if result.queries is None else str(result.queries),
                    _spread(result.ratios, "{:.2f}"),
                    f"≥ {target:.2f}" if target is not None else "–",
                    verdict(result) + (f", {result.failures} failed" if result.failures else ""),
                ]
            )
            + " |"
        )
    minimal = [minimal.requests_per_second for result in results for _, minimal in result.rounds]
    lines.append("")
    lines.append(f"minimal app: {_spread(minimal, '{:.0f}')} req/s over all its runs")
    return "\n".join(lines)


def memory_line(name: str, workers: Sequence[WorkerMemory]) -> str:
    """One server's workers' memory after the rounds, as the README records it."""
    if not workers:
        return f"{name}: workers' memory not readable here (/proc is Linux's)"
    resident = ", ".join(f"{worker.resident:.0f}" for worker in workers)
    shared = ", ".join(f"{worker.proportional:.0f}" for worker in workers)
    return f"{name}: each worker {resident} MiB resident, {shared} MiB its own share (PSS)"
