"""Longest files first: the order in which the xdist scheduler hands out test files."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from tests._schedule import CACHE_KEY, LongestFirst, estimate

NEEDS = {"cli": ("server",), "maintainer": ("slow",)}


class _Cache:
    def __init__(self, recorded: dict[str, float]) -> None:
        self.recorded = recorded

    def get(self, key: str, default: Any) -> Any:
        return self.recorded if key == CACHE_KEY else default


class _Config:
    """What the scheduler reads of pytest's config: two workers, and the cache."""

    def __init__(self, recorded: dict[str, float]) -> None:
        self.cache = _Cache(recorded)

    def getvalue(self, name: str) -> Any:
        assert name == "tx", name
        return ["2*popen"]


class _Worker:
    def __init__(self) -> None:
        self.sent: list[list[int]] = []

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.sent.append(indexes)


def _handed_out(recorded: dict[str, float], files: dict[str, int]) -> list[str]:
    """The files in the order ``LongestFirst`` hands them to one worker."""
    collection = [f"{file}::test_{n}" for file, tests in files.items() for n in range(tests)]
    scheduler = LongestFirst(_Config(recorded), None, NEEDS)  # type: ignore[arg-type]
    worker = _Worker()
    scheduler.registered_collections[worker] = collection
    scheduler.workqueue = OrderedDict(
        (file, {f"{file}::test_{n}": False for n in range(tests)}) for file, tests in files.items()
    )
    order = []
    while scheduler.workqueue:
        scheduler._assign_work_unit(worker)
        order.append(collection[worker.sent[-1][0]].split("::")[0])
    return order


def test_the_file_that_took_longest_last_time_goes_first() -> None:
    files = {"tests/a/test_many.py": 40, "tests/a/test_one.py": 1, "tests/a/test_some.py": 5}
    recorded = {"tests/a/test_one.py": 40.0, "tests/a/test_some.py": 3.0}
    assert _handed_out(recorded, files) == [
        "tests/a/test_one.py",  # one test, but 40 s: xdist's own order would start it last
        "tests/a/test_some.py",
        "tests/a/test_many.py",  # no record: 40 tests x 0.05 s
    ]


def test_without_a_record_a_layer_of_servers_goes_before_many_quick_tests() -> None:
    files = {
        "tests/overlays/test_quick.py": 60,
        "tests/maintainer/test_guard.py": 3,
        "tests/cli/test_commands.py": 2,
    }
    assert _handed_out({}, files) == [
        "tests/cli/test_commands.py",
        "tests/maintainer/test_guard.py",
        "tests/overlays/test_quick.py",
    ]
    assert estimate("tests/cli/test_commands.py", 2, NEEDS) == 10.0
    assert estimate("tests/test_top.py", 2, NEEDS) == 0.1  # a file directly under tests/
