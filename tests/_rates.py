"""The steady rate of a run of rate-limited sends, from the times they left.

Shared by the fleet's figures (``tests/integration/_fleet.py``) and the bulk benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["steady_rate"]


def steady_rate(times: Sequence[float], limit: int) -> float:
    """Sends per second a run kept, from the sorted times of its sends; 0.0 if it cannot tell.

    A limiter with a window ``w`` lets sends out in batches of ``limit`` at most, ``w``
    apart. Counting ``(N - limit) / (last - first)`` misreads that shape: a run that ends
    with a small part of a batch adds a whole window to the span and only a few sends,
    so 11 batches of 10 at 1.05 s and 2 sends more read as 88 % instead of 95 %. Here the
    span is measured over a whole number of batches, ``n = limit x k`` sends, from every
    send that has one ``n`` later (``n / mean(t[i + n] - t[i])``): exact for batches,
    whatever the tail, and the plain average rate when sends are spread out.
    """
    count = len(times)
    if count <= limit:
        return 0.0
    n = limit * ((count - 1) // limit)
    spans = [times[i + n] - times[i] for i in range(count - n)]
    mean = sum(spans) / len(spans)
    return n / mean if mean > 0 else 0.0
