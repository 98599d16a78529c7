"""Longest files first: the order in which pytest-xdist hands out test files.

``--dist loadfile`` hands out whole files, by default the ones with most tests first, so a
file of one long test (the contract run, a killed-and-resumed import) starts last and leaves
the other worker idle at the end. ``LongestFirst`` hands out the file expected to take
longest instead: what it took in the last run on this machine (kept in pytest's cache), or,
with no record, an estimate from its layer's needs and its number of tests. The order
changes only when files start, never which tests run.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

__all__ = ["CACHE_KEY", "LongestFirst", "estimate"]

CACHE_KEY = "chatapi/file-seconds"
"""pytest's cache entry: each test file's summed test durations in the last run."""

SECONDS_PER_TEST = {"server": 5.0, "slow": 2.0}
"""With no record: a guess per test, by the most demanding need of the file's layer."""
DEFAULT_SECONDS_PER_TEST = 0.05


def estimate(file: str, tests: int, layer_needs: Mapping[str, tuple[str, ...]]) -> float:
    """Seconds a file of ``tests`` tests is guessed to take, from its layer's needs."""
    parts = file.split("/")
    layer = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
    rates = [
        SECONDS_PER_TEST[need] for need in layer_needs.get(layer, ()) if need in SECONDS_PER_TEST
    ]
    return tests * max(rates, default=DEFAULT_SECONDS_PER_TEST)


class LongestFirst(LoadFileScheduling):  # type: ignore[misc]  # xdist ships no types
    """``--dist loadfile``, handing out the file expected to take longest first."""

    def __init__(
        self,
        config: pytest.Config,
        log: object,
        layer_needs: Mapping[str, tuple[str, ...]],
    ) -> None:
        super().__init__(config, log)
        cache = getattr(config, "cache", None)  # None under -p no:cacheprovider
        recorded = cache.get(CACHE_KEY, {}) if cache is not None else {}
        self._recorded: dict[str, float] = recorded if isinstance(recorded, dict) else {}
        self._layer_needs = layer_needs

    def _cost(self, file: str) -> float:
        recorded = self._recorded.get(file)
        if isinstance(recorded, int | float):
            return float(recorded)
        return estimate(file, len(self.workqueue[file]), self._layer_needs)

    def _assign_work_unit(self, node: object) -> None:
        longest = max(self.workqueue, key=self._cost)
        self.workqueue.move_to_end(longest, last=False)
        super()._assign_work_unit(node)
