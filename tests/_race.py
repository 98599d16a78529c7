"""Threads that start together: the race an atomic rate-limit store must not lose."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["admitted_by_racing_threads"]


def admitted_by_racing_threads(admit: Callable[[], bool], *, threads: int, tries: int) -> int:
    """How many of ``tries`` calls of ``admit`` from each of ``threads`` threads returned True.

    The threads start at one barrier, so their calls overlap as much as the machine allows.
    """
    start = threading.Barrier(threads)
    admitted: list[int] = []

    def race() -> None:
        start.wait()
        admitted.append(sum(admit() for _ in range(tries)))

    workers = [threading.Thread(target=race) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(admitted)
