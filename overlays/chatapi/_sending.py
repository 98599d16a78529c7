"""Telling a caller when its request is about to leave, not merely when it was asked for.

A bulk job journals a non-repeatable call before it leaves; if that mark stayed through
the rate-limit wait, an item still waiting for its slot when the run is killed would look
as if it may have been sent. Around such a call the job sets a ``SendHook``
(``watch_sending``): the rate-limit overlay reports that the request has to wait for a slot
(``waiting``, only when it does) and, once the slot is granted, that it is about to be
written (``sending``); the retry overlay reports an attempt that surely was not processed
(a 429, nothing written) before it waits to try again (``unsent``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["SendHook", "current_hook", "watch_sending"]


class SendHook:
    """Keeps a call's mark (``on_sending`` sets it, ``on_waiting`` clears it) no wider than needed.

    ``marked`` says the caller set the mark before the call (so a client without these
    reports leaves it in place). Each callback runs only when it changes the mark: a call
    granted its slot at once writes nothing more. Once an attempt left and was not reported
    ``unsent``, it may have been processed: the mark stays for good, whatever follows.
    """

    def __init__(
        self,
        on_waiting: Callable[[], None],
        on_sending: Callable[[], None],
        *,
        marked: bool = False,
    ) -> None:
        self._on_waiting = on_waiting
        self._on_sending = on_sending
        self._lock = threading.Lock()
        self._marked = marked
        self._out = False  # an attempt left and was not reported unsent since
        self._kept = False  # an attempt may have been processed: never cleared again

    def waiting(self) -> None:
        """The call waits (for a slot, or to try again): clear the mark if nothing may be out."""
        with self._lock:
            self._clear()

    def sending(self) -> None:
        """The request is about to be written (its slot was granted): the mark must be set."""
        with self._lock:
            if not self._marked:
                self._on_sending()  # first: if it fails, the request does not leave
                self._marked = True
            if self._out:
                self._kept = True  # the attempt before this one may have been processed
            self._out = True

    def unsent(self) -> None:
        """The attempt that left surely was not processed, and the call will wait to retry."""
        with self._lock:
            if self._kept:
                return
            self._out = False
            self._clear()

    def _clear(self) -> None:
        if self._marked and not (self._out or self._kept):
            self._on_waiting()
            self._marked = False


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
