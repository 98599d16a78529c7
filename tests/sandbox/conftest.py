"""Fixtures: one sandbox for the session on a stepped clock, reset before every test.

The sandbox's rate limiter reads ``clock``, which only moves when a test moves it: the
``api`` client steps it a second before each request, so state tests never meet a 429,
and rate-limit tests use ``raw`` clients and step it themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import chatapi_sandbox

from ._helpers import ACME_1, ACME_2, GLOBEX, SteppedClock


@pytest.fixture(scope="session")
def clock() -> SteppedClock:
    return SteppedClock()


@pytest.fixture(scope="session")
def sandbox(clock: SteppedClock) -> Iterator[chatapi_sandbox.Sandbox]:
    tokens = [f"{ACME_1}:acme", f"{ACME_2}:acme", f"{GLOBEX}:globex"]
    with chatapi_sandbox.running(tokens, clock=clock) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest, clock: SteppedClock) -> None:
    clock.now = 1000.0
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").reset()


def _client(
    sandbox: chatapi_sandbox.Sandbox, token: str, clock: SteppedClock | None
) -> httpx.Client:
    hooks = {"request": [lambda _: clock.advance(1.0)]} if clock is not None else {}
    return httpx.Client(
        base_url=sandbox.base_url,
        headers={"Authorization": f"Bearer {token}"},
        event_hooks=hooks,
        timeout=5.0,
    )


@pytest.fixture
def api(sandbox: chatapi_sandbox.Sandbox, clock: SteppedClock) -> Iterator[httpx.Client]:
    """An acme client whose every request comes a second after the last (no 429s)."""
    with _client(sandbox, ACME_1, clock) as client:
        yield client


@pytest.fixture
def raw(sandbox: chatapi_sandbox.Sandbox) -> Iterator[httpx.Client]:
    """An acme client that leaves the clock alone."""
    with _client(sandbox, ACME_1, None) as client:
        yield client


@pytest.fixture
def raw_acme_2(sandbox: chatapi_sandbox.Sandbox) -> Iterator[httpx.Client]:
    """The second acme token: same organization as ``raw``."""
    with _client(sandbox, ACME_2, None) as client:
        yield client


@pytest.fixture
def raw_globex(sandbox: chatapi_sandbox.Sandbox) -> Iterator[httpx.Client]:
    """A token of another organization."""
    with _client(sandbox, GLOBEX, None) as client:
        yield client
