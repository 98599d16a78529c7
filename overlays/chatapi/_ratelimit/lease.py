"""Which clients hold a store they opened, so the last one to close releases its connections.

``connect()`` opens a store from a URL once per process and shares it (``open_store``);
each client built on it takes a ``StoreLease``. When the last lease is returned (its client
closed), the store closes the connections no call is using (``release``): a script that
opens and closes a client per ``asyncio.run()`` leaves nothing open, and clients still open
never lose their connections to another client's closing. A store used again later simply
reconnects.
"""

from __future__ import annotations

import threading
import weakref

import anyio.to_thread

__all__ = ["StoreLease"]

_LOCK = threading.Lock()
_HOLDERS: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()
"""Per store, the leases not yet returned."""


class StoreLease:
    """One client's hold on a store; ``end``/``aend`` return it once, whichever comes first."""

    def __init__(self, store: object) -> None:
        self._store = store
        self._held = True
        with _LOCK:
            _HOLDERS[store] = _HOLDERS.get(store, 0) + 1

    def end(self) -> None:
        """Return the lease; the last one releases the store's idle connections."""
        if self._last():
            _release(self._store)

    async def aend(self) -> None:
        """``end`` for an event loop: the release (closing files, sockets) in a worker thread."""
        if self._last():
            await anyio.to_thread.run_sync(_release, self._store)

    def _last(self) -> bool:
        with _LOCK:
            if not self._held:
                return False
            self._held = False
            left = _HOLDERS.get(self._store, 1) - 1
            _HOLDERS[self._store] = left
            return left <= 0


def _release(store: object) -> None:
    release = getattr(store, "release", None)
    if callable(release):
        release()
