"""Shared pieces of the integration layer: tokens, instruments and the calls the tests make."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

import chatapi
import chatapi_sandbox
from chatapi._transports.base import SplitTransport
from chatapi_client import AuthenticatedClient
from chatapi_client.api.contact import get_contact
from chatapi_client.api.messaging import send_message
from chatapi_client.models import Contact, SendMessageRequest, SendMessageResult, TextMessage

TOKEN = "integration-token-1"
SECOND_TOKEN = "integration-token-2"
"""A second token of the same sandbox organization as ``TOKEN``."""
SANDBOX_ORGANIZATION = "acme"
CONTACT = "id:123"
"""The contact every sandbox workspace is seeded with (the spec's examples name it)."""
CONTACT_ID = 123
SANDBOX_TOKENS = (f"{TOKEN}:{SANDBOX_ORGANIZATION}", f"{SECOND_TOKEN}:{SANDBOX_ORGANIZATION}")
"""What the layer's sandbox accepts: two tokens of one organization."""

Connect = Callable[..., AuthenticatedClient]
"""``chatapi.connect`` bound to the sandbox; keyword arguments override the test's defaults."""


class StampingClock:
    """``time.monotonic``, noting every reading it hands out.

    Given to the sandbox as its rate limiter's clock, which reads it once per authenticated
    request it admits or refuses: the stamps are when requests reached the server's limiter.
    """

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def __call__(self) -> float:
        now = time.monotonic()
        self.stamps.append(now)  # one writer (the sandbox's thread); list.append is atomic
        return now


@dataclass
class Events:
    """What the overlays reported through ``on_retry`` and ``on_throttle``."""

    retries: list[chatapi.RetryEvent] = field(default_factory=list)
    throttles: list[chatapi.ThrottleEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Attempt:
    """One request that went out and got an answer, as the bottom of the stack saw it.

    Attributes:
        started: Wall-clock seconds when it was handed to httpx.
        received: Wall-clock seconds when the answer's head arrived.
        status_code: The answer's status.
        headers: The answer's headers.
    """

    started: float
    received: float
    status_code: int
    headers: httpx.Headers


class Wire(SplitTransport):
    """httpx's own transports, noting each attempt that got an answer (``Attempt``).

    Passed as ``connect(transport=Wire())``: it replaces nothing but adds the notes, so the
    overlays above it work as with the default transports. Times are wall-clock, to compare
    with an HTTP-date ``Retry-After``.
    """

    def __init__(self) -> None:
        super().__init__(httpx.HTTPTransport(), httpx.AsyncHTTPTransport())
        self.attempts: list[Attempt] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send with httpx's transport and note the attempt."""
        started = time.time()
        response = super().handle_request(request)
        self.attempts.append(Attempt(started, time.time(), response.status_code, response.headers))
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send with httpx's async transport and note the attempt."""
        started = time.time()
        response = await super().handle_async_request(request)
        self.attempts.append(Attempt(started, time.time(), response.status_code, response.headers))
        return response


def text(words: str = "Your order shipped.") -> SendMessageRequest:
    """A sendMessage body with a text message."""
    return SendMessageRequest(message=TextMessage(type_="text", text=words))


def send(client: AuthenticatedClient, words: str = "Your order shipped.") -> SendMessageResult:
    """Send a text to the seeded contact; the generated function must return its result."""
    result = send_message.sync(CONTACT, client=client, body=text(words))
    assert isinstance(result, SendMessageResult), result
    return result


async def asend(
    client: AuthenticatedClient, words: str = "Your order shipped."
) -> SendMessageResult:
    """``send``, with the generated function's asyncio variant."""
    result = await send_message.asyncio(CONTACT, client=client, body=text(words))
    assert isinstance(result, SendMessageResult), result
    return result


def fetch(client: AuthenticatedClient, identifier: str = CONTACT) -> Contact:
    """Get a contact; the generated function must return a ``Contact``."""
    result = get_contact.sync(identifier, client=client)
    assert isinstance(result, Contact), result
    return result


async def afetch(client: AuthenticatedClient, identifier: str = CONTACT) -> Contact:
    """``fetch``, with the generated function's asyncio variant."""
    result = await get_contact.asyncio(identifier, client=client)
    assert isinstance(result, Contact), result
    return result


def wait_for_counters(
    sandbox: chatapi_sandbox.Sandbox,
    done: Callable[[chatapi_sandbox.Counters], bool],
    timeout: float = 3.0,
) -> chatapi_sandbox.Counters:
    """Poll the sandbox's counters until ``done`` holds (a request still in flight there).

    A client that gave up on a delayed request leaves the server processing it; waiting for
    it here also keeps it from landing in the next test's counters.
    """
    deadline = time.monotonic() + timeout
    while True:
        counters = sandbox.counters()
        if done(counters) or time.monotonic() > deadline:
            return counters
        time.sleep(0.02)
