"""Fixtures: one sandbox on 127.0.0.1 for the layer, reset before every test.

The sandbox keeps real time (these tests are about real waits, timeouts and rates); its
rate limiter reads a ``StampingClock``, which notes when each request reached it. Before
every test the sandbox is reset (fresh workspaces, empty rate-limit windows, no pending
fault, zero counters) and the stamps are cleared.

The client-side rate-limit budgets live in a process-wide store keyed by organization, so
``connect`` gives every test an organization name of its own: a budget one test spent
never makes another wait.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import chatapi
import chatapi_sandbox
from chatapi_client import AuthenticatedClient

from ._helpers import SANDBOX_TOKENS, TOKEN, Connect, Events, StampingClock


@pytest.fixture(scope="session")
def clock() -> StampingClock:
    return StampingClock()


@pytest.fixture(scope="session")
def sandbox(clock: StampingClock) -> Iterator[chatapi_sandbox.Sandbox]:
    with chatapi_sandbox.running(SANDBOX_TOKENS, clock=clock) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(sandbox: chatapi_sandbox.Sandbox, clock: StampingClock) -> None:
    sandbox.reset()
    clock.stamps.clear()


@pytest.fixture
def organization() -> str:
    """A client-side organization name no other test uses."""
    return f"integration-{uuid.uuid4().hex}"


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def connect(sandbox: chatapi_sandbox.Sandbox, organization: str, events: Events) -> Connect:
    """``chatapi.connect`` to the sandbox, in this test's organization, reporting to ``events``.

    Keyword arguments go to ``chatapi.connect`` (``timeout=``, ``deadline=``, ``token=`` ...).
    The caller closes the client (``with connect() as client:``).
    """

    def make(**kwargs: Any) -> AuthenticatedClient:
        settings: dict[str, Any] = {
            "token": TOKEN,
            "base_url": sandbox.base_url,
            "organization": organization,
            "on_retry": events.retries.append,
            "on_throttle": events.throttles.append,
        }
        return chatapi.connect(**{**settings, **kwargs})

    return make
