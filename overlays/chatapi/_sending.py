"""Telling a caller when its request is about to leave, not merely when it was asked for.

A bulk job journals a non-repeatable call before it leaves; if that mark were written
before the rate-limit wait, an item still waiting for its slot when the run is killed
would look as if it may have been sent. Around such a call the job sets a ``SendHook``
(``watch_sending``); the rate-limit overlay, which every request passes through, reports
to it that the request waits for a slot (``waiting``) and, once the slot is granted, that
it is about to be written (``sending``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["SendHook", "current_hook", "watch_sending"]


class SendHook:
    """Callbacks for one call: ``on_waiting`` at most once, then ``on_sending`` once.

    Once ``sending`` was reported, later attempts of the call (retries) report nothing: an
    earlier attempt may have been processed, so its mark must stay.
    """

    def __init__(self, on_waiting: Callable[[], None], on_sending: Callable[[], None]) -> None:
        self._on_waiting = on_waiting
        self._on_sending = on_sending
        self._lock = threading.Lock()
        self._waited = False
        self._sent = False

    def waiting(self) -> None:
        """The request waits for its rate-limit slot: nothing of it has left."""
        with self._lock:
            if self._waited or self._sent:
                return
            self._waited = True
        self._on_waiting()

    def sending(self) -> None:
        """The request is about to be written (its slot was granted)."""
        with self._lock:
            if self._sent:
                return
            self._sent = True
        self._on_sending()


_HOOK: ContextVar[SendHook | None] = ContextVar("chatapi_send_hook", default=None)


@contextmanager
def watch_sending(hook: SendHook) -> Iterator[None]:
    """Report the requests made inside the block (this thread or task) to ``hook``."""
    token = _HOOK.set(hook)
    try:
        yield
    finally:
        _HOOK.reset(token)


def current_hook() -> SendHook | None:
    """The hook of the block the running call is in, if any."""
    return _HOOK.get()
