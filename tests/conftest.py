"""Markers and the per-layer summary shared by every test layer.

A layer is a folder under tests/. Every test is marked with its layer's name (``-m overlays``,
``-m "not conformance"``), so a new file, or a new folder, is covered without an edit here.
Three more markers say what a test needs beyond Python, and pick what `make check` leaves out:

- ``node``: a pinned Node tool from node_modules (Spectral, Redocly, Prism, tsc, n8n);
- ``server``: a server process or system service (redis-server, Prism, a sandbox process
  driven by an outside tool), or tens of seconds of real time;
- ``slow``: seconds of CPU per test (a whole regeneration, a wheel build, a cold mypy run,
  comparing whole descriptions), where `make check` has a quicker step covering the same
  ground or the test guards the release tooling rather than the client.

`make check` runs ``-m "not node and not server and not slow"``; `make test` runs everything.
A layer whose every test needs one is listed in ``LAYER_NEEDS``; a fixture that needs one is
listed in ``FIXTURE_NEEDS`` (every test using it gets the marker); a test marked ``tools``
(it runs a Node CLI) is a ``node`` test; a test may also carry ``slow`` itself.

Under pytest-xdist, `make check` and `make test` run ``-n 2 --dist loadfile``: each file's
tests run on one worker, so a costly fixture shared by a file's tests (a Spectral batch, a
built wheel, a Prism process, the n8n run) is built once, not once per worker. (The finer
``loadgroup`` does not group under pytest 9.2: xdist 3.8 renames a node id that pytest no
longer reads.) A costly fixture belongs in one file, or in a layer's conftest used by one.

Files start longest first (``tests/_schedule.py``): by what each took in the last run, kept
in pytest's cache, so that no long file starts when the other worker is nearly done.

At the end of a run, each layer's tests, outcomes and time are printed, so a slow layer
shows. Under pytest-xdist the controller receives every report, so the table covers all
workers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ._schedule import CACHE_KEY, LongestFirst

TESTS = Path(__file__).resolve().parent

NEEDS_MARKERS = {
    "node": "runs a pinned Node tool from node_modules (`make check` leaves it out)",
    "server": "needs a server process, a system service or long real-time waits "
    "(`make check` leaves it out)",
    "slow": "seconds of CPU per test (`make check` leaves it out)",
}
LAYER_NEEDS: dict[str, tuple[str, ...]] = {
    # The command line, run as a process against a sandbox process with real rate limits.
    "cli": ("server",),
    # The vendor's n8n node (Node) drives a sandbox process.
    "conformance": ("node", "server"),
    # schemathesis sends thousands of requests to a live sandbox (about half a minute).
    "contract": ("server",),
    # redis-server, Prism, fleets of processes, real-time waits.
    "integration": ("server",),
    # The maintainer's tooling (guard, diff, release, spec loop): whole descriptions compared,
    # griffe over a release's archive; `make spec` runs the same guard on the real change.
    "maintainer": ("slow",),
    # The release tooling: each test loads and compares whole descriptions.
    "spec_sharing": ("slow",),
}
FIXTURE_NEEDS: dict[str, tuple[str, ...]] = {
    # `make spec-dist`'s output, built with Redocly.
    "dist_dir": ("node",),
    # A regeneration of the client (`make check` runs the drift check instead).
    "fresh": ("slow",),
    # A wheel of the working tree, built by pip.
    "wheel": ("slow",),
}
MARKER_NEEDS: dict[str, tuple[str, ...]] = {
    "tools": ("node",),
}


def layers() -> list[str]:
    """Every folder under tests/ that holds tests: the layers."""
    return sorted(
        folder.name
        for folder in TESTS.iterdir()
        if folder.is_dir() and any(folder.rglob("test_*.py"))
    )


def layer_of(path: Path) -> str | None:
    """The layer a test file belongs to (None for a file directly under tests/)."""
    relative = path.resolve().relative_to(TESTS)
    return relative.parts[0] if len(relative.parts) > 1 else None


def pytest_configure(config: pytest.Config) -> None:
    for name in layers():
        config.addinivalue_line("markers", f"{name}: a test of the tests/{name} layer")
    for name, meaning in NEEDS_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")
    if not hasattr(config, "workerinput"):  # the xdist controller, or a run without xdist
        config.pluginmanager.register(LayerSummary(config), "layer-summary")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LongestFirst | None:
    """``--dist loadfile`` hands out the longest files first; other modes are xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None
    return LongestFirst(config, log, LAYER_NEEDS)


# First: `-m` deselects by the markers set here.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = layer_of(item.path)
        if layer is None:
            continue
        needs = set(LAYER_NEEDS.get(layer, ()))
        for fixture in getattr(item, "fixturenames", ()):
            needs.update(FIXTURE_NEEDS.get(fixture, ()))
        for marker, implied in MARKER_NEEDS.items():
            if item.get_closest_marker(marker) is not None:
                needs.update(implied)
        for name in [layer, *sorted(needs)]:
            item.add_marker(name)


@dataclass
class _Layer:
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    busy: float = 0.0  # summed setup + call + teardown durations
    start: float = float("inf")
    stop: float = 0.0


class LayerSummary:
    """Counts each layer's outcomes and time; prints one line per layer at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._layers: dict[str, _Layer] = defaultdict(_Layer)
        self._files: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        file = report.nodeid.split("::", 1)[0]
        layer = self._layers[layer_of(TESTS.parent / file) or "(top)"]
        layer.busy += report.duration
        self._files[file] += report.duration
        layer.start = min(layer.start, report.start)
        layer.stop = max(layer.stop, report.stop)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
            layer.outcomes[outcome] += 1
        elif report.when == "teardown" and report.failed:
            layer.outcomes["error"] += 1

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Keep each file's time for the next run's order (a partial run updates its files)."""
        cache = getattr(self._config, "cache", None)  # None under -p no:cacheprovider
        if cache is None or not self._files:
            return
        recorded = cache.get(CACHE_KEY, {})
        kept = recorded if isinstance(recorded, dict) else {}
        cache.set(CACHE_KEY, {**kept, **{f: round(s, 2) for f, s in self._files.items()}})

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self._layers:
            return
        write = terminalreporter.write_line
        terminalreporter.section("per layer")
        write(f"{'layer':<16}{'tests':>7}  {'busy s':>8}  {'span s':>8}  outcomes")
        total = 0
        for name, layer in sorted(self._layers.items()):
            count = sum(layer.outcomes.values())
            total += count
            outcomes = ", ".join(f"{n} {o}" for o, n in sorted(layer.outcomes.items()))
            span = layer.stop - layer.start
            write(f"{name:<16}{count:>7}  {layer.busy:>8.1f}  {span:>8.1f}  {outcomes}")
        write(
            f"{total} tests. busy: summed test durations (setup, call, teardown); span: first "
            "start to last stop (layers overlap when run in parallel)."
        )
