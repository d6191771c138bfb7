"""Latency statistics of a load run: nearest-rank percentiles and requests per second."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], percent: float) -> float:
    """The nearest-rank ``percent`` percentile of ``values``: the smallest value such that at
    least ``percent`` % of the values are less than or equal to it (p100 is the maximum).

    >>> percentile([15, 20, 35, 40, 50], 40)
    20
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < percent <= 100:
        raise ValueError("percent must be in (0, 100]")
    ordered = sorted(values)
    rank = math.ceil(percent / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class Summary:
    """What one scenario at one concurrency measured (latencies in milliseconds)."""

    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def summarize(latencies_ms: Sequence[float], *, errors: int, seconds: float) -> Summary:
    """Summarise the latencies of the completed requests (failed ones included: a slow error is
    still a slow answer) measured over ``seconds`` of wall-clock time."""
    if not latencies_ms:
        return Summary(0, errors, seconds, math.nan, math.nan, math.nan)
    return Summary(
        requests=len(latencies_ms),
        errors=errors,
        seconds=seconds,
        p50=percentile(latencies_ms, 50),
        p95=percentile(latencies_ms, 95),
        p99=percentile(latencies_ms, 99),
    )
