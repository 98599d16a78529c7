"""Which clients hold a store they opened, so the last one to close releases its connections.

``connect()`` opens a store from a URL once per process and shares it (``open_store``);
each client built on it takes a ``StoreLease``. When the last lease is returned (its client
closed), the store closes the connections no call is using (``release``): a script that
opens and closes a client per ``asyncio.run()`` leaves nothing open, and clients still open
never lose their connections to another client's closing. A store used again later simply
reconnects. A client collected without being closed returns its lease too.
"""

from __future__ import annotations

import contextlib
import threading
import weakref

import anyio.to_thread

__all__ = ["StoreLease"]

_LOCK = threading.Lock()
_HOLDERS: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()
"""Per store, the leases not yet returned."""


class StoreLease:
    """One client's hold on a store; ``end``/``aend`` return it once, whichever comes first.

    A lease collected without either (its client was never closed) is returned then, on a
    thread of its own (see ``_return_collected``).
    """

    def __init__(self, store: object) -> None:
        self._hold = _Hold(store)
        # The finalizer holds the hold, never the lease or its client: they stay collectable.
        self._finalizer = weakref.finalize(self, _return_collected, self._hold)
        # At interpreter exit the process closes its connections itself.
        self._finalizer.atexit = False

    def end(self) -> None:
        """Return the lease; the last one releases the store's idle connections."""
        self._finalizer.detach()
        self._hold.end()

    async def aend(self) -> None:
        """``end`` for an event loop: the release (closing files, sockets) in a worker thread."""
        self._finalizer.detach()
        if self._hold.last():
            await anyio.to_thread.run_sync(_release, self._hold.store)


class _Hold:
    """The state of one lease, kept apart from it so that a finalizer can return it."""

    __slots__ = ("held", "store")

    def __init__(self, store: object) -> None:
        self.store = store
        self.held = True
        with _LOCK:
            _HOLDERS[store] = _HOLDERS.get(store, 0) + 1

    def end(self) -> None:
        if self.last():
            _release(self.store)

    def last(self) -> bool:
        """Return the hold (once: later calls do nothing); whether it was the last one."""
        with _LOCK:
            if not self.held:
                return False
            self.held = False
            left = _HOLDERS.get(self.store, 1) - 1
            _HOLDERS[self.store] = left
            return left <= 0


def _return_collected(hold: _Hold) -> None:
    """Return the hold of a lease the garbage collector took.

    The collector runs wherever an allocation triggers it, possibly in code that holds the
    very locks returning takes (``_LOCK``, the store's own): a thread of its own waits for
    them instead of deadlocking the thread that was interrupted.
    """
    # RuntimeError: the interpreter is shutting down; the connections end with the process.
    with contextlib.suppress(RuntimeError):
        threading.Thread(target=hold.end, name="chatapi-store-lease", daemon=True).start()


def _release(store: object) -> None:
    release = getattr(store, "release", None)
    if callable(release):
        release()
